"""LISA's text side: the validation questions, the llava_v1 conversation and how <image> becomes one placeholder id.

Facts from dvlab-research/LISA (commit 3cb2d43):
- utils/dataset.py ValDataset.__getitem__: a sentence query (is_sentence) is asked as
  "<image>\\n {query} Please output segmentation mask.", a short phrase as
  "<image>\\n What is {query} in this image? Please output segmentation mask."; the query is `.strip()`-ed.
  The validation that produced the published gIoU/cIoU fills the assistant turn with "[SEG]." (teacher forcing);
  chat.py leaves it open and generates.
- train_ds.py / chat.py: conversation template "llava_v1" (model/llava/conversation.py conv_llava_v1: the system
  line below, roles USER / ASSISTANT, sep " ", sep2 "</s>"); with use_mm_start_end (default True) "<image>" is
  replaced by "<im_start><image><im_end>" (utils/dataset.py collate_fn, chat.py).
- model/llava/mm_utils.py tokenizer_image_token: the prompt is split at "<image>", each chunk is tokenized with the
  tokenizer's special tokens (BOS), BOS is kept once, and one IMAGE_TOKEN_INDEX (-200) placeholder goes between the
  chunks; the model replaces it with the image patch embeddings (model/llava/model/llava_arch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wisebench.errors import WisebenchError

IMAGE_TOKEN = "<image>"
IMAGE_START_TOKEN = "<im_start>"
IMAGE_END_TOKEN = "<im_end>"
SEG_TOKEN = "[SEG]"
IMAGE_PLACEHOLDER_ID = -200  # LISA's IMAGE_TOKEN_INDEX (utils/utils.py)

LLAVA_V1_SYSTEM = (
    "A chat between a curious human and an artificial intelligence assistant. "
    "The assistant gives helpful, detailed, and polite answers to the human's questions."
)
SENTENCE_QUESTION = IMAGE_TOKEN + "\n {query} Please output segmentation mask."
PHRASE_QUESTION = IMAGE_TOKEN + "\n What is {query} in this image? Please output segmentation mask."
TEACHER_FORCED_ANSWER = "[SEG]."  # ValDataset's assistant turn
END_OF_TURN = "</s>"  # conv_llava_v1.sep2, closes a filled assistant turn


QUESTION_FORMS = ("auto", "sentence", "phrase")


def question(query: str, is_sentence: bool | None, form: str = "auto") -> str:
    """The user turn LISA's ValDataset builds: the sentence template for ReasonSeg's is_sentence queries, the phrase
    template otherwise (RefCOCO's referring phrases carry is_sentence False). `form` forces one template; "auto"
    refuses a query whose kind is unknown (HF copies of ReasonSeg have no is_sentence): guessing would change the
    prompt of half the split."""
    if form == "auto":
        if is_sentence is None:
            raise WisebenchError(
                "lisa: this sample does not say whether its query is a sentence or a phrase (is_sentence), which picks "
                "LISA's prompt; the HF copies of ReasonSeg lack it. Use the LISA folder layout (ReasonSeg/{split}/*.json) "
                "or choose the template for every sample with --set question=sentence|phrase"
            )
        form = "sentence" if is_sentence else "phrase"
    template = SENTENCE_QUESTION if form == "sentence" else PHRASE_QUESTION
    return template.format(query=query.strip())


def conversation(user_turn: str, answer: str | None = None, image_start_end: bool = True) -> str:
    """llava_v1 get_prompt(): "SYSTEM USER: ... ASSISTANT:" with the assistant turn open (answer None)
    or filled and closed with "</s>"."""
    if image_start_end:
        user_turn = user_turn.replace(IMAGE_TOKEN, IMAGE_START_TOKEN + IMAGE_TOKEN + IMAGE_END_TOKEN)
    text = f"{LLAVA_V1_SYSTEM} USER: {user_turn} ASSISTANT:"
    return text if answer is None else f"{text} {answer}{END_OF_TURN}"


def prompt_templates(image_start_end: bool = True) -> dict[str, str]:
    """Both forms with a {query} slot, for run metadata."""
    return {
        "sentence": conversation(SENTENCE_QUESTION, image_start_end=image_start_end),
        "phrase": conversation(PHRASE_QUESTION, image_start_end=image_start_end),
    }


@dataclass(frozen=True)
class PromptIds:
    """Token ids before and after the image; the model puts the image patch embeddings in between."""

    before_image: list[int]
    after_image: list[int]

    def with_placeholder(self) -> list[int]:
        return self.before_image + [IMAGE_PLACEHOLDER_ID] + self.after_image


def tokenize_with_image(text: str, tokenizer: Any) -> PromptIds:
    """tokenizer_image_token (model/llava/mm_utils.py:19-44) for a prompt with exactly one <image>: each chunk
    tokenized on its own (each gets a BOS from the tokenizer), the BOS kept once at the start and dropped from the
    later chunk. `tokenizer.encode(chunk)` is `tokenizer(chunk).input_ids` (baselines.lisa.tokenizer.LisaTokenizer,
    or any transformers tokenizer)."""
    chunks = text.split(IMAGE_TOKEN)
    if len(chunks) != 2:
        raise ValueError(f"a LISA prompt has exactly one {IMAGE_TOKEN}, this one has {len(chunks) - 1}")
    before, after = (list(tokenizer.encode(chunk)) for chunk in chunks)
    starts_with_bos = bool(before) and before[0] == tokenizer.bos_token_id
    return PromptIds(before_image=before, after_image=after[1:] if starts_with_bos else after)


def seg_predicting_positions(sequence: list[int], seg_token_id: int) -> list[int]:
    """Positions whose last-layer state drives SAM in a teacher-forced sequence (image patches expanded): the one
    before each [SEG], whose next-token prediction is [SEG] (model/LISA.py:187-199: input_ids[:, 1:] == seg, shifted
    by the 255 extra image positions)."""
    return [index - 1 for index, token in enumerate(sequence) if token == seg_token_id and index > 0]
