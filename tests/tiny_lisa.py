"""A tiny random LISA saved in the released checkpoint layout (xinlai/LISA-7B-v1), for CPU tests.

What matches the release: config.json fields (model_type "llava", LISAForCausalLM, mm_* fields, out_dim), the
state-dict key names (model.layers.*, lm_head, model.mm_projector, model.text_hidden_fcs.0.{0,2},
model.visual_model.{image_encoder,prompt_encoder,mask_decoder}), sharded pytorch_model-0000k-of-00002.bin + index,
no vision-tower keys (the CLIP tower is a separate folder named by mm_vision_tower), and a slow LLaMA tokenizer
folder: a SentencePiece model trained here with LLaMA's options (<unk>/<s>/</s> = 0/1/2, byte fallback) plus
added_tokens.json with [SEG], <im_start>, <im_end> after it (LISA train_ds.py), as transformers 4.31 saved it.
What is tiny: LLaMA 2 x 64, CLIP 2 x 32 (224 px, patch 14: still 256 patches), SAM's image encoder 2 x 32 (the
prompt encoder and mask decoder keep SAM's real sizes). The SAM modules come from segment_anything's own builder, so
the layout does not depend on the adapter's code. "random_weights": true marks it.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

TINY_SAM_ENCODER = {"embed_dim": 32, "depth": 2, "num_heads": 2, "global_attn_indexes": [1]}
CORPUS = [
    "A chat between a curious human and an artificial intelligence assistant.",
    "The assistant gives helpful, detailed, and polite answers to the human's questions.",
    "USER: What is the red cup in this image? Please output segmentation mask. ASSISTANT: Sure, it is [SEG].",
    "the thing you would sit on after a long walk; the object used to drink water; Sure, [SEG]. It is [SEG].",
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?'\"()-_/\n",
]


LISA_ADDED_TOKENS = ("[SEG]", "<im_start>", "<im_end>")  # train_ds.py:127, :131-133: [SEG] first, then the image marks


def train_sentencepiece(corpus: list[str] = CORPUS, vocab_size: int = 400) -> bytes:
    """A tiny SentencePiece BPE model with LLaMA's options (byte fallback, dummy "▁" prefix, no normalization or
    whitespace folding, digits split, <unk>/<s>/</s> = 0/1/2). Deterministic (one thread); well under a second."""
    import io

    import sentencepiece

    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus), model_writer=model, model_type="bpe", vocab_size=vocab_size, byte_fallback=True,
        add_dummy_prefix=True, remove_extra_whitespaces=False, normalization_rule_name="identity", split_digits=True,
        allow_whitespace_only_pieces=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1, character_coverage=1.0,
        num_threads=1, hard_vocab_limit=False, minloglevel=2,
    )
    return model.getvalue()


def _added_token(content: str, config: bool) -> dict:
    entry = {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    return {"__type": "AddedToken", **entry} if config else entry


def build_tokenizer(folder: Path, legacy: bool | None = None) -> int:
    """The slow LLaMA tokenizer folder LISA's merge script saves (tokenizer.save_pretrained under transformers
    4.31: tokenizer.model, added_tokens.json, special_tokens_map.json, tokenizer_config.json, written here as 4.31
    wrote them), with LISA's added tokens after the SentencePiece vocabulary. `legacy` writes a "legacy" key (4.31's
    files have none). Returns the vocabulary size (pieces + added tokens)."""
    import sentencepiece

    folder.mkdir(parents=True, exist_ok=True)
    model = train_sentencepiece()
    (folder / "tokenizer.model").write_bytes(model)
    pieces = sentencepiece.SentencePieceProcessor(model_proto=model).get_piece_size()
    added = {token: pieces + offset for offset, token in enumerate(LISA_ADDED_TOKENS)}
    (folder / "added_tokens.json").write_text(json.dumps(added, indent=2))
    special = {"bos_token": _added_token("<s>", False), "eos_token": _added_token("</s>", False), "pad_token": "<unk>", "unk_token": _added_token("<unk>", False)}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2))
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": _added_token("<s>", True),
        "clean_up_tokenization_spaces": False,
        "eos_token": _added_token("</s>", True),
        "model_max_length": 512,
        "pad_token": None,
        "sp_model_kwargs": {},
        "tokenizer_class": "LlamaTokenizer",
        "unk_token": _added_token("<unk>", True),
    }
    if legacy is not None:
        config["legacy"] = legacy
    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2))
    return pieces + len(LISA_ADDED_TOKENS)


def build_clip_tower(folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    torch.manual_seed(seed)
    config = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=224, patch_size=14, projection_dim=32)
    CLIPVisionModel(config).eval().save_pretrained(folder)
    CLIPImageProcessor().save_pretrained(folder)  # openai/clip-vit-large-patch14's values are the defaults
    return folder


def lisa_state_dict(hidden: int, vocab_size: int, clip_hidden: int, seed: int = 0) -> dict:
    """Random tensors under LISA's key names, built from transformers' LLaMA and segment_anything's SAM."""
    import torch
    from torch import nn
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    llama = LlamaForCausalLM(LlamaConfig(**tiny_llama_fields(hidden, vocab_size)))
    projector = nn.Linear(clip_hidden, hidden)
    text_hidden_fcs = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 256), nn.Dropout(0.0))
    build = importlib.import_module("segment_anything.build_sam")._build_sam  # the package's ViT recipe
    sam = build(TINY_SAM_ENCODER["embed_dim"], TINY_SAM_ENCODER["depth"], TINY_SAM_ENCODER["num_heads"], TINY_SAM_ENCODER["global_attn_indexes"])
    state = dict(llama.state_dict())  # LlavaLlamaForCausalLM keeps LLaMA's names: model.*, lm_head.*
    state.update({f"model.mm_projector.{key}": value for key, value in projector.state_dict().items()})
    state.update({f"model.text_hidden_fcs.0.{key}": value for key, value in text_hidden_fcs.state_dict().items()})
    state.update({f"model.visual_model.{key}": value for key, value in sam.state_dict().items()})
    return {key: value.detach().clone().contiguous() for key, value in state.items()}


def tiny_llama_fields(hidden: int, vocab_size: int) -> dict:
    return {
        "vocab_size": vocab_size,
        "hidden_size": hidden,
        "intermediate_size": 2 * hidden,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "hidden_act": "silu",
        "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-5,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": 0,
        "tie_word_embeddings": False,
    }


def save_sharded_bin(state: dict, folder: Path) -> None:
    """pytorch_model-0000k-of-00002.bin + pytorch_model.bin.index.json, as xinlai/LISA-7B-v1."""
    import torch

    keys = sorted(state)
    halves = [keys[: len(keys) // 2], keys[len(keys) // 2 :]]
    weight_map = {}
    for number, part in enumerate(halves, start=1):
        name = f"pytorch_model-{number:05d}-of-00002.bin"
        torch.save({key: state[key] for key in part}, folder / name)
        weight_map.update({key: name for key in part})
    total = sum(value.numel() * value.element_size() for value in state.values())
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2))


def build_tiny_lisa(folder: Path, seed: int = 0, hidden: int = 64) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    vocab_size = build_tokenizer(folder)
    tower = build_clip_tower(folder.parent / f"{folder.name}-clip-vision", seed)
    config = {
        "architectures": ["LISAForCausalLM"],
        "model_type": "llava",
        **tiny_llama_fields(hidden, vocab_size),
        "mm_vision_tower": str(tower),
        "vision_tower": str(tower),
        "mm_hidden_size": 32,
        "mm_vision_select_layer": -2,
        "mm_vision_select_feature": "patch",
        "mm_use_im_start_end": True,
        "mm_use_im_patch_token": False,
        "use_mm_proj": True,
        "image_aspect_ratio": "square",
        "out_dim": 256,
        "train_mask_decoder": True,
        "use_cache": False,
        "torch_dtype": "float32",
        "sam_image_encoder": TINY_SAM_ENCODER,
        "random_weights": True,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    save_sharded_bin(lisa_state_dict(hidden, vocab_size, 32, seed), folder)
    return folder
