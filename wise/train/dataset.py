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

PixelThink's recipe (recipe: pixelthink) prompts with Seg-Zero's prompt (PixelThink verl/utils/rl_dataset.py:31-40)
and reads each sample's difficulty from PixelThink's JSON, keyed by the dataset's "id" (rl_dataset.py:104-112,
179-184); difficulty.py.

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
from wisebench.errors import DatasetFormatError, DatasetNotFoundError, WisebenchError
from wisebench.reasoner.backend import user_message
from wisebench.reasoner.spec import SEGZERO_ANSWER, SEGZERO_PIECES, WISE_TRAINING_PIECES, ReasonerSpec
from wise.adapters import WISE
from wise.train.config import DataConfig
from wise.train.difficulty import load_difficulties

# The training prompt: WISE's inference spec with the training pieces (<d_think> detailed explanation last).
WISE_TRAINING = replace(WISE, name="wise-train", prompt_pieces=WISE_TRAINING_PIECES)
# PixelThink trains on Seg-Zero's prompt, single-quoted answer example included (rl_dataset.py:31-40).
PIXELTHINK_TRAINING = replace(WISE, name="pixelthink-train", prompt_pieces=SEGZERO_PIECES, answer_example=SEGZERO_ANSWER)
SET_SOURCE = "--set data.hf_dataset=DIR_OR_HUB_ID (or --set data.hf_dataset=null --set data.suite=NAME --set data.data_dir=DIR)"


def recipe_spec(recipe: str) -> ReasonerSpec:
    return PIXELTHINK_TRAINING if recipe == "pixelthink" else WISE_TRAINING


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


def training_row(sample: Sample, size: int, spec: ReasonerSpec = WISE_TRAINING, difficulties: dict[str, float] | None = None) -> dict[str, Any] | None:
    """One dataset row, or None when the target vanishes at this size."""
    from PIL import Image

    image = Image.fromarray(sample.load_image()).resize((size, size), Image.BILINEAR)
    gt_mask = np.asarray(Image.fromarray(sample.load_gt_mask()).resize((size, size), Image.NEAREST))
    targets = training_targets(gt_mask)
    if targets is None:
        return None
    box, points = targets
    return {
        "prompt": user_message(spec.prompt(sample.query)),
        "image": image,
        "sample_id": sample.sample_id,
        "query": sample.query,
        "gt_box": box,
        "gt_points": points,
        "gt_mask": Image.fromarray(gt_mask),  # 0 background, 1 target, 255 ignore; for the optional mask IoU reward
        "difficulty": (difficulties or {}).get(sample.sample_id),
    }


def suite_rows(samples: list[Sample], size: int, spec: ReasonerSpec, difficulties: dict[str, float] | None) -> Iterator[dict[str, Any]]:
    for sample in samples:
        row = training_row(sample, size, spec, difficulties)
        if row is not None:
            yield row


SOLUTION_BOX = re.compile(r"<box>\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)</box>")
SOLUTION_POINTS = re.compile(r"<points>\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)</points>")
SOLUTION_FORMAT = "<box>(x1,y1),(x2,y2)</box><points>(x,y),(x,y)</points>"


def solution_targets(solution: str, origin: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """((x1, y1, x2, y2), (px1, py1, px2, py2)) of a Seg-Zero-format solution string."""
    box, points = SOLUTION_BOX.search(solution), SOLUTION_POINTS.search(solution)
    if box is not None and points is not None:
        return tuple(int(v) for v in box.groups()), tuple(int(v) for v in points.groups())
    if "bbox_2d" in solution or "point_2d" in solution:
        raise DatasetFormatError(origin, (
            f"solution {solution[:120]!r} is VisionReasoner's bbox_2d / point_2d JSON (one point per object); WISE and "
            f"PixelThink train on one box and two points, Seg-Zero's {SOLUTION_FORMAT} (e.g. Ricky06662/refCOCOg_2k_840): "
            f"{SET_SOURCE}"
        ))
    raise DatasetFormatError(origin, f"solution {solution[:120]!r} lacks Seg-Zero's {SOLUTION_FORMAT}")


def open_segzero_table(source: str, split: str):
    """The HF table, opened and checked before any row is written, so a missing copy is one clear message."""
    from wisebench.data.hf import HFTable, hf_datasets_cache

    table = HFTable(source=source, split=split)
    try:
        table.require_columns(("image", "problem", "solution"))
    except DatasetNotFoundError as error:
        reason = error.__cause__
        detail = f" ({type(reason).__name__}: {str(reason).splitlines()[0]})" if reason is not None and str(reason) else ""
        raise WisebenchError(
            f"training data not found: data.hf_dataset={source!r} (split {split!r}) is neither a local copy (a "
            f"save_to_disk folder or parquet files) nor a hub dataset in the HF cache ({hf_datasets_cache()}) or "
            f"reachable online{detail}. Download it where you have network (huggingface-cli download --repo-type "
            f"dataset {source} --local-dir DIR), then {SET_SOURCE}."
        ) from None
    if len(table):
        solution_targets(table.row(0)["solution"], table.origin(0))
    return table


def segzero_rows(source: str, split: str, size: int, limit: int | None, spec: ReasonerSpec, difficulties: dict[str, float] | None) -> Iterator[dict[str, Any]]:
    """Rows of a Seg-Zero-format HF dataset; box and points are rescaled from the image's frame to size x size."""
    from PIL import Image

    from wisebench.data.hf import image_from_cell

    table = open_segzero_table(source, split)
    count = min(len(table), limit) if limit else len(table)
    for index in range(count):
        row = table.row(index)
        (x1, y1, x2, y2), (px1, py1, px2, py2) = solution_targets(row["solution"], table.origin(index))
        image = Image.fromarray(image_from_cell(row["image"], table.origin(index)).load())
        scale_x, scale_y = size / image.width, size / image.height
        yield {
            "prompt": user_message(spec.prompt(row["problem"])),
            "image": image.resize((size, size), Image.BILINEAR) if image.size != (size, size) else image,
            "sample_id": str(row.get("id", index)),
            "query": row["problem"],
            "gt_box": [round(x1 * scale_x), round(y1 * scale_y), round(x2 * scale_x), round(y2 * scale_y)],
            "gt_points": [[round(px1 * scale_x), round(py1 * scale_y)], [round(px2 * scale_x), round(py2 * scale_y)]],
            "gt_mask": None,
            # PixelThink matches the "id" column only (rl_dataset.py:179); a row without one gets the default.
            "difficulty": (difficulties or {}).get(str(row["id"])) if "id" in row else None,
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
    })


def suite_samples(data: DataConfig) -> list[Sample]:
    try:
        samples = load_source_samples(data.suite, data.split, data.data_dir, data.limit)
    except DatasetNotFoundError as error:
        raise WisebenchError(
            f"training data not found: suite {data.suite!r} split {data.split!r} (data.data_dir={data.data_dir!r}). "
            f"The suite says: {error} For `train`, its --data-dir is --set data.data_dir=DIR; or {SET_SOURCE}."
        ) from None
    if not samples:
        raise WisebenchError("no training samples: the source split is empty (check data.suite / data.split / data.limit)")
    return samples


def build_training_dataset(data: DataConfig, cache_dir: str | Path, spec: ReasonerSpec = WISE_TRAINING):
    """Rows are written to an Arrow file under cache_dir one by one, so a large source never sits in memory."""
    from datasets import Dataset
    from datasets.exceptions import DatasetGenerationError

    difficulties = load_difficulties(data.difficulty_file) if data.difficulty_file else None
    if data.hf_dataset:
        open_segzero_table(data.hf_dataset, data.split)  # fails here, unwrapped, when the copy is missing or malformed
        generator, arguments = segzero_rows, {"source": data.hf_dataset, "split": data.split, "size": data.image_size, "limit": data.limit}
    else:
        generator, arguments = suite_rows, {"samples": suite_samples(data), "size": data.image_size}
    arguments.update(spec=spec, difficulties=difficulties)
    try:
        dataset = Dataset.from_generator(generator, gen_kwargs=arguments, features=_features(), cache_dir=str(cache_dir))
    except DatasetGenerationError as error:  # a bad row: show our message, not datasets' wrapper
        cause = error.__cause__ or error.__context__
        if isinstance(cause, WisebenchError):
            raise cause from None
        raise
    if len(dataset) == 0:
        raise WisebenchError(f"no training sample has target pixels at {data.image_size} x {data.image_size}")
    if difficulties is not None:
        report_difficulty_coverage(dataset["difficulty"], data.difficulty_file)
    return dataset


def report_difficulty_coverage(values: list[float | None], file: str) -> None:
    """PixelThink warns per sample without a score and uses 3.0; none matching means the wrong file or ids."""
    missing = sum(value is None for value in values)
    if missing == len(values):
        raise DatasetFormatError(file, f"scores none of the {len(values)} training samples: its image_id values do not match the dataset's id column")
    if missing:
        print(f"wise.train: {missing} of {len(values)} training samples have no score in {file}; they get rewards.default_difficulty (PixelThink: 3.0)")
