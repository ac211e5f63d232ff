"""Text runs' per-sample scores the board can trust: each record's stored response scored again, on this machine's
copy of the task, by the code that scored the run (text/scorer.py: the task's own requests, filters and
process_results), and compared with what the record claims: every metric value, both truncation policies'
accuracies, and the spans the score was read from.

What this cannot re-derive: that the response is what the model wrote (no generation is re-run), and the token
counts (they need the model's own tokenizer)."""

from __future__ import annotations

from typing import Any

from wisebench.board.sample_set import text_suite_reference
from wisebench.errors import WisebenchError
from wisebench.runner.config import RunConfig
from wisebench.text import TEXT_PROTOCOL

SPAN_FIELDS = ("reasoning_text", "answer_text", "scored_text", "truncated", "mode")


def text_rescore_problems(run: dict[str, Any], records: list[dict[str, Any]], data_dir: str | None) -> tuple[list[str], str | None]:
    """(problems by record, None) when the responses were re-scored here; ([], why not) when the task or the model's
    spec is not available on this machine."""
    from wisebench.text.scorer import LmEvalScorer
    from wisebench.text.suite import open_text_suite

    config = RunConfig.from_json(run["config"])
    try:
        config.suite = text_suite_reference(run["suite"]["name"], data_dir)
        suite = open_text_suite(config, for_run=True)  # read afresh: this machine's copy of the task
        scorer = LmEvalScorer(suite.task, suite.spec, config.settings.get("metric"), config.settings.get("filter"))
    except (WisebenchError, ImportError, OSError, ValueError) as error:  # lm-eval and datasets raise their own kinds
        return [], f"the task or the model's spec is not available here to re-score the responses ({error})"
    documents = {document.sample_id: document for document in suite.documents}
    problems = []
    for record in records:
        document = documents.get(str(record["sample_id"]))
        if record.get("skipped") or document is None:  # the sample-set check names records of no document
            continue
        where = f"sample {record['sample_id']!r}"
        prediction = record.get("prediction") or {}
        if not isinstance(prediction.get("raw_text"), str) or not isinstance(prediction.get("finish_reason"), str):
            problems.append(f"{where}: no response text and finish reason to re-score")
            continue
        entry = {
            "raw_text": prediction["raw_text"],
            "finish_reason": prediction["finish_reason"],
            "stop_string": prediction.get("stop_string") if isinstance(prediction.get("stop_string"), str) else None,
            "until": list(document.until),
            "tokens": prediction.get("tokens") or {},
            "seconds": 0.0,
        }
        try:
            truth = scorer.score(document, entry).to_json()
        except Exception as error:  # a task's process_results on a hostile response: that record's problem
            problems.append(f"{where}: the task cannot score its response ({type(error).__name__}: {str(error)[:200]})")
            continue
        stored = (record.get("scores") or {}).get(TEXT_PROTOCOL) or {}
        for key, value in truth["scores"][TEXT_PROTOCOL].items():
            if stored.get(key) != value:
                problems.append(f"{where}: scores.{TEXT_PROTOCOL}.{key} is {stored.get(key)!r} but its response scores {value!r}")
        for key in SPAN_FIELDS:
            if prediction.get(key) != truth["prediction"][key]:
                problems.append(f"{where}: prediction.{key} is not what its response gives")
    return problems, None
