"""One SampleRecord per (document, repeat): the logged generation, its spans and token counts with the model's own
tokenizer (under every token convention), and lm-eval's per-sample metric values taken from its logged samples."""

from __future__ import annotations

from typing import Any

from wisebench.scoring.record import SampleRecord
from wisebench.text import TEXT_PROTOCOL
from wisebench.text.conventions import TokenCounter
from wisebench.text.lm import entry_spans, scored_text
from wisebench.text.protocol import TaskProtocol
from wisebench.text.spec import TextModelSpec


def metric_values(rows: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """doc id -> {"metric,filter": value} over lm-eval's logged samples (one row per document and filter)."""
    values: dict[int, dict[str, float]] = {}
    for row in rows:
        for metric in row.get("metrics", []):
            if metric in row:
                values.setdefault(int(row["doc_id"]), {})[f"{metric},{row['filter']}"] = float(row[metric])
    return values


def headline_key(rows: list[dict[str, Any]], metric: str | None, filter_name: str | None) -> str:
    """The metric that is "accuracy": --set metric=/filter= or the task's first metric under its first filter."""
    if not rows:
        raise ValueError("lm-eval logged no samples")
    chosen_filter = filter_name or rows[0]["filter"]
    chosen_metric = metric or rows[0]["metrics"][0]
    return f"{chosen_metric},{chosen_filter}"


def build_record(
    spec: TextModelSpec,
    protocol: TaskProtocol,
    entry: dict[str, Any],
    values: dict[str, float],
    other_values: dict[str, float] | None,
    accuracy_key: str,
    counter: TokenCounter,
    target: Any,
) -> SampleRecord:
    """`values` are lm-eval's scores under the spec's truncation policy; `other_values` under the other policy
    (only scored for truncated chains; otherwise both policies score the same text)."""
    spans = entry_spans(spec, entry)
    if accuracy_key not in values:
        raise ValueError(f"lm-eval logged no {accuracy_key!r} for doc {entry['doc_id']}; known: {', '.join(values)}")
    accuracy = values[accuracy_key]
    other = (other_values or values).get(accuracy_key, accuracy)
    strict, lenient = (accuracy, other) if spec.truncated == "strict" else (other, accuracy)
    scores = {TEXT_PROTOCOL: {"accuracy": accuracy, "accuracy_strict": strict, "accuracy_lenient": lenient, **values}}
    prompt = entry.get("prompt") or spec.prompt(entry["context"], protocol.prompt_is_complete)  # older logs: rebuilt
    prediction = {
        "raw_text": entry["raw_text"],
        "reasoning_text": spans.reasoning,
        "answer_text": spans.answer,
        "scored_text": scored_text(spec, entry, spec.truncated, protocol.scored_text),
        "truncated": spans.truncated,
        "mode": spans.mode,
        "finish_reason": entry["finish_reason"],
        "stop_string": entry.get("stop_string"),
        "tokens": {
            "prompt": entry["prompt_tokens"],
            "reasoning": counter.plain(spans.reasoning),
            "answer": counter.plain(spans.answer),
            "generated": entry["generated_tokens"],
            "conventions": counter.conventions(spans.reasoning, prompt, entry["raw_text"]),
        },
        "token_convention": spec.token_convention,
        "parse_policy": protocol.parse_policy,
        "seconds": {"total": entry["seconds"]},
        "request_timings": entry.get("request_timings") or {},
        "doc_id": entry["doc_id"],
        "repeat": entry["repeat"],
        "target": target if isinstance(target, (str, int, float, list)) else str(target),
        "accuracy_metric": accuracy_key,
    }
    return SampleRecord(
        sample_id=entry["sample_id"],
        image_id=str(entry["doc_id"]),  # the bootstrap cluster: repeats of one document move together
        subsets=[f"mode-{spans.mode}"] if spans.mode else [],
        query=entry["context"],
        prompt_hash=entry["prompt_hash"],
        scores=scores,
        prediction=prediction,
    )
