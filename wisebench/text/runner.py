"""The run loop for `lm-eval:TASK` suites, on the segmentation runner's store, run document, sessions and summary.

Per repeat: lm-eval runs over the documents without a record; WisebenchLM answers from generations.jsonl or
generates (appending per batch); lm-eval's logged samples become records. Truncated chains are scored a second
time under the other truncation policy (replayed, no generation) so the summary holds both accuracies.
A recipe task (protocol.py) sets the generation settings, repeats, parse policy and token convention it names.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wisebench.errors import RunStoreError, WisebenchError
from wisebench.registry import MODELS
from wisebench.runner.config import RunConfig
from wisebench.runner.store import RunStore, check_run_id
from wisebench.text.backend import build_backend
from wisebench.text.conventions import TokenCounter
from wisebench.text.generation_log import GenerationLog, sample_key
from wisebench.text.lm import WisebenchLM, entry_spans
from wisebench.text.protocol import Resolved, TaskProtocol, resolve_spec
from wisebench.text.records import TEXT_PROTOCOL, build_record, headline_key, metric_values
from wisebench.text.spec import TextModelSpec
from wisebench.text.task import LoadedTask, build_task, load_task, task_manager


@dataclass(frozen=True)
class DocumentRef:
    """What the run document's samples fingerprint reads from a sample."""

    sample_id: str
    query: str


def load_spec(config: RunConfig) -> TextModelSpec:
    spec = MODELS.load(config.model)
    if not isinstance(spec, TextModelSpec):
        raise WisebenchError(f"model {config.model!r} is not a text reasoner; lm-eval suites take text models (see `wisebench list models`)")
    return spec.with_options(config.model_options())


def evaluate(task: LoadedTask, lm: WisebenchLM, doc_ids: list[int], seed: int) -> list[dict[str, Any]]:
    import lm_eval

    results = lm_eval.simple_evaluate(
        model=lm,
        tasks=[build_task(task.name, task.include_path)],
        task_manager=task_manager(task.include_path),  # else lm-eval indexes all its own tasks again, per call
        samples={task.name: doc_ids},
        log_samples=True,
        bootstrap_iters=0,  # wisebench bootstraps from the records
        random_seed=seed,
        numpy_random_seed=seed,
        torch_random_seed=seed,
        fewshot_random_seed=seed,
    )
    return results["samples"][task.name]


def execute_text_run(config: RunConfig, progress: bool = True) -> Any:
    from wisebench.metrics.summary import summarize_run
    from wisebench.runner.run import RunResult, _end_session, _prompt_template_hash, new_run_document, now, session_outcome, smoke_status

    config.model = MODELS.canonical(config.model)
    spec = load_spec(config)  # a misspelt --set fails before lm-eval indexes or downloads anything
    task = load_task(config.suite, config.limit)
    resolved = resolve_spec(spec, task.protocol, task.name, set(config.settings))
    spec = resolved.spec
    print(f"generation budget: {spec.generation.max_new_tokens} new tokens ({resolved.sources['max_new_tokens']})", file=sys.stderr)
    config.split = config.split or task.split
    config.protocol = TEXT_PROTOCOL
    folder = Path(config.out) / check_run_id(config.run_id())
    keys = [(doc_id, repeat) for repeat in range(spec.repeats) for doc_id in task.doc_ids]
    documents = [DocumentRef(sample_key(doc_id, repeat, spec.repeats), task.contexts[doc_id]) for doc_id, repeat in keys]

    with RunStore(folder) as store:
        run = store.load_run()
        if run is not None and run.get("identity") != config.identity():
            raise RunStoreError(f"{folder} holds a run with another configuration; pass another --out")
        finished = {record["sample_id"] for record in store.records()}
        if run is None:
            run = new_run_document(config, config.suite, task.source, documents, [])
        run["protocol"] = TEXT_PROTOCOL
        session = {"started_at": now(), "resumed_from": len(finished), "pid": os.getpid(), "executor": "local"}
        run.setdefault("sessions", []).append(session)
        pending = [(doc_id, repeat) for doc_id, repeat in keys if sample_key(doc_id, repeat, spec.repeats) not in finished]
        run["status"] = "running" if pending else run.get("status", "running")
        store.save_run(run)
        started = time.perf_counter()
        backend = None
        try:
            with session_outcome(store, run, session, started):
                if pending:
                    log = GenerationLog(folder)
                    logged = log.read()
                    backend = build_backend(spec, config.model_options())  # also the tokenizer that counts tokens
                    # "backend" names the one that ran (a stand-in reports its own name), not the configured one.
                    run["model"] = {**spec.describe(), "backend": backend.name, "weights": backend.fingerprint(), "lm_eval_task": task.source, **protocol_description(spec, task, resolved)}
                    run["prompt_hash"] = _prompt_template_hash(run["model"])
                    run["smoke"] = smoke_status(config, run["model"])
                    store.save_run(run)
                    written = 0
                    for repeat in range(spec.repeats):
                        doc_ids = [doc_id for doc_id, r in pending if r == repeat]
                        if doc_ids:
                            new_records = _score_repeat(spec, task, backend, log, logged, repeat, doc_ids, config)
                            store.append(new_records)
                            written += len(new_records)
                    elapsed = time.perf_counter() - started
                    # Wall-clock throughput of this session, model loading and lm-eval's own work included.
                    session["samples_per_second"] = round(written / elapsed, 4) if written and elapsed > 0 else None
        finally:
            if backend is not None:
                backend.close()
        records = store.records()
        run["summary"] = summarize_run(run, records)
        _end_session(store, run, session, started, "complete")
        return RunResult(folder=folder, run=run, records=records)


def protocol_description(spec: TextModelSpec, task: LoadedTask, resolved: Resolved) -> dict[str, Any]:
    """What run.json records of how the task was run: recipe, scorer, token convention, where each setting came
    from, and whether the model's instruction was added to the task's prompts (never twice)."""
    protocol: TaskProtocol = task.protocol
    added = sum(spec.prompt(context, protocol.prompt_is_complete) != context for context in task.contexts.values())
    return {
        "recipe": protocol.recipe,
        "upstream": protocol.upstream,
        "parse_policy": protocol.parse_policy,
        "scored_text": protocol.scored_text,
        "prompt_special_tokens": protocol.prompt_special_tokens,
        "instruction": {"added": added, "already_in_task_prompt": len(task.contexts) - added},
        "generation_budget": {"max_new_tokens": spec.generation.max_new_tokens, "source": resolved.sources["max_new_tokens"]},
        "setting_sources": resolved.sources,
    }


def _score_repeat(spec: TextModelSpec, task: LoadedTask, backend: Any, log: GenerationLog, logged: dict, repeat: int, doc_ids: list[int], config: RunConfig) -> list:
    lm = WisebenchLM(spec, backend, log, logged, repeat, config.batch_size, spec.truncated, doc_ids, task.protocol)
    rows = evaluate(task, lm, doc_ids, config.seed + repeat)
    for row in rows:  # the positional doc id mapping must agree with lm-eval's own record of each document
        entry = logged[sample_key(int(row["doc_id"]), repeat, spec.repeats)]
        if row["arguments"][0][0] != entry["context"]:
            raise RuntimeError(f"lm-eval doc {row['doc_id']}: its prompt does not match the generation logged for it")
    values = metric_values(rows)
    accuracy_key = headline_key(rows, config.settings.get("metric"), config.settings.get("filter"))
    targets = {int(row["doc_id"]): row.get("target") for row in rows}
    entries = {doc_id: logged[sample_key(doc_id, repeat, spec.repeats)] for doc_id in doc_ids}
    truncated = [doc_id for doc_id, entry in entries.items() if entry_spans(spec, entry).truncated]
    other_values: dict[int, dict[str, float]] = {}
    if truncated:  # both accuracies in the summary: re-score truncated chains under the other policy
        other_policy = "lenient" if spec.truncated == "strict" else "strict"
        replay = WisebenchLM(spec, None, log, logged, repeat, config.batch_size, other_policy, truncated, task.protocol)
        other_values = metric_values(evaluate(task, replay, truncated, config.seed + repeat))
    counter = TokenCounter(backend.tokenizer(), backend.chat_text)
    return [build_record(spec, task.protocol, entries[doc_id], values[doc_id], other_values.get(doc_id), accuracy_key, counter, targets.get(doc_id)) for doc_id in doc_ids]
