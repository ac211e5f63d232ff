"""`wisebench score`: score masks produced by another codebase, one PNG per sample named <sample_id>.png
(nonzero = foreground). For ReasonSeg the sample id is the image file stem, as the HF copies' image_id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from wisebench.adapters.prediction import Prediction
from wisebench.errors import BadSampleError, DatasetNotFoundError
from wisebench.metrics.summary import summarize
from wisebench.registry import SUITES
from wisebench.scoring.score import score_prediction, skipped_record


def read_prediction_png(path: Path) -> np.ndarray:
    from wisebench.data.images import open_image

    with open_image(path, str(path)) as image:  # damaged files and decompression bombs: a named bad sample
        array = np.asarray(image)
    if array.ndim == 3:  # RGB(A) masks: foreground is any nonzero channel
        array = array[..., :3].any(axis=2) if array.shape[2] >= 3 else array[..., 0]
    return array != 0


def score_folder(suite_name: str, split: str | None, data_dir: str | None, predictions: Path, protocol: str, skip_bad: bool = False) -> dict[str, Any]:
    if not predictions.is_dir():
        raise DatasetNotFoundError(predictions, "a folder of <sample_id>.png predicted masks", "")
    suite = SUITES.load(suite_name)()
    split = split or suite.default_split
    loaded = suite.load(split, data_dir, skip_bad=skip_bad)
    records, missing = [], []
    for sample in loaded.samples:
        path = predictions / f"{sample.sample_id}.png"
        try:
            gt = sample.load_gt_mask()
            if path.exists():
                mask = read_prediction_png(path)
                if mask.shape != gt.shape:
                    raise BadSampleError(path, f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is {gt.shape[1]}x{gt.shape[0]}")
                prediction = Prediction(mask=mask)
            else:  # a missing prediction scores as an empty mask, and is counted
                missing.append(sample.sample_id)
                prediction = Prediction(mask=None, failure="missing_prediction_file")
        except BadSampleError as error:
            if not skip_bad:
                raise
            records.append(skipped_record(sample, error.path, error.problem).to_json())
            continue
        records.append(score_prediction(sample, prediction, gt).to_json())
    summary = summarize(records, protocol=protocol)
    subsets = {
        name: {"giou": scores["giou"], "ciou": scores["ciou"], "n": scores["n"]}
        for name, scores in summary["subsets"].items()
        if name != "overall"
    }
    overall = summary["subsets"]["overall"]
    return {
        "suite": suite.name,
        "split": split,
        "protocol": protocol,
        "giou": overall["giou"],
        "ciou": overall["ciou"],
        "n": overall["n"],
        "n_missing": len(missing),
        "missing": missing[:20],
        "n_skipped": summary["n_skipped"] + len(loaded.skipped),
        "subsets": subsets,
        "summary": summary,
    }
