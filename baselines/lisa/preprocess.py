"""The two views of one image LISA feeds its two encoders.

CLIP (the LLM's eyes), as chat.py / utils/dataset.py ValDataset in dvlab-research/LISA do it: the vision tower's
CLIPImageProcessor.preprocess on the RGB image, no padding to a square (model/LISA.py LisaModel forces
image_aspect_ratio "square"): shortest edge to 224 with PIL bicubic, centre crop 224, /255, CLIP mean/std. Written
out here with PIL (transformers 4.31's processor path) so a transformers upgrade cannot move the pixels.

SAM (the mask decoder's image): segment_anything's ResizeLongestSide(1024) (long side 1024, PIL bilinear via
torchvision), then Sam.preprocess: (x - mean) / std with mean 123.675, 116.28, 103.53 and std 58.395, 57.12,
57.375, zero-padded at the bottom/right to 1024 x 1024 (LISA chat.py `preprocess`, identical to Sam.preprocess), in
float32, then cast to SAM's dtype.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAM_IMAGE_SIZE = 1024
SAM_PIXEL_MEAN = (123.675, 116.28, 103.53)  # chat.py:51-52, Sam's defaults
SAM_PIXEL_STD = (58.395, 57.12, 57.375)


@dataclass(frozen=True)
class ClipPreprocessing:
    """openai/clip-vit-large-patch14's preprocessor_config.json values (the defaults)."""

    shortest_edge: int = 224
    crop_size: int = 224
    mean: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
    std: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)

    @classmethod
    def from_folder(cls, folder: Path) -> "ClipPreprocessing":
        """Read the tower's preprocessor_config.json where it has one."""
        path = folder / "preprocessor_config.json"
        if not path.exists():
            return cls()
        config = json.loads(path.read_text())
        size, crop = config.get("size", 224), config.get("crop_size", 224)
        return cls(
            shortest_edge=int(size.get("shortest_edge", 224) if isinstance(size, dict) else size),
            crop_size=int(crop.get("height", 224) if isinstance(crop, dict) else crop),
            mean=tuple(config.get("image_mean", cls.mean)),
            std=tuple(config.get("image_std", cls.std)),
        )


def clip_pixels(image: np.ndarray, settings: ClipPreprocessing) -> np.ndarray:
    """RGB uint8 H x W x 3 -> float32 3 x crop x crop."""
    from PIL import Image

    height, width = image.shape[:2]
    short, long = (width, height) if width <= height else (height, width)
    if short != settings.shortest_edge:  # transformers' get_resize_output_image_size(default_to_square=False)
        new_short, new_long = settings.shortest_edge, int(settings.shortest_edge * long / short)
        height, width = (new_long, new_short) if width <= height else (new_short, new_long)
    resized = np.asarray(Image.fromarray(image).resize((width, height), Image.BICUBIC), dtype=np.float32)
    top, left = (height - settings.crop_size) // 2, (width - settings.crop_size) // 2
    cropped = resized[top : top + settings.crop_size, left : left + settings.crop_size]
    normalized = (cropped / 255.0 - np.asarray(settings.mean, dtype=np.float32)) / np.asarray(settings.std, dtype=np.float32)
    return np.ascontiguousarray(normalized.transpose(2, 0, 1), dtype=np.float32)


def sam_resized(image: np.ndarray) -> np.ndarray:
    """Long side to 1024 (ResizeLongestSide.apply_image); uint8 h x w x 3."""
    from segment_anything.utils.transforms import ResizeLongestSide

    return ResizeLongestSide(SAM_IMAGE_SIZE).apply_image(image)


def sam_pixels(image: np.ndarray, device: "object", dtype: "object") -> tuple["object", tuple[int, int]]:
    """RGB uint8 -> (normalized, padded 1 x 3 x 1024 x 1024 tensor in `dtype`, the (h, w) before padding).
    Normalized in float32 and cast afterwards, as chat.py:196-206 (preprocess, then .bfloat16()): normalizing in bf16
    would round the inputs differently."""
    import torch
    import torch.nn.functional as functional

    resized = sam_resized(image)
    height, width = resized.shape[:2]
    pixels = torch.from_numpy(resized).permute(2, 0, 1).contiguous().to(device=device, dtype=torch.float32)
    mean = torch.tensor(SAM_PIXEL_MEAN, device=device).view(-1, 1, 1)
    std = torch.tensor(SAM_PIXEL_STD, device=device).view(-1, 1, 1)
    padded = functional.pad((pixels - mean) / std, (0, SAM_IMAGE_SIZE - width, 0, SAM_IMAGE_SIZE - height))
    return padded.unsqueeze(0).to(dtype), (height, width)
