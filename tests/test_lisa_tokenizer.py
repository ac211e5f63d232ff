"""LISA's token ids: the validation prompts tokenized as transformers 4.31's slow LlamaTokenizer did (LISA loads it with
use_fast=False), on a SentencePiece model trained here and saved in the folder layout 4.31 wrote for LISA.

The expected ids are built straight from sentencepiece with 4.31's rules (tokenization_utils.py:481-549: split on
added tokens, strip the whitespace around them; tokenization_llama.py:177-196 legacy: encode each piece with the dummy
"▁" prefix; mm_utils.py:19-44: one BOS, the image placeholder between the chunks). The fast tokenizer of the same
folder is shown to differ, so the comparison is not vacuous. Set WISEBENCH_TRANSFORMERS_431_PYTHON to a Python with
transformers==4.31.0 and sentencepiece to also compare with that library itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

sentencepiece = pytest.importorskip("sentencepiece")

from baselines.lisa.prompts import LLAVA_V1_SYSTEM, conversation, question, tokenize_with_image  # noqa: E402
from baselines.lisa.tokenizer import LisaTokenizer, TokenizerFilesError  # noqa: E402
from tiny_lisa import build_tokenizer  # noqa: E402

SENTENCE = " the thing you sit on after a long walk "
PHRASE = "red cup"
IMAGE = -200
PROMPTS = {
    "sentence": conversation(question(SENTENCE, True)),
    "phrase": conversation(question(PHRASE, False)),
    "sentence-teacher-forced": conversation(question(SENTENCE, True), answer="[SEG]."),
    "phrase-teacher-forced": conversation(question(PHRASE, False), answer="[SEG]."),
}
# What each prompt's second chunk reads once 4.31 has stripped the whitespace next to <im_end> ("\n " goes) and [SEG].
AFTER_IMAGE = {
    "sentence": "the thing you sit on after a long walk Please output segmentation mask. ASSISTANT:",
    "phrase": "What is red cup in this image? Please output segmentation mask. ASSISTANT:",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tokenizer") / "lisa"
    build_tokenizer(folder)
    return folder


@pytest.fixture(scope="module")
def processor(folder):
    return sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))


def added_ids(folder: Path) -> dict[str, int]:
    return json.loads((folder / "added_tokens.json").read_text())


def expected_ids(name: str, processor, added: dict[str, int]) -> list[int]:
    """LISA under transformers 4.31, written out: BOS, the system + "USER:" (the space before <im_start> stripped),
    <im_start>, the image, <im_end>, the question with the "\\n " after <im_end> stripped, "ASSISTANT:" and, teacher
    forced, [SEG] then "." encoded on its own (so with its "▁" prefix) and </s>."""
    before = [1, *processor.encode(f"{LLAVA_V1_SYSTEM} USER:"), added["<im_start>"]]
    after = [added["<im_end>"], *processor.encode(AFTER_IMAGE[name.removesuffix("-teacher-forced")])]
    if name.endswith("teacher-forced"):
        after += [added["[SEG]"], *processor.encode("."), 2]
    return before + [IMAGE] + after


def test_the_tiny_tokenizer_is_llama_shaped(folder, processor):
    assert [processor.id_to_piece(index) for index in range(3)] == ["<unk>", "<s>", "</s>"]
    assert processor.encode("\n", out_type=str) == ["▁", "<0x0A>"]  # byte fallback, as LLaMA's
    assert added_ids(folder) == {"[SEG]": processor.get_piece_size(), "<im_start>": processor.get_piece_size() + 1, "<im_end>": processor.get_piece_size() + 2}


@pytest.mark.parametrize("name", list(PROMPTS))
def test_validation_prompt_ids_are_lisas_slow_tokenizer_ids(folder, processor, name):
    tokenizer = LisaTokenizer.from_folder(folder)
    ids = tokenize_with_image(PROMPTS[name], tokenizer).with_placeholder()
    assert ids == expected_ids(name, processor, added_ids(folder))


@pytest.mark.parametrize("name", ["phrase-teacher-forced", "sentence-teacher-forced"])
def test_the_fast_tokenizer_would_have_differed(folder, name):
    """wisebench's former loading (AutoTokenizer, fast) of the same folder keeps a "▁" before <im_start> and before
    [SEG] and the newline after <im_end> (how many ids in all depends on the transformers version): the state that
    drives SAM would come from "▁" instead of ":"."""
    from transformers import AutoTokenizer

    fast = AutoTokenizer.from_pretrained(folder)
    slow = LisaTokenizer.from_folder(folder)
    fast_ids = tokenize_with_image(PROMPTS[name], fast)
    slow_ids = tokenize_with_image(PROMPTS[name], slow)
    assert fast_ids != slow_ids
    assert fast.convert_ids_to_tokens(fast_ids.before_image[-2:]) == ["▁", "<im_start>"]
    assert "<0x0A>" in fast.convert_ids_to_tokens(fast_ids.after_image[:4])
    seg = slow.convert_tokens_to_ids("[SEG]")
    fast_sequence, slow_sequence = fast_ids.with_placeholder(), slow_ids.with_placeholder()
    assert fast.convert_ids_to_tokens(fast_sequence[fast_sequence.index(seg) - 1]) == "▁"
    assert slow_sequence[slow_sequence.index(seg) - 1] == slow.convert_tokens_to_ids(":")


def test_seg_alone_is_one_id_and_decoding_joins_added_tokens_with_spaces(folder):
    tokenizer = LisaTokenizer.from_folder(folder)
    seg = tokenizer.convert_tokens_to_ids("[SEG]")
    assert tokenizer.encode("[SEG]", add_special_tokens=False) == [seg]  # chat.py:79 seg_token_idx
    assert tokenizer.encode(" [SEG] ", add_special_tokens=False) == [seg]  # 4.31 strips around added tokens
    answer = tokenizer.encode("Sure, it is [SEG].</s>", add_special_tokens=False)
    # 4.31 decodes added tokens apart and joins the parts with " " (spaces_between_special_tokens); the outputs of
    # transformers 4.31 itself for these ids
    assert tokenizer.decode(answer, skip_special_tokens=True) == "Sure, it is [SEG] ."
    assert tokenizer.decode([1, *answer]) == "<s>Sure, it is [SEG]  .</s>"
    assert tokenizer.describe()["legacy"] is True and tokenizer.describe()["added_tokens"]["[SEG]"] == seg


def test_legacy_false_in_the_config_is_followed(tmp_path, processor):
    """4.31 with "legacy": false drops the "▁" sentencepiece puts before text that follows an added token."""
    build_tokenizer(tmp_path, legacy=False)
    tokenizer = LisaTokenizer.from_folder(tmp_path)
    tail = tokenize_with_image(PROMPTS["phrase-teacher-forced"], tokenizer).after_image[-3:]
    assert tokenizer.legacy is False and tail == [tokenizer.convert_tokens_to_ids("[SEG]"), processor.piece_to_id("."), 2]


def test_broken_tokenizer_folders_are_named(tmp_path, folder):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "added_tokens.json").write_text(json.dumps({"[SEG]": 5000}))
    with pytest.raises(TokenizerFilesError, match=r"added token '\[SEG\]' has id 5000"):
        LisaTokenizer.from_folder(copy)
    (copy / "tokenizer.model").unlink()
    with pytest.raises(TokenizerFilesError, match="no tokenizer.model"):
        LisaTokenizer.from_folder(copy)


def test_added_tokens_from_a_newer_save_are_read_from_the_config(tmp_path, folder):
    """A folder re-saved by transformers >= 4.34 lists the added tokens in tokenizer_config.json."""
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    added = json.loads((copy / "added_tokens.json").read_text())
    (copy / "added_tokens.json").unlink()
    config = json.loads((copy / "tokenizer_config.json").read_text())
    config["added_tokens_decoder"] = {str(index): {"content": token, "special": token != "[SEG]"} for token, index in added.items()}
    config["added_tokens_decoder"]["0"] = {"content": "<unk>", "special": True}
    (copy / "tokenizer_config.json").write_text(json.dumps(config))
    assert LisaTokenizer.from_folder(copy).added_tokens == added


REFERENCE_SCRIPT = """
import json, sys
from transformers import AutoTokenizer
tokenizer = AutoTokenizer.from_pretrained(sys.argv[1], use_fast=False)
texts = json.loads(sys.stdin.read())
ids = [[tokenizer(chunk).input_ids for chunk in text.split("<image>")] for text in texts]
print(json.dumps({"version": __import__("transformers").__version__, "ids": ids,
                  "decoded": [tokenizer.decode(tokenizer(text).input_ids, skip_special_tokens=True) for text in texts]}))
"""


@pytest.mark.skipif(not os.environ.get("WISEBENCH_TRANSFORMERS_431_PYTHON"), reason="set WISEBENCH_TRANSFORMERS_431_PYTHON to a Python with transformers==4.31.0 to compare with it")
@pytest.mark.parametrize("legacy", [None, False])
def test_ids_equal_transformers_431_itself(tmp_path, legacy):
    build_tokenizer(tmp_path, legacy=legacy)
    texts = [*PROMPTS.values(), "Sure, it is [SEG].</s>", " [SEG] [SEG]\n<im_start> x <im_end>  y ", "", "<s>a</s> <unk> ▁b", "日本 é\t\n"]
    result = subprocess.run(
        [os.environ["WISEBENCH_TRANSFORMERS_431_PYTHON"], "-c", REFERENCE_SCRIPT, str(tmp_path)],
        input=json.dumps(texts), capture_output=True, text=True, check=True, timeout=120,
    )
    reference = json.loads(result.stdout)
    assert reference["version"] == "4.31.0"
    tokenizer = LisaTokenizer.from_folder(tmp_path)
    assert [[tokenizer.encode(chunk) for chunk in text.split("<image>")] for text in texts] == reference["ids"]
    assert [tokenizer.decode(tokenizer.encode(text), skip_special_tokens=True) for text in texts] == reference["decoded"]
