"""One batch: the adapter predicts, each prediction is scored against its ground truth, records come out.

Shared by every executor (in-process, Ray actors), so a batch is handled the same wherever it runs.
"""

from __future__ import annotations

from wisebench.adapters.base import Adapter
from wisebench.adapters.prediction import Prediction
from wisebench.data.sample import Sample
from wisebench.errors import BadSampleError, WisebenchError
from wisebench.scoring.record import SampleRecord
from wisebench.scoring.score import score_prediction, skipped_record


def predict_and_score(adapter: Adapter, batch: list[Sample], skip_bad: bool, warmup: bool) -> list[SampleRecord]:
    """Predict a batch; if one of its inputs is bad and --skip-bad is on, redo the batch one sample at a time so
    only the bad samples are skipped (and recorded as skipped)."""
    try:
        predictions: list[Prediction | BadSampleError] = list(adapter.predict(batch))
    except BadSampleError:
        if not skip_bad:
            raise
        predictions = [_predict_one(adapter, sample) for sample in batch]
    if len(predictions) != len(batch):
        raise WisebenchError(f"adapter {adapter.name!r} returned {len(predictions)} predictions for {len(batch)} samples")
    records = []
    for sample, prediction in zip(batch, predictions):
        if isinstance(prediction, BadSampleError):
            records.append(skipped_record(sample, prediction.path, prediction.problem))
            continue
        try:
            gt = sample.load_gt_mask()
        except BadSampleError as error:
            if not skip_bad:
                raise
            records.append(skipped_record(sample, error.path, error.problem))
            continue
        records.append(score_prediction(sample, prediction, gt, adapter.prompt_hash(sample), warmup))
    return records


def _predict_one(adapter: Adapter, sample: Sample) -> Prediction | BadSampleError:
    try:
        return adapter.predict([sample])[0]
    except BadSampleError as error:
        return error
