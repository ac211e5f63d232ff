"""One batch: the adapter predicts (stage by stage), each prediction is scored against its sample, records come out.

Shared by every executor (the in-process pipeline, Ray actors), so a batch is handled the same wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wisebench.adapters.base import Adapter
from wisebench.errors import BadSampleError, WisebenchError
from wisebench.runner.build import Scorer
from wisebench.scoring.record import SampleRecord
from wisebench.scoring.score import skipped_record


@dataclass
class BatchWork:
    """A batch on its way through the stages: `state` is the last stage's output (the adapter's own in-between
    form, then the predictions)."""

    number: int
    samples: list[Any]
    warmup: bool
    state: Any = None
    predictions: list[Any] = field(default_factory=list)


def run_stages(adapter: Adapter, work: BatchWork, stage: int, skip_bad: bool) -> BatchWork:
    """Adapter stage `stage` over the batch. A bad input under --skip-bad: the whole adapter is run again one
    sample at a time, so only the bad samples are skipped (their prediction is the BadSampleError)."""
    stages = adapter.stages()
    if work.predictions:  # already predicted one by one by an earlier stage
        return work
    try:
        work.state = stages[stage](work.samples if stage == 0 else work.state)
    except BadSampleError:
        if not skip_bad:
            raise
        work.predictions = [predict_one(adapter, sample) for sample in work.samples]
        return work
    if stage == len(stages) - 1:
        work.predictions = list(work.state)
        work.state = None
        if len(work.predictions) != len(work.samples):
            raise WisebenchError(f"adapter {adapter.name!r} returned {len(work.predictions)} predictions for {len(work.samples)} samples")
    return work


def predict_one(adapter: Adapter, sample: Any) -> Any:
    try:
        return adapter.predict([sample])[0]
    except BadSampleError as error:
        return error


def score_batch(adapter: Adapter, scorer: Scorer, work: BatchWork, skip_bad: bool) -> list[SampleRecord]:
    records = []
    for sample, prediction in zip(work.samples, work.predictions):
        if isinstance(prediction, BadSampleError):
            records.append(skipped_record(sample, prediction.path, prediction.problem))
            continue
        try:
            records.append(scorer.score(sample, prediction, adapter.prompt_hash(sample), work.warmup))
        except BadSampleError as error:  # the ground truth is the bad part
            if not skip_bad:
                raise
            records.append(skipped_record(sample, error.path, error.problem))
    return records


def predict_and_score(adapter: Adapter, scorer: Scorer, batch: list[Any], skip_bad: bool, warmup: bool) -> list[SampleRecord]:
    """The whole of a batch in the calling thread (Ray actors, where each worker is its own pipeline)."""
    work = BatchWork(number=0, samples=batch, warmup=warmup)
    for stage in range(len(adapter.stages())):
        work = run_stages(adapter, work, stage, skip_bad)
    return score_batch(adapter, scorer, work, skip_bad)
