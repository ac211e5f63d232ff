"""The LISA adapter: exact validation prompts, the checkpoint-layout mapping (strict), a tiny random LISA in the
released layout end to end through `wisebench run` on CPU, the [SEG] -> SAM path (the state at ":" before [SEG]),
SAM's dtype (bf16 by default, --set sam_dtype), and the offline error. Token ids: test_lisa_tokenizer.py."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from wisebench.errors import WisebenchError

from baselines.lisa.prompts import conversation, question, tokenize_with_image

SYSTEM = "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions."


def test_validation_prompts_are_lisas_byte_for_byte():
    sentence = conversation(question(" the thing you sit on after a long walk ", True))
    phrase = conversation(question("red cup", False))
    assert sentence == f"{SYSTEM} USER: <im_start><image><im_end>\n the thing you sit on after a long walk Please output segmentation mask. ASSISTANT:"
    assert phrase == f"{SYSTEM} USER: <im_start><image><im_end>\n What is red cup in this image? Please output segmentation mask. ASSISTANT:"
    # A sample that does not say (HF copies of ReasonSeg) is refused, unless the template is chosen for all samples.
    with pytest.raises(WisebenchError, match="question=sentence"):
        question("red cup", None)
    assert conversation(question("red cup", None, form="phrase")) == phrase
    assert conversation(question("red cup", True, form="phrase")) == phrase
    assert conversation(question(" the thing you sit on after a long walk ", None, form="sentence")) == sentence
    assert conversation(question("red cup", False), answer="[SEG].").endswith("ASSISTANT: [SEG].</s>")
    assert conversation(question("red cup", False), image_start_end=False).startswith(f"{SYSTEM} USER: <image>\n What is")


torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("segment_anything")

from tiny_lisa import TINY_SAM_ENCODER, build_tiny_lisa  # noqa: E402
from wisebench.adapters.base import ModelOptions  # noqa: E402
from wisebench.cli import main  # noqa: E402
from wisebench.errors import UnknownNameError, WeightsNotFoundError  # noqa: E402
from wisebench.registry import MODELS, SUITES  # noqa: E402
from wisebench.runner.store import read_records  # noqa: E402


@pytest.fixture(scope="module")
def tiny_lisa(tmp_path_factory) -> Path:
    return build_tiny_lisa(tmp_path_factory.mktemp("tiny") / "lisa")


@pytest.fixture(scope="module")
def adapter(tiny_lisa):
    from baselines.lisa.adapter import LisaAdapter

    return LisaAdapter(ModelOptions(checkpoint=str(tiny_lisa), settings={"max_new_tokens": 8}))


@pytest.fixture(autouse=True)
def lisa_registered():
    try:
        MODELS.canonical("lisa")
    except UnknownNameError:  # until the registry line lands
        MODELS.register("lisa", "baselines.lisa.adapter:LisaAdapter", ("lisa-7b",), "LISA-7B ([SEG] token + SAM ViT-H)")


def mini_samples(count: int):
    return SUITES.load("reasonseg-mini")().load("val", None).samples[:count]


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# the checkpoint layout ------------------------------------------------------------------------------------------


def test_mapping_takes_every_key_of_the_layout_and_names_any_extra_or_missing_one(tiny_lisa):
    from baselines.lisa.checkpoint import CheckpointLayoutError, LisaConfig, map_state_dict, read_state_dict
    from baselines.lisa.model import LisaModel

    with torch.device("meta"):
        model = LisaModel(LisaConfig.from_folder(tiny_lisa))
    expected = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    state = read_state_dict(tiny_lisa)
    assert not any("vision_tower" in key for key in state)  # the released layout has no CLIP keys
    mapped = map_state_dict(state, expected)
    assert len(mapped) == len(state) == len(expected)

    ignored = dict(state, **{"model.vision_tower.vision_tower.vision_model.post_layernorm.weight": torch.zeros(1), "model.layers.0.self_attn.rotary_emb.inv_freq": torch.zeros(1)})
    assert len(map_state_dict(ignored, expected)) == len(expected)  # what upstream also never loads

    with pytest.raises(CheckpointLayoutError, match=r"unexpected keys.*model\.visual_model\.extra_head\.weight"):
        map_state_dict(dict(state, **{"model.visual_model.extra_head.weight": torch.zeros(1)}), expected)
    with pytest.raises(CheckpointLayoutError, match=r"unexpected keys.*lora_A"):
        map_state_dict(dict(state, **{"model.layers.0.self_attn.q_proj.lora_A.weight": torch.zeros(1)}), expected)
    trimmed = {key: value for key, value in state.items() if key != "model.text_hidden_fcs.0.2.bias"}
    with pytest.raises(CheckpointLayoutError, match=r"missing keys.*model\.text_hidden_fcs\.0\.2\.bias"):
        map_state_dict(trimmed, expected)
    misshapen = dict(state, **{"model.mm_projector.weight": torch.zeros(3, 3)})
    with pytest.raises(CheckpointLayoutError, match=r"shape mismatches.*model\.mm_projector\.weight"):
        map_state_dict(misshapen, expected)


def test_sam_is_built_as_segment_anythings_vit_h_recipe():
    """Same names and shapes as the package's own builders (LISA's build_sam_vit_h is that recipe), full size on
    the meta device and tiny."""
    from baselines.lisa.checkpoint import VIT_H
    from baselines.lisa.model import build_sam

    package = importlib.import_module("segment_anything.build_sam")

    def shapes(module):
        return {key: tuple(value.shape) for key, value in module.state_dict().items()}

    with torch.device("meta"):
        assert shapes(build_sam(VIT_H)) == shapes(package.build_sam_vit_h())
    tiny = TINY_SAM_ENCODER
    assert shapes(build_sam(tiny)) == shapes(package._build_sam(tiny["embed_dim"], tiny["depth"], tiny["num_heads"], tiny["global_attn_indexes"]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_sam_pixels_are_normalized_in_float32_then_cast(dtype):
    """chat.py:193-206: ResizeLongestSide(1024), (x - mean) / std and padding in float32 (Sam.preprocess's math), then
    .bfloat16(): the bf16 pixels are the rounded float32 ones, not a bf16 normalization."""
    from segment_anything.utils.transforms import ResizeLongestSide

    from baselines.lisa.preprocess import sam_pixels

    image = np.random.default_rng(0).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    sam = importlib.import_module("segment_anything.build_sam")._build_sam(32, 1, 1, [0])
    resized = ResizeLongestSide(1024).apply_image(image)
    expected = sam.preprocess(torch.from_numpy(resized).permute(2, 0, 1).float()).unsqueeze(0)
    pixels, size = sam_pixels(image, "cpu", dtype)
    assert size == (614, 1024) and pixels.dtype == dtype and torch.equal(pixels, expected.to(dtype))


def test_image_placeholder_splits_the_prompt_with_one_bos(adapter):
    tokenizer = adapter.tokenizer
    ids = tokenize_with_image(adapter.prompt_text(mini_samples(1)[0]), tokenizer)
    assert ids.before_image[0] == tokenizer.bos_token_id and tokenizer.bos_token_id not in ids.after_image
    assert ids.before_image[-1] == tokenizer.convert_tokens_to_ids("<im_start>")
    assert ids.after_image[0] == tokenizer.convert_tokens_to_ids("<im_end>")
    assert ids.with_placeholder().count(-200) == 1


# end to end -----------------------------------------------------------------------------------------------------


def test_tiny_random_lisa_end_to_end_cli(tmp_path, capsys, tiny_lisa):
    code, out, err = run_cli(
        capsys, "run", "--model", "lisa", "--checkpoint", str(tiny_lisa), "--suite", "reasonseg-mini", "--limit", "2",
        "--set", "max_new_tokens=8", "--out", str(tmp_path), "--no-progress",
    )
    assert code == 0, err
    (folder,) = [path for path in tmp_path.iterdir() if path.is_dir()]
    records = read_records(folder)
    assert len(records) == 2
    for record in records:
        prediction = record["prediction"]
        assert prediction["failure"] in (None, "no_seg_token")  # random weights rarely say [SEG]: recorded, no crash
        assert prediction["tokens"]["reasoning"] == 0
        assert prediction["tokens"]["prompt"] > 256  # 256 CLIP patches + the conversation
        assert 1 <= prediction["tokens"]["generated"] <= 8
        assert prediction["finish_reason"] in ("stop", "length")
        assert prediction["seconds"]["reasoner"] > 0 and prediction["seconds"]["total"] >= prediction["seconds"]["reasoner"]
    run = json.loads((folder / "run.json").read_text())
    assert run["model"]["adapter"] == "lisa" and run["model"]["mode"] == "generate"
    assert run["model"]["generation"] == {"do_sample": False, "num_beams": 1, "max_new_tokens": 8}
    assert run["prompt_hash"] and run["smoke"]["reasons"] == ["limit=2", "random_weights"]
    assert run["model"]["segmenter"]["dtype"] == "bfloat16"  # chat.py: the whole model, SAM included, in bf16
    assert run["model"]["tokenizer"]["kind"].startswith("sentencepiece") and run["model"]["tokenizer"]["legacy"] is True


def test_teacher_forced_seg_gives_masks_at_the_original_size(adapter):
    adapter.mode = "teacher_forced"
    try:
        samples = mini_samples(2)
        predictions = adapter.predict(samples)
    finally:
        adapter.mode = "generate"
    for sample, prediction in zip(samples, predictions):
        assert adapter.prompt_hash(sample)
        assert prediction.failure is None and prediction.extra["seg_tokens"] == 1
        assert prediction.mask.dtype == bool and prediction.mask.shape == sample.load_image().shape[:2]
        assert prediction.tokens.generated == 0 and prediction.raw_text == "[SEG]."
        assert set(prediction.seconds) == {"reasoner", "segmenter", "total"}


def test_teacher_forced_seg_state_is_the_colon_before_seg(adapter, monkeypatch):
    """With LISA's slow tokenization "ASSISTANT: [SEG]." has no "▁" before [SEG]: the state that drives SAM is the
    one at ":" (LISA.py:187-199 selects the position before [SEG])."""
    from baselines.lisa.preprocess import clip_pixels
    from baselines.lisa.prompts import seg_predicting_positions

    segment, passed = adapter.model.segment, []
    monkeypatch.setattr(adapter.model, "segment", lambda image, state: passed.append(state) or segment(image, state))
    adapter.mode = "teacher_forced"
    try:
        (sample,) = mini_samples(1)
        (prediction,) = adapter.predict([sample])
        ids = tokenize_with_image(adapter.prompt_text(sample), adapter.tokenizer)
    finally:
        adapter.mode = "generate"
    assert prediction.failure is None and len(passed) == 1
    with torch.inference_mode():
        features = adapter.model.image_features(clip_pixels(sample.load_image(), adapter.clip_preprocessing))
        states = adapter.model.sequence_states(adapter.model.prompt_embeddings(ids, features))
    sequence = ids.before_image + [-200] * features.shape[0] + ids.after_image
    (position,) = seg_predicting_positions(sequence, adapter.seg_token_id)
    assert sequence[position] == adapter.tokenizer.convert_tokens_to_ids(":") and sequence[position + 1] == adapter.seg_token_id
    assert adapter.tokenizer.decode(sequence[position - 8 : position + 1]).endswith("ASSISTANT:")
    assert torch.equal(passed[0], states[position])


def test_adapter_uses_lisas_tokenizer_and_bf16_sam_by_default(adapter):
    from baselines.lisa.tokenizer import LisaTokenizer

    assert isinstance(adapter.tokenizer, LisaTokenizer)
    assert adapter.describe()["segmenter"]["dtype"] == "bfloat16"
    assert {parameter.dtype for parameter in adapter.model.sam.parameters()} == {torch.bfloat16}


@pytest.mark.parametrize("key", ["sam_dtype", "dtype"])
def test_an_unknown_dtype_is_refused_before_any_weights_are_looked_up(tmp_path, key):
    from baselines.lisa.adapter import LisaAdapter

    with pytest.raises(WisebenchError, match=rf"lisa: unknown {key} 'float64'; use --set {key}=bfloat16\|float32\|float16"):
        LisaAdapter(ModelOptions(checkpoint=str(tmp_path / "not-there"), settings={key: "float64"}))


def test_float32_sam_is_selectable_and_close_to_bf16(tiny_lisa, adapter):
    """--set sam_dtype=float32: SAM in float32 (the dense positional encoding then equals the package's own); the
    bf16 default gives nearly the same mask from the same weights."""
    from baselines.lisa.adapter import LisaAdapter
    from baselines.lisa.model import dense_positional_encoding

    float32 = LisaAdapter(ModelOptions(checkpoint=str(tiny_lisa), settings={"sam_dtype": "float32", "mode": "teacher_forced"}))
    assert float32.describe()["segmenter"]["dtype"] == "float32"
    prompt_encoder = float32.model.sam.prompt_encoder
    assert torch.equal(dense_positional_encoding(prompt_encoder), prompt_encoder.get_dense_pe())
    adapter.mode = "teacher_forced"
    try:
        samples = mini_samples(2)
        bf16_masks = [prediction.mask for prediction in adapter.predict(samples)]
    finally:
        adapter.mode = "generate"
    for bf16_mask, prediction in zip(bf16_masks, float32.predict(samples)):
        assert prediction.mask.shape == bf16_mask.shape and (prediction.mask == bf16_mask).mean() > 0.98


def test_generated_seg_uses_the_state_that_predicted_it(adapter):
    """Bias decoding to answer "[SEG]</s>": the mask must come from the last prompt position's state (the one that
    predicted [SEG]), as LISA's shifted seg_token_mask selects."""
    from baselines.lisa.preprocess import clip_pixels

    seg, eos = adapter.seg_token_id, adapter.eos_token_id
    generation_config = adapter.model.language_model.generation_config
    generation_config.sequence_bias = {(seg,): 100.0, (seg, seg): -300.0, (seg, eos): 300.0}
    try:
        (sample,) = mini_samples(1)
        (prediction,) = adapter.predict([sample])
    finally:
        generation_config.sequence_bias = None
    assert prediction.failure is None and prediction.raw_text == "[SEG]" and prediction.finish_reason == "stop"
    assert prediction.tokens.generated == 2 and prediction.extra["seg_tokens"] == 1

    image = sample.load_image()
    with torch.inference_mode():
        features = adapter.model.image_features(clip_pixels(image, adapter.clip_preprocessing))
        embeddings = adapter.model.prompt_embeddings(tokenize_with_image(adapter.prompt_text(sample), adapter.tokenizer), features)
        expected = adapter.model.segment(image, adapter.model.sequence_states(embeddings)[-1])
    assert np.array_equal(prediction.mask, expected)


def test_no_seg_token_is_a_recorded_failure(adapter):
    generation_config = adapter.model.language_model.generation_config
    generation_config.sequence_bias = {(adapter.seg_token_id,): -1000.0}
    try:
        (prediction,) = adapter.predict(mini_samples(1))
    finally:
        generation_config.sequence_bias = None
    assert prediction.mask is None and prediction.failure == "no_seg_token" and prediction.raw_text
    assert "segmenter" not in prediction.seconds


# missing weights ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size_args", "hub_id"), [((), "xinlai/LISA-7B-v1"), (("--set", "size=13b"), "xinlai/LISA-13B-llama2-v1")])
def test_missing_weights_offline_is_one_message(tmp_path, capsys, monkeypatch, size_args, hub_id):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    code, _, err = run_cli(capsys, "run", "--model", "lisa", "--suite", "reasonseg-mini", "--limit", "1", "--out", str(tmp_path), "--no-progress", *size_args)
    assert code == 2 and "Traceback" not in err
    assert hub_id in err and str(tmp_path / "hf" / "hub") in err and "--checkpoint" in err


def test_missing_vision_tower_offline_names_it(tmp_path, monkeypatch, tiny_lisa):
    from baselines.lisa.adapter import LisaAdapter

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    copy = tmp_path / "lisa"
    shutil.copytree(tiny_lisa, copy)
    config = json.loads((copy / "config.json").read_text())
    config["mm_vision_tower"] = config["vision_tower"] = "openai/clip-vit-large-patch14"
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(WeightsNotFoundError) as error:
        LisaAdapter(ModelOptions(checkpoint=str(copy)))
    message = str(error.value)
    assert "'openai/clip-vit-large-patch14'" in message and str(tmp_path / "hf" / "hub") in message and "--set vision_tower=DIR" in message
