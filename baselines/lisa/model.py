"""LISA rebuilt from transformers and segment-anything building blocks, loaded from the released checkpoint.

Pieces (dvlab-research/LISA, commit 3cb2d43, model/LISA.py and model/llava/*):
- CLIP ViT-L/14 vision tower (transformers CLIPVisionModel): hidden state of layer mm_vision_select_layer (-2),
  CLS dropped -> 256 patch features (clip_encoder.py feature_select "patch");
- mm_projector: Linear(1024, hidden) (llava_arch.py), the patch features replace the one <image> placeholder;
- LLaMA causal LM (transformers LlamaForCausalLM);
- text_hidden_fcs[0]: Linear(hidden, hidden) -> ReLU -> Linear(hidden, 256);
- SAM ViT-H (segment_anything): image encoder, prompt encoder, mask decoder. LISA's prompt encoder takes the
  projected [SEG] state as the only sparse prompt (text_embeds concatenated to an empty point/box set) with the
  no-mask dense embedding; mask decoder with multimask_output=False; Sam.postprocess_masks to the original size.

Which hidden state drives SAM: LISA.evaluate / model_forward select `output_ids[:, 1:] == seg_token_idx` shifted by
255 image positions, i.e. the last-layer (post-norm) hidden state at the position *before* each [SEG]: the state
whose next-token prediction is [SEG]. With a KV cache that is, for generated token s, the last position of
generation step s. chat.py keeps the first [SEG]'s mask.

dtypes: the LLM side in the adapter's dtype (bfloat16 on CUDA, as LISA's --precision bf16 default); SAM in its own
sam_dtype, bfloat16 by default as chat.py:126-127 (model.bfloat16(): SAM included). LISA's copy of segment_anything
differs from the package in three dtype lines, reproduced here: the random positional encoding is computed in the
Gaussian matrix's dtype (model/segment_anything/modeling/prompt_encoder.py:208-209, :220-222; the package uses
float32 and cannot multiply by a bf16 matrix), the mask logits are upscaled in float32
(modeling/sam.py:159-171, masks.float()), and the sparse prompt is cast to the [SEG] embedding's dtype
(model/LISA.py:412). The fp16-only float32 autocast around the image encoder's neck (image_encoder.py:118-124) is not
reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
from torch import nn

from baselines.lisa.checkpoint import CheckpointLayoutError, LisaConfig, map_state_dict, read_state_dict
from baselines.lisa.preprocess import SAM_IMAGE_SIZE, sam_pixels
from baselines.lisa.prompts import PromptIds
from wisebench.reasoner.weights import loading_checkpoint

SAM_PROMPT_DIM = 256
SAM_PATCH_SIZE = 16


def build_sam(image_encoder: dict) -> nn.Module:
    """segment_anything's Sam with LISA's build_sam_vit_h settings; `image_encoder` picks the ViT size."""
    from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

    grid = SAM_IMAGE_SIZE // SAM_PATCH_SIZE
    return Sam(
        image_encoder=ImageEncoderViT(
            depth=image_encoder["depth"],
            embed_dim=image_encoder["embed_dim"],
            img_size=SAM_IMAGE_SIZE,
            mlp_ratio=4,
            norm_layer=partial(nn.LayerNorm, eps=1e-6),
            num_heads=image_encoder["num_heads"],
            patch_size=SAM_PATCH_SIZE,
            qkv_bias=True,
            use_rel_pos=True,
            global_attn_indexes=tuple(image_encoder["global_attn_indexes"]),
            window_size=14,
            out_chans=SAM_PROMPT_DIM,
        ),
        prompt_encoder=PromptEncoder(
            embed_dim=SAM_PROMPT_DIM, image_embedding_size=(grid, grid), input_image_size=(SAM_IMAGE_SIZE, SAM_IMAGE_SIZE), mask_in_chans=16
        ),
        mask_decoder=MaskDecoder(
            num_multimask_outputs=3,
            transformer=TwoWayTransformer(depth=2, embedding_dim=SAM_PROMPT_DIM, mlp_dim=2048, num_heads=8),
            transformer_dim=SAM_PROMPT_DIM,
            iou_head_depth=3,
            iou_head_hidden_dim=256,
        ),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )


def build_projector(config: LisaConfig) -> nn.Module:
    hidden = config.hidden_size
    if config.projector_type == "linear":
        return nn.Linear(config.mm_hidden_size, hidden)
    if config.projector_type == "mlp2x_gelu":  # LLaVA-1.5: keys mm_projector.0.* and mm_projector.2.*
        return nn.Sequential(nn.Linear(config.mm_hidden_size, hidden), nn.GELU(), nn.Linear(hidden, hidden))
    raise CheckpointLayoutError(f"mm_projector_type {config.projector_type!r} is not supported (linear, mlp2x_gelu)")


@dataclass
class Generated:
    token_ids: list[int]
    predicting_states: torch.Tensor  # (n, hidden): row s = the last-layer state that predicted token_ids[s]
    stopped: bool  # ended on EOS (else max_new_tokens)


class LisaModel(nn.Module):
    """Everything but the CLIP tower is loaded from the LISA checkpoint; the tower is attached separately."""

    def __init__(self, config: LisaConfig):
        super().__init__()
        from transformers import LlamaForCausalLM

        self.config = config
        self.image_projector = build_projector(config)
        self.language_model = LlamaForCausalLM(config.llama_config())
        hidden = config.hidden_size
        self.text_projection = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, config.out_dim))
        self.sam = build_sam(config.sam_image_encoder)
        self.vision_tower: nn.Module | None = None

    # loading ---------------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path, tower_folder: Path, device: str, dtype: torch.dtype, sam_dtype: torch.dtype = torch.bfloat16) -> "LisaModel":
        """Build on the meta device (no 7B random init), take the checkpoint tensors by strict name mapping,
        recompute the non-persistent buffers, attach the CLIP tower."""
        from transformers import CLIPVisionModel

        config = LisaConfig.from_folder(folder)
        with torch.device("meta"):
            model = cls(config)
        expected = {key: tuple(value.shape) for key, value in model.state_dict().items()}
        model.load_state_dict(map_state_dict(read_state_dict(folder), expected), strict=True, assign=True)
        model._rebuild_derived_buffers()
        with loading_checkpoint(tower_folder, "LISA's CLIP vision tower"):
            tower = CLIPVisionModel.from_pretrained(tower_folder).to(dtype)
        if tower.config.hidden_size != config.mm_hidden_size:
            raise CheckpointLayoutError(f"vision tower {tower_folder} has hidden size {tower.config.hidden_size}, the checkpoint's mm_hidden_size is {config.mm_hidden_size}")
        model.vision_tower = tower
        model.sam.to(sam_dtype)
        for part in (model.image_projector, model.language_model, model.text_projection):
            part.to(dtype)
        return model.to(device).eval()

    def _rebuild_derived_buffers(self) -> None:
        """Non-persistent buffers are not in checkpoints: after a meta-device build they must be recomputed."""
        rotary = self.language_model.model.rotary_emb
        self.language_model.model.rotary_emb = type(rotary)(config=self.language_model.config)
        mean, std = self.sam.pixel_mean, self.sam.pixel_std
        self.sam.register_buffer("pixel_mean", torch.tensor([123.675, 116.28, 103.53]).view(-1, 1, 1), False)
        self.sam.register_buffer("pixel_std", torch.tensor([58.395, 57.12, 57.375]).view(-1, 1, 1), False)
        assert mean.shape == self.sam.pixel_mean.shape and std.shape == self.sam.pixel_std.shape
        left = [name for name, tensor in [*self.named_parameters(), *self.named_buffers()] if tensor.is_meta]
        if left:
            raise CheckpointLayoutError(f"tensors neither in the checkpoint nor derivable: {', '.join(left[:12])}")

    @property
    def llm_dtype(self) -> torch.dtype:
        return self.language_model.model.embed_tokens.weight.dtype

    # language side ---------------------------------------------------------------------------------------------

    def image_features(self, clip_pixels: np.ndarray) -> torch.Tensor:
        """(n_patches, hidden): CLIP layer mm_vision_select_layer without CLS, projected into the LLM."""
        pixels = torch.from_numpy(clip_pixels).unsqueeze(0).to(self.image_projector_device, self.llm_dtype)
        output = self.vision_tower(pixels, output_hidden_states=True)
        patches = output.hidden_states[self.config.vision_select_layer][:, 1:]
        return self.image_projector(patches.to(self.llm_dtype))[0]

    @property
    def sam_dtype(self) -> torch.dtype:
        return self.sam.mask_decoder.iou_token.weight.dtype

    @property
    def image_projector_device(self) -> torch.device:
        return next(self.image_projector.parameters()).device

    def prompt_embeddings(self, ids: PromptIds, image_features: torch.Tensor) -> torch.Tensor:
        """(1, L, hidden): text before the image, the image patches, text after."""
        embed = self.language_model.get_input_embeddings()
        device = image_features.device

        def text(token_ids: list[int]) -> torch.Tensor:
            return embed(torch.tensor(token_ids, dtype=torch.long, device=device))

        return torch.cat([text(ids.before_image), image_features, text(ids.after_image)], dim=0).unsqueeze(0)

    def generate(self, embeddings: torch.Tensor, max_new_tokens: int, eos_token_id: int, pad_token_id: int) -> Generated:
        """Greedy decoding (LISA.evaluate: num_beams 1, no sampling) from the prompt embeddings."""
        attention = torch.ones(embeddings.shape[:2], dtype=torch.long, device=embeddings.device)
        output = self.language_model.generate(
            inputs_embeds=embeddings,
            attention_mask=attention,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            num_beams=1,
            temperature=None,
            top_p=None,
            top_k=None,
            eos_token_id=eos_token_id,
            pad_token_id=pad_token_id,
            output_hidden_states=True,
            return_dict_in_generate=True,
        )
        token_ids = output.sequences[0].tolist()  # inputs_embeds only: the sequences are the new tokens
        states = torch.stack([step[-1][0, -1] for step in output.hidden_states])[: len(token_ids)]
        stopped = bool(token_ids) and token_ids[-1] == eos_token_id
        return Generated(token_ids=token_ids, predicting_states=states, stopped=stopped)

    def sequence_states(self, embeddings: torch.Tensor) -> torch.Tensor:
        """(L, hidden) last-layer post-norm states of a whole given sequence (teacher forcing, one pass)."""
        return self.language_model.model(inputs_embeds=embeddings).last_hidden_state[0]

    # mask side -------------------------------------------------------------------------------------------------

    def segment(self, image: np.ndarray, seg_state: torch.Tensor) -> np.ndarray:
        """Boolean H x W mask at the original size from one [SEG]-predicting hidden state."""
        sam_dtype = self.sam_dtype
        prompt = self.text_projection(seg_state.to(self.llm_dtype)).view(1, 1, -1)
        pixels, resized_size = sam_pixels(image, prompt.device, sam_dtype)
        image_embedding = self.sam.image_encoder(pixels)
        sparse, dense = self.sam.prompt_encoder(points=None, boxes=None, masks=None)
        # LISA's text_embeds: the only sparse prompt; cast as LISA.py:412 (to SAM's dtype where the two differ)
        sparse = torch.cat([sparse.to(prompt.device, sam_dtype), prompt.to(sam_dtype)], dim=1)
        low_res, _ = self.sam.mask_decoder(
            image_embeddings=image_embedding,
            image_pe=dense_positional_encoding(self.sam.prompt_encoder),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=False,
        )
        logits = self.sam.postprocess_masks(low_res.float(), input_size=resized_size, original_size=image.shape[:2])
        return (logits[0, 0] > 0).cpu().numpy()


def dense_positional_encoding(prompt_encoder: nn.Module) -> torch.Tensor:
    """PromptEncoder.get_dense_pe() as LISA's copy computes it: the grid in the Gaussian matrix's dtype
    (prompt_encoder.py:216-229 there), so bf16 SAM works; in float32 it equals the package's."""
    layer = prompt_encoder.pe_layer
    matrix = layer.positional_encoding_gaussian_matrix
    height, width = prompt_encoder.image_embedding_size
    grid = torch.ones((height, width), device=matrix.device, dtype=matrix.dtype)
    y_embed = (grid.cumsum(dim=0) - 0.5) / height
    x_embed = (grid.cumsum(dim=1) - 0.5) / width
    encoding = layer._pe_encoding(torch.stack([x_embed, y_embed], dim=-1))  # segment_anything's own sin/cos map
    return encoding.permute(2, 0, 1).unsqueeze(0)
