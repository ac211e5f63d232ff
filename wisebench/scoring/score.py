"""Scoring: a Sample and its Prediction become a SampleRecord with I and U under every protocol."""

from __future__ import annotations

import numpy as np

from wisebench.adapters.prediction import Prediction
from wisebench.data.sample import Sample
from wisebench.metrics.iou import DROPPING_PROTOCOLS, PROTOCOLS, intersection_union
from wisebench.metrics.reasoning_quality import ReasoningQualityScorer
from wisebench.scoring.record import SampleRecord, encode_mask


def score_prediction(sample: Sample, prediction: Prediction, gt: np.ndarray, prompt_hash: str | None = None, warmup: bool = False) -> SampleRecord:
    """`gt` is the sample's loaded ground truth (the caller loads it once). A mask of the wrong size is an
    adapter bug: it is recorded as a failure and scored as an empty prediction rather than resized silently."""
    mask = prediction.mask
    metadata = prediction.metadata_json()
    if mask is not None and mask.shape != gt.shape:
        metadata["failure"] = f"mask_shape_mismatch: predicted {tuple(mask.shape)}, ground truth {tuple(gt.shape)}"
        mask = None
    if mask is not None:
        mask = mask.astype(bool)
    scores = {}
    for protocol in PROTOCOLS:
        intersection, union = intersection_union(mask, gt, protocol)
        scores[protocol] = {"intersection": int(intersection), "union": int(union)}
        if protocol in DROPPING_PROTOCOLS:
            # Seg-Zero / WISE evaluation.py: compute_iou(mask, gt) raising (a bare 0 for an empty union, or shapes
            # that disagree) makes the loop `continue`: the sample is in no figure.
            failure = metadata.get("failure")
            scores[protocol]["dropped"] = (failure is None and union == 0) or str(failure).startswith("mask_shape_mismatch")
    return SampleRecord(
        sample_id=sample.sample_id,
        image_id=sample.image_id,
        subsets=list(sample.subsets),
        query=sample.query,
        prompt_hash=prompt_hash,
        scores=scores,
        gt_area=int((gt == 1).sum()),
        pred_area=int(mask.sum()) if mask is not None else 0,
        mask_rle=encode_mask(mask) if mask is not None else None,
        prediction=metadata,
        warmup=warmup,
    )


def skipped_record(sample: Sample, path: str, problem: str) -> SampleRecord:
    """A bad sample skipped under --skip-bad: kept in the record set (so resume does not retry it) with no scores."""
    return SampleRecord(
        sample_id=sample.sample_id,
        image_id=sample.image_id,
        subsets=list(sample.subsets),
        query=sample.query,
        prompt_hash=None,
        scores={},
        skipped={"path": path, "problem": problem},
    )


class MaskScorer:
    """The scorer of segmentation suites: the sample's ground truth loaded once, I and U under every protocol, the
    mask as RLE, and where the sample has reference reasoning, the reasoning span scored against it.
    (Text suites score with text/scorer.py's LmEvalScorer; the run loop takes either.)"""

    def __init__(self, reasoning: ReasoningQualityScorer | None = None):
        self.reasoning = reasoning or ReasoningQualityScorer()

    def score(self, sample: Sample, prediction: Prediction, prompt_hash: str | None = None, warmup: bool = False) -> SampleRecord:
        record = score_prediction(sample, prediction, sample.load_gt_mask(), prompt_hash, warmup)
        record.reasoning_quality = self.reasoning.score(sample.query, prediction.reasoning_text, sample.extra)
        return record


def reasoning_scorer(settings: dict, device: str | None = None) -> ReasoningQualityScorer:
    """The reasoning-quality scorer a run's settings ask for: embeddings always, the judge with --set judge=CHECKPOINT
    (judge_backend=hf|vllm)."""
    checkpoint = settings.get("judge")
    if not checkpoint:
        return ReasoningQualityScorer()
    from wisebench.metrics.judge import build_judge

    return ReasoningQualityScorer(judge=build_judge(str(checkpoint), str(settings.get("judge_backend", "hf")), device))
