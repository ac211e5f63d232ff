"""The `lisa` adapter: LISA (dvlab-research/LISA) end to end, one sample at a time as upstream.

Settings (--set key=value):
  size=7b|13b           default checkpoint xinlai/LISA-7B-v1 or xinlai/LISA-13B-llama2-v1 (--checkpoint wins)
  revision=REV          hub revision of the checkpoint
  vision_tower=ID|DIR   the CLIP tower, default the checkpoint's mm_vision_tower (openai/clip-vit-large-patch14)
  mode=generate         chat.py: greedy generation, the [SEG] of the generated answer drives SAM (default)
  mode=teacher_forced   the published validation (train_ds.py --eval_only): the answer "[SEG]." is given, one pass
  question=auto|sentence|phrase   the question template; auto follows each sample's is_sentence (ValDataset)
  max_new_tokens=512    chat.py's value
  dtype=bfloat16|float32|float16   LLM-side dtype; default bfloat16 on CUDA (LISA's default), float32 on CPU
  sam_dtype=bfloat16|float32|float16   SAM's dtype; default bfloat16 on every device: chat.py runs the whole model,
                        SAM included, in bf16 (--precision bf16 default, chat.py:23-29, :126-127)
Other keys are ignored, as by the other adapters.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from wisebench.adapters.base import Adapter, ModelOptions
from wisebench.adapters.prediction import Prediction, TokenCounts
from wisebench.data.sample import Sample
from baselines.lisa.prompts import QUESTION_FORMS
from wisebench.errors import WeightsNotFoundError, WisebenchError

CHECKPOINTS = {"7b": "xinlai/LISA-7B-v1", "13b": "xinlai/LISA-13B-llama2-v1"}
MODES = ("generate", "teacher_forced")
DTYPES = ("bfloat16", "float32", "float16")
DEFAULT_SAM_DTYPE = "bfloat16"  # chat.py's default precision; the published validation (train_ds.py) is bf16 too
DEFAULT_MAX_NEW_TOKENS = 512  # chat.py


def resolve_vision_tower(tower: str) -> Path:
    """The CLIP tower folder. LISA checkpoints do not contain it (chat.py loads config.mm_vision_tower from the hub),
    so offline it is the second thing that can be missing; its setting is --set vision_tower=DIR."""
    from wisebench.hub import hf_hub_cache
    from wisebench.reasoner.weights import resolve_checkpoint

    try:
        return resolve_checkpoint(tower, None, what="LISA's CLIP vision tower")
    except WeightsNotFoundError:
        if Path(tower).expanduser().is_dir() or tower.count("/") != 1:
            raise  # a local folder with a problem, or not a hub id: resolve_checkpoint's message says which
        raise WeightsNotFoundError(
            f"LISA's CLIP vision tower {tower!r} (config.json mm_vision_tower; not part of LISA checkpoints) is not "
            f"available: not in the Hugging Face cache ({hf_hub_cache()}) and the hub cannot be reached. Download it "
            f"where you have network (huggingface-cli download {tower} --local-dir DIR) and pass --set vision_tower=DIR, "
            "or set HF_HOME to a cache that holds it."
        ) from None


def _dtype_setting(settings: dict[str, Any], key: str, default: str) -> str:
    value = str(settings.get(key, default))
    if value not in DTYPES:
        raise WisebenchError(f"lisa: unknown {key} {value!r}; use --set {key}=" + "|".join(DTYPES))
    return value


class LisaAdapter(Adapter):
    name = "lisa"
    default_checkpoint = CHECKPOINTS["7b"]

    @classmethod
    def known_settings(cls) -> tuple[str, ...]:
        return ("size", "mode", "question", "revision", "max_new_tokens", "dtype", "sam_dtype", "vision_tower")

    def __init__(self, options: ModelOptions):
        super().__init__(options)
        try:
            import segment_anything  # noqa: F401  (SAM's modules)
            import sentencepiece  # noqa: F401  (LISA's slow LLaMA tokenizer)
            import torch
        except ImportError as error:
            raise WisebenchError(f"the lisa adapter needs torch, transformers, sentencepiece and segment-anything ({error.name or error} is missing): pip install 'wisebench[lisa]'") from error
        from baselines.lisa.checkpoint import LisaConfig
        from baselines.lisa.model import LisaModel
        from baselines.lisa.preprocess import ClipPreprocessing
        from baselines.lisa.tokenizer import LisaTokenizer
        from wisebench.reasoner.backends.hf_backend import pick_device
        from wisebench.reasoner.weights import checkpoint_fingerprint, loading_checkpoint, resolve_checkpoint

        settings = options.settings
        self.size = str(settings.get("size", "7b")).lower().removeprefix("lisa-")
        if self.size not in CHECKPOINTS:
            raise WisebenchError(f"lisa: unknown size {settings.get('size')!r}; use --set size=7b or --set size=13b")
        self.mode = str(settings.get("mode", "generate"))
        if self.mode not in MODES:
            raise WisebenchError(f"lisa: unknown mode {self.mode!r}; use one of {', '.join(MODES)}")
        self.question_form = str(settings.get("question", "auto"))
        if self.question_form not in QUESTION_FORMS:
            raise WisebenchError(f"lisa: unknown question={self.question_form!r}; use one of {', '.join(QUESTION_FORMS)}")
        self.checkpoint = options.checkpoint or CHECKPOINTS[self.size]
        self.revision = settings.get("revision")
        self.max_new_tokens = int(settings.get("max_new_tokens", DEFAULT_MAX_NEW_TOKENS))
        self.device = pick_device(options.device)
        default_dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
        self.dtype = getattr(torch, _dtype_setting(settings, "dtype", default_dtype))
        self.sam_dtype = getattr(torch, _dtype_setting(settings, "sam_dtype", DEFAULT_SAM_DTYPE))

        folder = resolve_checkpoint(self.checkpoint, self.revision, what="LISA")
        self.config = LisaConfig.from_folder(folder)
        self.vision_tower = str(settings.get("vision_tower") or self.config.vision_tower)
        tower_folder = resolve_vision_tower(self.vision_tower)
        self.fingerprint = checkpoint_fingerprint(folder, self.checkpoint, self.revision)

        with loading_checkpoint(folder, "LISA"):
            self.tokenizer = LisaTokenizer.from_folder(folder)  # use_fast=False, as train_ds.py:124 / chat.py:76
        seg_ids = self.tokenizer.encode("[SEG]", add_special_tokens=False)  # chat.py:79 seg_token_idx
        if len(seg_ids) != 1:
            raise WisebenchError(f"{folder}: the tokenizer has no [SEG] token ('[SEG]' -> {seg_ids}); not a LISA checkpoint")
        self.seg_token_id = seg_ids[0]
        self.eos_token_id = self.tokenizer.eos_token_id
        # chat.py sets pad = unk; any id works for a batch of one
        self.pad_token_id = self.tokenizer.unk_token_id if self.tokenizer.unk_token_id is not None else self.eos_token_id
        self.clip_preprocessing = ClipPreprocessing.from_folder(tower_folder)
        self.model = LisaModel.load(folder, tower_folder, self.device, self.dtype, self.sam_dtype)

    # what the model is asked ------------------------------------------------------------------------------------

    def prompt_text(self, sample: Sample) -> str:
        from baselines.lisa.prompts import TEACHER_FORCED_ANSWER, conversation, question

        answer = TEACHER_FORCED_ANSWER if self.mode == "teacher_forced" else None
        return conversation(question(sample.query, sample.is_sentence, self.question_form), answer, self.config.image_start_end)

    def describe(self) -> dict[str, Any]:
        from baselines.lisa.prompts import LLAVA_V1_SYSTEM, prompt_templates

        templates = prompt_templates(self.config.image_start_end)
        return {
            "adapter": self.name,
            "checkpoint": self.checkpoint,
            "revision": self.revision,
            "size": self.size,
            "weights": self.fingerprint,
            "vision_tower": self.vision_tower,
            "conversation": {"template": "llava_v1", "system": LLAVA_V1_SYSTEM},
            "prompt_template": f"sentence: {templates['sentence']}\nphrase: {templates['phrase']}",
            "prompt_templates": templates,
            "mode": self.mode,
            "question": self.question_form,
            # Shown on the board beside the segmenter: generate and teacher-forced LISA rows must never look alike.
            "backend": f"transformers ({self.mode.replace('_', '-')})",
            "generation": {"do_sample": False, "num_beams": 1, "max_new_tokens": self.max_new_tokens} if self.mode == "generate" else None,
            "dtype": str(self.dtype).replace("torch.", ""),
            "tokenizer": self.tokenizer.describe(),
            "segmenter": {"name": "sam-vit-h (LISA's own, in the checkpoint)", "dtype": str(self.sam_dtype).replace("torch.", ""), "multimask_output": False},
            "random_weights": self.config.random_weights,
        }

    # inference --------------------------------------------------------------------------------------------------

    def predict(self, samples: list[Sample]) -> list[Prediction]:
        return [self._predict_one(sample) for sample in samples]

    def _predict_one(self, sample: Sample) -> Prediction:
        import torch

        from baselines.lisa.preprocess import clip_pixels
        from baselines.lisa.prompts import IMAGE_PLACEHOLDER_ID, seg_predicting_positions, tokenize_with_image
        from wisebench.reasoner.backends.hf_backend import synchronize

        image = sample.load_image()
        synchronize()
        start = time.perf_counter()
        ids = tokenize_with_image(self.prompt_text(sample), self.tokenizer)
        with torch.inference_mode():
            features = self.model.image_features(clip_pixels(image, self.clip_preprocessing))
            embeddings = self.model.prompt_embeddings(ids, features)
            if self.mode == "generate":
                generated = self.model.generate(embeddings, self.max_new_tokens, self.eos_token_id, self.pad_token_id)
                seg_states = [state for token, state in zip(generated.token_ids, generated.predicting_states) if token == self.seg_token_id]
                raw_text = self.tokenizer.decode(generated.token_ids, skip_special_tokens=True)
                tokens = TokenCounts(prompt=int(embeddings.shape[1]), reasoning=0, generated=len(generated.token_ids))
                finish_reason: str | None = "stop" if generated.stopped else "length"
            else:
                states = self.model.sequence_states(embeddings)
                sequence = ids.before_image + [IMAGE_PLACEHOLDER_ID] * features.shape[0] + ids.after_image
                seg_states = [states[index] for index in seg_predicting_positions(sequence, self.seg_token_id)]
                raw_text, finish_reason = "[SEG].", None
                tokens = TokenCounts(prompt=int(embeddings.shape[1]), reasoning=0, generated=0)
            synchronize()
            reasoner_seconds = time.perf_counter() - start
            seconds = {"reasoner": reasoner_seconds}
            extra = {"mode": self.mode, "seg_tokens": len(seg_states)}
            if not seg_states:
                seconds["total"] = reasoner_seconds
                return Prediction(mask=None, failure="no_seg_token", raw_text=raw_text, answer_text=raw_text, tokens=tokens, finish_reason=finish_reason, seconds=seconds, extra=extra)
            segment_start = time.perf_counter()
            mask = self.model.segment(image, seg_states[0])  # chat.py keeps the first [SEG]'s mask
            synchronize()
        end = time.perf_counter()
        seconds.update(segmenter=end - segment_start, total=end - start)
        return Prediction(mask=mask, raw_text=raw_text, answer_text=raw_text, tokens=tokens, finish_reason=finish_reason, seconds=seconds, extra=extra)

    def close(self) -> None:
        import torch

        del self.model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
