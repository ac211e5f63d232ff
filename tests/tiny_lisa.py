"""A tiny random LISA saved in the released checkpoint layout (xinlai/LISA-7B-v1), for CPU tests.

What matches the release: config.json fields (model_type "llava", LISAForCausalLM, mm_* fields, out_dim), the
state-dict key names (model.layers.*, lm_head, model.mm_projector, model.text_hidden_fcs.0.{0,2},
model.visual_model.{image_encoder,prompt_encoder,mask_decoder}), sharded pytorch_model-0000k-of-00002.bin + index,
no vision-tower keys (the CLIP tower is a separate folder named by mm_vision_tower), and a LLaMA-style tokenizer
(<unk>/<s>/</s> = 0/1/2, BOS added) with [SEG] as a plain added token and <im_start>/<im_end> as special ones
(LISA train_ds.py). What is tiny: LLaMA 2 x 64, CLIP 2 x 32 (224 px, patch 14: still 256 patches), SAM's image
encoder 2 x 32 (the prompt encoder and mask decoder keep SAM's real sizes). The SAM modules come from
segment_anything's own builder, so the layout does not depend on the adapter's code. "random_weights": true marks it.
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


def build_tokenizer(folder: Path):
    """A BPE tokenizer trained on a few sentences, Llama-style special tokens, LISA's added tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first")
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first")
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<unk>", "<s>", "</s>"], initial_alphabet=list(CORPUS[-1]) + ["▁"])
    backend.train_from_iterator(CORPUS, trainer)
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    tokenizer.add_tokens("[SEG]")  # train_ds.py: tokenizer.add_tokens("[SEG]") (not special)
    tokenizer.add_tokens(["<im_start>", "<im_end>"], special_tokens=True)
    tokenizer.save_pretrained(folder)
    return tokenizer


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
    tokenizer = build_tokenizer(folder)
    tower = build_clip_tower(folder.parent / f"{folder.name}-clip-vision", seed)
    config = {
        "architectures": ["LISAForCausalLM"],
        "model_type": "llava",
        **tiny_llama_fields(hidden, len(tokenizer)),
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
    save_sharded_bin(lisa_state_dict(hidden, len(tokenizer), 32, seed), folder)
    return folder
