"""LISA's released checkpoint layout: its config.json, its weight files and the mapping of its parameter names onto
the modules this package builds. A key the mapping does not place, or a module parameter no key fills, is an error
that names them: no weight is ever silently left random.

Facts from dvlab-research/LISA (commit 3cb2d43):
- model/LISA.py LISAForCausalLM(LlavaLlamaForCausalLM): `model` is LlamaModel + LlavaMetaModel
  (model/llava/model/llava_arch.py: `vision_tower`, `mm_projector` = nn.Linear(mm_hidden_size, hidden_size)) +
  LisaMetaModel (`visual_model` = SAM ViT-H built by model/segment_anything/build_sam.py, and
  `text_hidden_fcs` = ModuleList([Sequential(Linear(hidden, hidden), ReLU, Linear(hidden, out_dim), Dropout(0))])),
  plus `lm_head`. So the keys are model.embed_tokens.*, model.layers.N.*, model.norm.*, lm_head.*,
  model.mm_projector.*, model.visual_model.{image_encoder,prompt_encoder,mask_decoder}.*, model.text_hidden_fcs.0.{0,2}.*.
- merge_lora_weights_and_save_hf_model.py saves every key except those containing "vision_tower": the CLIP tower is
  not in the checkpoint; chat.py / train_ds.py load it from config.mm_vision_tower (openai/clip-vit-large-patch14)
  through initialize_vision_modules. Keys under model.vision_tower., if a checkpoint has them, are ignored, as there.
- config.json (a LlavaConfig, model_type "llava", architectures ["LISAForCausalLM"]): the LLaMA fields plus
  mm_vision_tower / vision_tower, mm_hidden_size 1024, mm_vision_select_layer -2, mm_vision_select_feature "patch",
  mm_use_im_start_end true, out_dim 256, train_mask_decoder, use_cache false. xinlai/LISA-7B-v1 ships
  pytorch_model-0000{1,2}-of-00002.bin (+ index).
SAM's image encoder is always ViT-H upstream; config key "sam_image_encoder" (a wisebench extension, absent from the
released configs) lets tests build a tiny one of the same class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wisebench.errors import WeightsNotFoundError, WisebenchError

# checkpoint prefix -> module prefix, first match wins ("model." last: it is the LLaMA trunk's own prefix too)
KEY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("lm_head.", "language_model.lm_head."),
    ("model.mm_projector.", "image_projector."),
    ("model.text_hidden_fcs.0.", "text_projection."),
    ("model.visual_model.", "sam."),
    ("model.", "language_model.model."),
)
# Keys deliberately not loaded, with the reason (recorded in the error message tests read).
IGNORED_PREFIXES = ("model.vision_tower.",)  # the tower comes from mm_vision_tower, as upstream
IGNORED_SUFFIXES = (".rotary_emb.inv_freq",)  # older transformers saved this buffer; it is recomputed from config

VIT_H = {"embed_dim": 1280, "depth": 32, "num_heads": 16, "global_attn_indexes": [7, 15, 23, 31]}
LLAMA_FIELDS = (
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
    "hidden_act", "max_position_embeddings", "rms_norm_eps", "rope_theta", "rope_scaling", "pretraining_tp",
    "bos_token_id", "eos_token_id", "pad_token_id", "initializer_range",
)


class CheckpointLayoutError(WisebenchError):
    """The weight files do not match LISA's layout (missing, unexpected or misshapen keys)."""


@dataclass(frozen=True)
class LisaConfig:
    raw: dict[str, Any]
    vision_tower: str
    vision_select_layer: int = -2
    mm_hidden_size: int = 1024
    image_start_end: bool = True
    projector_type: str = "linear"  # LLaVA-1.5-based variants use "mlp2x_gelu"
    out_dim: int = 256
    sam_image_encoder: dict[str, Any] = field(default_factory=lambda: dict(VIT_H))
    random_weights: bool = False

    @classmethod
    def from_folder(cls, folder: Path) -> "LisaConfig":
        raw = json.loads((folder / "config.json").read_text())
        tower = raw.get("mm_vision_tower") or raw.get("vision_tower")
        if not tower:
            raise CheckpointLayoutError(f"{folder / 'config.json'} names no vision tower (mm_vision_tower): not a LISA checkpoint")
        if raw.get("mm_vision_select_feature", "patch") != "patch":
            raise CheckpointLayoutError(f"mm_vision_select_feature {raw['mm_vision_select_feature']!r} is not supported (LISA uses 'patch')")
        return cls(
            raw=raw,
            vision_tower=str(tower),
            vision_select_layer=int(raw.get("mm_vision_select_layer", -2)),
            mm_hidden_size=int(raw.get("mm_hidden_size", 1024)),
            image_start_end=bool(raw.get("mm_use_im_start_end", True)),
            projector_type=str(raw.get("mm_projector_type") or "linear"),
            out_dim=int(raw.get("out_dim", 256)),
            sam_image_encoder={**VIT_H, **raw.get("sam_image_encoder", {})},
            random_weights=bool(raw.get("random_weights", False)),
        )

    def llama_config(self):
        from transformers import LlamaConfig

        fields = {key: self.raw[key] for key in LLAMA_FIELDS if self.raw.get(key) is not None}
        return LlamaConfig(**fields, tie_word_embeddings=bool(self.raw.get("tie_word_embeddings", False)))

    @property
    def hidden_size(self) -> int:
        return int(self.raw["hidden_size"])


def weight_files(folder: Path) -> list[Path]:
    """The shards an index names, else the single safetensors / bin file."""
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index = folder / index_name
        if index.exists():
            names = sorted(set(json.loads(index.read_text())["weight_map"].values()))
            missing = [name for name in names if not (folder / name).exists()]
            if missing:
                raise WeightsNotFoundError(f"{folder}: {index_name} names shards that are not there: {', '.join(missing)}")
            return [folder / name for name in names]
    for single in ("model.safetensors", "pytorch_model.bin"):
        if (folder / single).exists():
            return [folder / single]
    raise WeightsNotFoundError(f"{folder} holds no LISA weights (model.safetensors or pytorch_model*.bin, with an index when sharded)")


def read_state_dict(folder: Path) -> dict[str, Any]:
    """All tensors of the checkpoint, on CPU, with their stored names and dtypes."""
    import torch

    state: dict[str, Any] = {}
    for path in weight_files(folder):
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state.update(load_file(str(path)))
            continue
        try:  # weights_only: a .bin is a pickle; never run code from a downloaded file
            state.update(torch.load(path, map_location="cpu", weights_only=True, mmap=True))
        except RuntimeError:  # pre-zipfile torch.save format cannot be memory-mapped
            state.update(torch.load(path, map_location="cpu", weights_only=True))
    return state


def is_ignored(key: str) -> bool:
    return key.startswith(IGNORED_PREFIXES) or key.endswith(IGNORED_SUFFIXES)


def module_key(checkpoint_key: str) -> str | None:
    """Where a checkpoint key goes in LisaModel; None when no rule places it."""
    for source, target in KEY_PREFIXES:
        if checkpoint_key.startswith(source):
            return target + checkpoint_key[len(source) :]
    return None


def checkpoint_key(module_key: str) -> str:
    """The LISA name a module key is loaded from (for messages about missing keys)."""
    for source, target in KEY_PREFIXES:
        if module_key.startswith(target):
            return source + module_key[len(target) :]
    return module_key


def _names(keys: list[str], limit: int = 12) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" ... and {len(keys) - limit} more" if len(keys) > limit else "")


def map_state_dict(state: dict[str, Any], expected: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """Rename `state` (LISA's keys) to module keys. `expected` = module key -> shape, every parameter and
    persistent buffer the modules have. Raises CheckpointLayoutError naming each unexpected, missing or
    misshapen key."""
    mapped: dict[str, Any] = {}
    unexpected: list[str] = []
    for key in sorted(state):
        if is_ignored(key):
            continue
        target = module_key(key)
        if target is None or target not in expected:
            unexpected.append(key)
        else:
            mapped[target] = state[key]
    missing = sorted(checkpoint_key(key) for key in expected if key not in mapped)
    misshapen = [
        f"{checkpoint_key(key)} {tuple(mapped[key].shape)} vs {tuple(expected[key])}" for key in sorted(mapped) if tuple(mapped[key].shape) != tuple(expected[key])
    ]
    problems = []
    if unexpected:
        problems.append(f"unexpected keys (no module takes them): {_names(unexpected)}")
    if missing:
        problems.append(f"missing keys (parameters the checkpoint lacks): {_names(missing)}")
    if misshapen:
        problems.append(f"shape mismatches (checkpoint vs module): {_names(misshapen)}")
    if problems:
        raise CheckpointLayoutError("the weights do not match LISA's checkpoint layout: " + "; ".join(problems))
    return mapped
