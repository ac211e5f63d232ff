"""Training samples for WISE GRPO: refCOCOg-style (image, query, gt box, gt points, gt mask) at a square size.

Like Seg-Zero's refCOCOg_2k_840 (dvlab-research/Seg-Zero prepare_dataset/gen_training_dataset.py resizes to
840 x 840 and keeps box and points in that frame; mrazhou/WISE verl/utils/rl_dataset.py reads them), every image is
resized to image_size x image_size, ignoring the aspect ratio, and the targets are computed in that frame: the box
is the mask's inclusive pixel extent (upstream's "<box>(x1,y1),(x2,y2)</box>" integers, scored with the +1
pixel convention), the points are the centres of the two largest inscribed circles (wisebench.data.gt_prompts).

Sources: any wisebench suite (refcoco / refcoco+ / refcocog also give their "train" split, which the evaluation
suites do not list), or a Seg-Zero-format HF dataset such as WISE's own Ricky06662/refCOCOg_2k_840 (columns image,
problem, solution = "<box>(x1,y1),(x2,y2)</box><points>(x,y),(x,y)</points>", the format mrazhou/WISE
verl/utils/reward_score/seg_restrict.py parses; it has no masks, so no mask IoU reward).

The result is a `datasets.Dataset` in the form TRL's GRPOTrainer takes for a vision-language model: a
conversational "prompt" (one user turn, image first, as at inference) and an "image" column; the targets are
extra columns that TRL hands to the reward functions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from wisebench.data.sample import Sample
from wisebench.errors import DatasetFormatError, WisebenchError
from wisebench.reasoner.backend import user_message
from wisebench.reasoner.spec import WISE_TRAINING_PIECES, ReasonerSpec
from wise.adapters import WISE
from wise.train.config import DataConfig

# The training prompt: WISE's inference spec with the training pieces (<d_think> detailed explanation last).
WISE_TRAINING = replace(WISE, name="wise-train", prompt_pieces=WISE_TRAINING_PIECES)


def load_source_samples(suite_name: str, split: str, data_dir: str | None, limit: int | None) -> list[Sample]:
    """The samples of a suite's split; refer-style suites (refcoco family) also read splits they do not evaluate."""
    from wisebench.registry import SUITES

    suite = SUITES.load(suite_name)()
    if split in suite.splits:
        samples = suite.load(split, data_dir).samples
    elif getattr(suite, "split_by", None):  # refcoco family: the refs file holds train too
        from wisebench.data.refcoco import load_refer_folder

        samples = load_refer_folder(suite.folder, suite.split_by, split, data_dir, False, suite.data_help()).samples
    else:
        raise WisebenchError(f"suite {suite_name!r} has no split {split!r}; its splits are: {', '.join(suite.splits)}")
    return samples[:limit] if limit else samples


def training_targets(gt_mask: np.ndarray) -> tuple[list[int], list[list[int]]] | None:
    """(inclusive box [x1, y1, x2, y2], two points [[x, y], [x, y]]) of the target pixels, or None if there are none.
    A region too thin for a second inscribed circle repeats the first point."""
    from wisebench.data.gt_prompts import inscribed_circle_centres

    target = gt_mask == 1
    ys, xs = np.nonzero(target)
    if len(xs) == 0:
        return None
    box = [int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())]
    centres = inscribed_circle_centres(target, 2) or [(float(xs[0]), float(ys[0]))]
    points = [[int(x), int(y)] for x, y in centres]
    return box, (points * 2)[:2]


def training_row(sample: Sample, size: int, spec: ReasonerSpec = WISE_TRAINING) -> dict[str, Any] | None:
    """One dataset row, or None when the target vanishes at this size."""
    from PIL import Image

    image = Image.fromarray(sample.load_image()).resize((size, size), Image.BILINEAR)
    gt_mask = np.asarray(Image.fromarray(sample.load_gt_mask()).resize((size, size), Image.NEAREST))
    targets = training_targets(gt_mask)
    if targets is None:
        return None
    box, points = targets
    difficulty = sample.extra.get("difficulty")
    uncertainty = sample.extra.get("uncertainty")
    return {
        "prompt": user_message(spec.prompt(sample.query)),
        "image": image,
        "sample_id": sample.sample_id,
        "query": sample.query,
        "gt_box": box,
        "gt_points": points,
        "gt_mask": Image.fromarray(gt_mask),  # 0 background, 1 target, 255 ignore; for the optional mask IoU reward
        "difficulty": float(difficulty) if difficulty is not None else None,
        "uncertainty": float(uncertainty) if uncertainty is not None else None,
    }


def suite_rows(samples: list[Sample], size: int) -> Iterator[dict[str, Any]]:
    for sample in samples:
        row = training_row(sample, size)
        if row is not None:
            yield row


SOLUTION_BOX = re.compile(r"<box>\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)</box>")
SOLUTION_POINTS = re.compile(r"<points>\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)</points>")


def segzero_rows(source: str, split: str, size: int, limit: int | None) -> Iterator[dict[str, Any]]:
    """Rows of a Seg-Zero-format HF dataset; box and points are rescaled from the image's frame to size x size."""
    from PIL import Image

    from wisebench.data.hf import HFTable, image_from_cell

    table = HFTable(source=source, split=split)
    table.require_columns(("image", "problem", "solution"))
    count = min(len(table), limit) if limit else len(table)
    for index in range(count):
        row = table.row(index)
        box, points = SOLUTION_BOX.search(row["solution"]), SOLUTION_POINTS.search(row["solution"])
        if box is None or points is None:
            raise DatasetFormatError(table.origin(index), f"solution {row['solution']!r} lacks <box>(x1,y1),(x2,y2)</box> or <points>(x,y),(x,y)</points>")
        image = Image.fromarray(image_from_cell(row["image"], table.origin(index)).load())
        scale_x, scale_y = size / image.width, size / image.height
        x1, y1, x2, y2 = (int(value) for value in box.groups())
        px1, py1, px2, py2 = (int(value) for value in points.groups())
        yield {
            "prompt": user_message(WISE_TRAINING.prompt(row["problem"])),
            "image": image.resize((size, size), Image.BILINEAR) if image.size != (size, size) else image,
            "sample_id": str(row.get("id", index)),
            "query": row["problem"],
            "gt_box": [round(x1 * scale_x), round(y1 * scale_y), round(x2 * scale_x), round(y2 * scale_y)],
            "gt_points": [[round(px1 * scale_x), round(py1 * scale_y)], [round(px2 * scale_x), round(py2 * scale_y)]],
            "gt_mask": None,
            "difficulty": None,
            "uncertainty": None,
        }


def _features():
    from datasets import Features, Image, Value

    text_part = {"type": Value("string"), "text": Value("string")}
    return Features({
        "prompt": [{"role": Value("string"), "content": [text_part]}],
        "image": Image(),
        "sample_id": Value("string"),
        "query": Value("string"),
        "gt_box": [Value("int32")],
        "gt_points": [[Value("int32")]],
        "gt_mask": Image(),
        "difficulty": Value("float32"),
        "uncertainty": Value("float32"),
    })


def build_training_dataset(data: DataConfig, cache_dir: str | Path):
    """Rows are written to an Arrow file under cache_dir one by one, so a large source never sits in memory."""
    from datasets import Dataset

    if data.hf_dataset:
        generator, arguments = segzero_rows, {"source": data.hf_dataset, "split": data.split, "size": data.image_size, "limit": data.limit}
    else:
        samples = load_source_samples(data.suite, data.split, data.data_dir, data.limit)
        if not samples:
            raise WisebenchError("no training samples: the source split is empty (check data.suite / data.split / data.limit)")
        generator, arguments = suite_rows, {"samples": samples, "size": data.image_size}
    dataset = Dataset.from_generator(generator, gen_kwargs=arguments, features=_features(), cache_dir=str(cache_dir))
    if len(dataset) == 0:
        raise WisebenchError(f"no training sample has target pixels at {data.image_size} x {data.image_size}")
    return dataset
