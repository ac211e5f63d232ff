"""What a configuration evaluates with, built the same way in the run loop, in a Ray worker and in a shard: the
suite's samples (segmentation Samples or text documents), the adapter, and the scorer that turns a prediction into
a record. The one place that tells the two families apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from wisebench.adapters.base import Adapter
from wisebench.registry import MODELS, SUITES
from wisebench.runner.config import RunConfig
from wisebench.scoring.record import SampleRecord
from wisebench.scoring.score import MaskScorer
from wisebench.text.task import is_text_suite

AdapterFactory = Callable[[RunConfig], Adapter]


class Scorer(Protocol):
    def score(self, sample: Any, prediction: Any, prompt_hash: str | None = None, warmup: bool = False) -> SampleRecord: ...


@dataclass
class OpenedSuite:
    name: str
    split: str
    source: str
    samples: list[Any]  # Sample (segmentation) or TextDocument (lm-eval)
    skipped: list[dict]  # bad entries skipped at load (--skip-bad)
    protocol: str | None = None  # the family's only protocol (text: lm-eval), else None
    fingerprint: str | None = None  # of the resolved task configuration and documents (text suites)
    notes: list[dict] = field(default_factory=list)  # entries that loaded but are odd (a PNG named .jpg, ...)


def open_suite(config: RunConfig, for_run: bool = False) -> OpenedSuite:
    """The suite's samples for this configuration (all of them: --limit and --shard apply after)."""
    if is_text_suite(config.suite):
        from wisebench.text import TEXT_PROTOCOL
        from wisebench.text.suite import open_text_suite

        text = open_text_suite(config, for_run)
        return OpenedSuite(config.suite, config.split or text.task.split, text.task.source, list(text.documents), [], TEXT_PROTOCOL, text.task.fingerprint())
    suite = SUITES.load(config.suite)()
    split = config.split or suite.default_split
    loaded = suite.load(split, config.data_dir, skip_bad=config.skip_bad)
    samples = loaded.samples[: config.limit] if config.limit is not None else loaded.samples
    if "think_budget" in config.settings:  # budget forcing: one sample per budget (reasoner/budget_forcing.py)
        from wisebench.reasoner.budget_forcing import budget_samples, parse_budgets

        samples = budget_samples(list(samples), parse_budgets(config.settings["think_budget"]))
    return OpenedSuite(suite.name, split, loaded.source, list(samples), list(loaded.skipped), notes=list(getattr(loaded, "notes", [])))


def build_adapter(config: RunConfig) -> Adapter:
    if is_text_suite(config.suite):
        from wisebench.text.adapter import TextAdapter
        from wisebench.text.suite import open_text_suite

        text = open_text_suite(config)
        return TextAdapter(config.model_options(), text.task, text.resolved)
    factory = MODELS.load(config.model)
    return factory(config.model_options())


def build_scorer(config: RunConfig) -> Scorer:
    if is_text_suite(config.suite):
        from wisebench.text.scorer import LmEvalScorer
        from wisebench.text.suite import open_text_suite

        text = open_text_suite(config)
        return LmEvalScorer(text.task, text.spec, config.settings.get("metric"), config.settings.get("filter"))
    from wisebench.scoring.score import reasoning_scorer  # reasoning quality; the judge when --set judge=...

    return MaskScorer(reasoning_scorer(config.settings, config.device))
