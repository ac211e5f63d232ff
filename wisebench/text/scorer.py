"""Scoring one text generation as lm-eval's evaluator scores it: the document's request built by the task, the text
handed back as its response, the task's filter ensembles applied, then the task's process_results per filter
(lm_eval/evaluator.py, evaluate()). A document at a time, so records are written as generations finish; for the
per-element filters lm-eval tasks use this equals scoring the whole task at once (tests check it against
lm-eval's own simple_evaluate on the same texts).

Truncated chains are scored twice, under both truncation policies, so the summary holds both accuracies."""

from __future__ import annotations

import numbers
from typing import Any

from wisebench.errors import WisebenchError

from wisebench.scoring.record import SampleRecord
from wisebench.text import TEXT_PROTOCOL
from wisebench.text.protocol import TaskProtocol
from wisebench.text.spans import cut_at_stop_sequences, entry_spans
from wisebench.text.spec import TRUNCATION_POLICIES, TextModelSpec
from wisebench.text.suite import TextDocument
from wisebench.text.task import LoadedTask, request_for, task_filters


def scored_text(spec: TextModelSpec, entry: dict[str, Any], policy: str, scored: str = "answer") -> str:
    """The text lm-eval scores: the answer span cut at the request's stop sequences, or the whole response where
    the task's scorer reads it (recipes) or the chain was stopped by a stop string; for a truncated chain ""
    (strict) or the raw text (lenient)."""
    spans = entry_spans(spec, entry)
    if spans.truncated:
        return entry["raw_text"] if policy == "lenient" else ""
    if scored == "response" or entry.get("stop_string"):
        return entry["raw_text"]
    return cut_at_stop_sequences(spans.answer, entry.get("until") or [])


class LmEvalScorer:
    def __init__(self, task: LoadedTask, spec: TextModelSpec, metric: str | None = None, filter_name: str | None = None):
        self.task, self.spec = task, spec
        self.protocol: TaskProtocol = task.protocol
        self.filters = task_filters(task.task)
        self.metric, self.filter_name = metric, filter_name
        self._checked: set[str] = set()  # metrics whose aggregation was found to be the mean

    def values(self, document: TextDocument, response: str) -> dict[str, float]:
        """{"metric,filter": value} for one response to the document."""
        doc = self.task.docs[document.doc_id]
        request = request_for(self.task.task, document.doc_id, doc, document.query)
        request.resps = [response]
        for ensemble in self.filters:
            ensemble.apply([request])
        values: dict[str, float] = {}
        for filter_name, filtered in request.filtered_resps.items():
            for metric, value in self.task.task.process_results(doc, [filtered]).items():
                if isinstance(value, numbers.Real):  # corpus-level metrics (bleu's tuples) have no per-document value
                    values[f"{metric},{filter_name}"] = float(value)
        return values

    def accuracy_key(self, values: dict[str, float]) -> str:
        """The metric that is "accuracy": --set metric=/filter= or the task's first metric under its first filter.
        Its run figure is the mean over records, so the task must aggregate it by the mean too."""
        if not values:
            raise WisebenchError(f"lm-eval task {self.task.name!r}: process_results gives no per-document number; text suites take tasks scored per document")
        first_metric, first_filter = next(iter(values)).rsplit(",", 1)
        metric = self.metric or first_metric
        if metric not in self._checked:
            from lm_eval.api.metrics import mean

            aggregation = (self.task.task.aggregation() or {}).get(metric)
            if aggregation is not None and aggregation is not mean:
                raise WisebenchError(f"lm-eval task {self.task.name!r}: metric {metric!r} is aggregated by {getattr(aggregation, '__name__', aggregation)}, not the mean wisebench reports; pick another with --set metric=")
            self._checked.add(metric)
        return f"{metric},{self.filter_name or first_filter}"

    def score(self, document: TextDocument, entry: dict[str, Any], prompt_hash: str | None = None, warmup: bool = False) -> SampleRecord:
        policy = self.spec.truncated
        spans = entry_spans(self.spec, entry)
        scored = scored_text(self.spec, entry, policy, self.protocol.scored_text)
        values = self.values(document, scored)
        key = self.accuracy_key(values)
        if key not in values:
            raise ValueError(f"lm-eval logged no {key!r} for doc {document.doc_id}; known: {', '.join(values)}")
        accuracy = values[key]
        other = accuracy
        if spans.truncated:  # both accuracies in the summary: a truncated chain scored under the other policy too
            other_policy = next(name for name in TRUNCATION_POLICIES if name != policy)
            other = self.values(document, scored_text(self.spec, entry, other_policy, self.protocol.scored_text)).get(key, accuracy)
        strict, lenient = (accuracy, other) if policy == "strict" else (other, accuracy)
        doc = self.task.docs[document.doc_id]
        target = self.task.task.doc_to_target(doc)
        prediction = {
            "raw_text": entry["raw_text"],
            "reasoning_text": spans.reasoning,
            "answer_text": spans.answer,
            "scored_text": scored,
            "truncated": spans.truncated,
            "mode": spans.mode,
            "finish_reason": entry["finish_reason"],
            "stop_string": entry.get("stop_string"),
            "tokens": entry["tokens"],
            "token_convention": self.spec.token_convention,
            "parse_policy": self.protocol.parse_policy,
            "seconds": {"total": entry["seconds"]},
            "request_timings": entry.get("request_timings") or {},
            "doc_id": document.doc_id,
            "repeat": document.repeat,
            "target": target if isinstance(target, (str, int, float, list)) else str(target),
            "accuracy_metric": key,
            **{name: entry[name] for name in ("think_budget", "forced_close") if name in entry},
        }
        return SampleRecord(
            sample_id=document.sample_id,
            image_id=document.image_id,  # the bootstrap cluster: repeats of one document move together
            subsets=[*document.subsets, *([f"mode-{spans.mode}"] if spans.mode else [])],
            query=document.query,
            prompt_hash=prompt_hash,
            scores={TEXT_PROTOCOL: {"accuracy": accuracy, "accuracy_strict": strict, "accuracy_lenient": lenient, **values}},
            prediction=prediction,
            warmup=warmup,
        )
