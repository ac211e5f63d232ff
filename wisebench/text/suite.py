"""An `lm-eval:TASK` suite as the run loop sees it: one TextDocument per (document, repeat), in the same list the
segmentation suites fill with Samples, so one loop, store, resume, executor layer and summary serve both."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from wisebench.errors import WisebenchError
from wisebench.reasoner.budget_forcing import budget_sample_id, budget_subset
from wisebench.registry import MODELS
from wisebench.text.protocol import Resolved, resolve_spec
from wisebench.text.spec import TextModelSpec
from wisebench.text.task import LoadedTask, load_task


@dataclass(frozen=True)
class TextDocument:
    """One request of a text run. `query` is lm-eval's prompt for the document (what the samples fingerprint
    reads); `image_id` is the document, so repeats of one document are one bootstrap cluster."""

    sample_id: str
    image_id: str
    query: str
    doc_id: int
    repeat: int
    until: tuple[str, ...] = ()
    subsets: list[str] = field(default_factory=list)
    think_budget: int | None = None  # budget forcing: this record's forced thinking budget (text/budget_forcing.py)
    chain_id: str = ""  # budget forcing: the (document, repeat) whose reasoning chain the budgets share


def sample_key(doc_id: int, repeat: int, repeats: int) -> str:
    """The record's sample id: the lm-eval doc id, plus the repeat index when documents are sampled repeatedly."""
    return str(doc_id) if repeats == 1 else f"{doc_id}/r{repeat}"


class RunSettings(Protocol):
    """What of a run's configuration a text suite reads (the runner's RunConfig has it)."""

    model: str
    suite: str
    limit: int | None
    seed: int
    settings: dict[str, Any]

    def model_options(self) -> Any: ...


@dataclass
class TextSuite:
    task: LoadedTask
    resolved: Resolved
    documents: list[TextDocument]

    @property
    def spec(self) -> TextModelSpec:
        return self.resolved.spec


def load_spec(config: RunSettings) -> TextModelSpec:
    """The model's spec after --checkpoint, --seed and --set (a misspelt --set fails before any task loads)."""
    spec = MODELS.load(config.model)
    if not isinstance(spec, TextModelSpec):
        raise WisebenchError(f"model {config.model!r} is not a text reasoner; lm-eval suites take text models (see `wisebench list models`)")
    return spec.with_options(config.model_options())


def open_text_suite(config: RunSettings, for_run: bool = False) -> TextSuite:
    """The task, the spec as it runs the task, and one document per request, repeat-major (every document's
    first repeat before any second one, so a partial run holds whole repeats first)."""
    spec = load_spec(config)
    if for_run:  # the run loop opening its suite: read the task afresh (its YAML or data may have changed)
        load_task.cache_clear()
    task = load_task(config.suite, config.limit, config.seed)
    resolved = resolve_spec(spec, task.protocol, task.name, set(config.settings))
    if for_run:
        print(f"generation budget: {resolved.spec.generation.max_new_tokens} new tokens ({resolved.sources['max_new_tokens']})", file=sys.stderr)
    repeats = resolved.spec.repeats
    documents = [
        TextDocument(sample_key(doc_id, repeat, repeats), str(doc_id), task.contexts[doc_id], doc_id, repeat, tuple(task.until.get(doc_id, ())))
        for repeat in range(repeats)
        for doc_id in task.doc_ids
    ]
    if resolved.spec.think_budgets:  # one record per document, repeat and forced budget
        documents = budget_documents(documents, resolved.spec.think_budgets)
    return TextSuite(task=task, resolved=resolved, documents=documents)


def budget_documents(documents: list[TextDocument], budgets: tuple[int, ...]) -> list[TextDocument]:
    """Each document once per budget, its budgets next to each other (so a batch usually holds a whole chain)."""
    return [
        replace(document, sample_id=budget_sample_id(document.sample_id, budget), subsets=[*document.subsets, budget_subset(budget)], think_budget=budget, chain_id=document.sample_id)
        for document in documents
        for budget in budgets
    ]
