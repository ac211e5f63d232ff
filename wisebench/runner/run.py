"""The run loop: suite -> samples -> adapter.predict(batch) -> score -> records appended per batch -> summary.

Resume is the default: the run folder is named by the configuration's hash, finished sample ids are read
back from records.jsonl and skipped, and only the batch in flight can be lost to a kill.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from wisebench import __version__
from wisebench.errors import RunStoreError, WisebenchError
from wisebench.metrics.summary import store_summaries
from wisebench.registry import MODELS
from wisebench.runner.build import AdapterFactory, open_suite
from wisebench.runner.config import RunConfig
from wisebench.runner.environment import environment
from wisebench.runner.executors import make_executor
from wisebench.runner.fingerprint import samples_fingerprint
from wisebench.runner.shards import parse_shard, select_shard
from wisebench.runner.store import RunStore, check_run_id
from wisebench.text.task import is_text_suite

RUN_SCHEMA_VERSION = 1


@dataclass
class RunResult:
    folder: Path
    run: dict[str, Any]
    records: list[dict[str, Any]]
    summary: dict[str, Any]  # under the protocol this invocation asked for (the run's own, unless --protocol said another)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def execute_run(config: RunConfig, progress: bool = True, adapter_factory: AdapterFactory | None = None) -> RunResult:
    """Both families through one loop: the suite's samples (segmentation Samples or lm-eval documents), batches
    through the executor, records appended per batch, the summary recomputed from the records."""
    config.model = MODELS.canonical(config.model)
    check_settings(config)
    suite = open_suite(config, for_run=True)
    config.suite, config.split = suite.name, suite.split
    config.suite_fingerprint = suite.fingerprint
    if suite.protocol is not None:
        config.protocol = suite.protocol
    normalize_segmenter(config)
    whole = suite.samples
    samples = whole
    if config.shard:
        index, count = parse_shard(config.shard)
        samples = select_shard(whole, index, count)
    folder = Path(config.out) / check_run_id(config.run_id())

    with RunStore(folder) as store:
        run = store.load_run()
        if run is not None and run.get("identity") != config.identity():
            raise RunStoreError(f"{folder} holds a run with another configuration; pass another --out")
        records = store.records()
        if run is not None:  # a resume must see the samples the run started with (files may have changed)
            from wisebench.runner.resume_check import check_same_samples

            check_same_samples(folder, run, samples, records)
        finished = {record["sample_id"] for record in records}
        pending = [sample for sample in samples if sample.sample_id not in finished]
        if run is None:
            run = new_run_document(config, suite.name, suite.source, samples, suite.skipped)
            if suite.notes:  # loaded, but worth knowing (e.g. an image whose bytes are another format than its name)
                run["suite"]["notes"] = suite.notes
            if config.shard:
                run["shard"] = {"index": index, "count": count, "whole_n_samples": len(whole), "whole_samples_fingerprint": samples_fingerprint(whole)}
        session = {"started_at": now(), "resumed_from": len(finished), "pid": os.getpid(), "executor": config.executor}
        run.setdefault("sessions", []).append(session)
        run["status"] = "running" if pending else run.get("status", "running")
        store.save_run(run)

        executor = None
        bar = progress_bar(len(samples), len(finished), progress, folder.name)
        started = time.perf_counter()
        written = 0
        try:
            with session_outcome(store, run, session, started):
                if pending:
                    executor = make_executor(config, adapter_factory, config.executor, config.num_workers, config.gpus_per_worker)
                    run["model"] = executor.describe()
                    run["prompt_hash"] = prompt_template_hash(run["model"])
                    run["smoke"] = smoke_status(config, run["model"])
                    session["workers"] = executor.workers()
                    store.save_run(run)
                batches = make_batches(pending, config.batch_size)
                results = executor.results(batches) if executor else (records for records in ())
                unwritten: list = []
                try:
                    for new_records in results:
                        unwritten = new_records
                        store.append(new_records)
                        unwritten = []
                        written += len(new_records)
                        bar.update(len(new_records))
                        if executor.restarts != session.get("worker_restarts", 0):  # keep run.json's worker list current
                            session["worker_restarts"], session["workers"] = executor.restarts, executor.workers()
                            store.save_run(run)
                except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: what was already scored is written first
                    results.close()  # stops the pipeline's stages (the interruption may have come between batches)
                    written += write_once(store, [unwritten, *getattr(executor, "salvage", list)()])
                    raise
        finally:
            bar.close()
            if executor is not None:
                executor.close()

        records = store.records()
        elapsed = time.perf_counter() - started
        # Wall-clock throughput of this session: with parallel workers, per-sample seconds overstate the wall time.
        session["samples_per_second"] = round(written / elapsed, 4) if written and elapsed > 0 else None
        # Another --protocol re-scores the same records (protocols are not part of the run id): the run keeps the
        # protocol it was made under and its summary, and holds the other protocol's summary beside it, so its
        # identity never changes and both can be shown as two rows of one run.
        store_summaries(run, records, also=[config.protocol])
        summary = run["summaries"][config.protocol] if config.protocol != run["protocol"] else run["summary"]
        end_session(store, run, session, started, "complete")
        return RunResult(folder=folder, run=run, records=records, summary=summary)


def write_once(store: RunStore, batches: list[list[Any]]) -> int:
    """After an interruption: these batches' records that the file does not hold yet (the batch being written when
    the signal came was cut back, or had just landed), each written once. Returns how many were written."""
    held = {record["sample_id"] for record in store.records()}
    count = 0
    for batch in batches:
        fresh = [record for record in batch if record.sample_id not in held]
        store.append(fresh)
        held.update(record.sample_id for record in fresh)
        count += len(fresh)
    return count


def make_batches(pending: list[Any], batch_size: int) -> list[list[Any]]:
    """Batches of `batch_size` in order, never mixing a text document's repeats: a sampled repeat's generations
    depend on its seed and on which documents share its batch, so a batch holds one repeat only."""
    batches: list[list[Any]] = []
    for sample in pending:
        if batches and len(batches[-1]) < batch_size and getattr(batches[-1][-1], "repeat", None) == getattr(sample, "repeat", None):
            batches[-1].append(sample)
        else:
            batches.append([sample])
    return batches


def check_settings(config: RunConfig) -> None:
    """--set keys the model does not know are refused before anything loads, listing the ones it knows."""
    if is_text_suite(config.suite):
        return  # the text spec checks its own (TextModelSpec.with_options), before the task loads
    factory = MODELS.load(config.model)
    known = factory.known_settings() if hasattr(factory, "known_settings") else None
    if known is None:
        return  # a plugin adapter that does not declare its settings reads them itself
    unknown = sorted(set(config.settings) - set(known))
    if unknown:
        raise WisebenchError(f"unknown settings for {config.model}: {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none'})")


def normalize_segmenter(config: RunConfig) -> None:
    """Naming the model's default segmenter is the same run as naming none."""
    if config.segmenter is None or is_text_suite(config.suite):
        return
    factory = MODELS.load(config.model)
    default = factory.default_segmenter() if hasattr(factory, "default_segmenter") else None
    if default is not None and config.segmenter == default:
        config.segmenter = None


def new_run_document(config: RunConfig, suite_name: str, source: str, samples: list[Any], skipped: list[dict]) -> dict[str, Any]:
    return {
        "schema_version": RUN_SCHEMA_VERSION,
        "run_id": config.run_id(),
        "created_at": now(),
        "status": "running",
        "wisebench_version": __version__,
        "config": config.to_json(),
        "identity": config.identity(),
        "suite": {
            "name": suite_name,
            "split": config.split,
            "source": source,
            "n_samples": len(samples),
            "samples_fingerprint": samples_fingerprint(samples),
            "skipped_at_load": skipped,
        },
        "protocol": config.protocol,
        "seeds": {"seed": config.seed, "bootstrap_seed": config.seed},
        "environment": environment(),
        "smoke": smoke_status(config, {}),
        "sessions": [],
    }


def smoke_status(config: RunConfig, model: dict[str, Any]) -> dict[str, Any]:
    """A smoke run (partial suite, random weights) is kept out of the leaderboard's ranking."""
    reasons = []
    if config.limit is not None:
        reasons.append(f"limit={config.limit}")
    if model.get("random_weights"):
        reasons.append("random_weights")
    return {"is_smoke": bool(reasons), "reasons": reasons}


def prompt_template_hash(model: dict[str, Any]) -> str | None:
    template = model.get("prompt_template")
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:16] if isinstance(template, str) else None


@contextmanager
def session_outcome(store: RunStore, run: dict, session: dict, started: float) -> Iterator[None]:
    """Records in run.json how a session that did not complete ended (interrupted or failed, with the error),
    then lets the exception go on."""
    try:
        yield
    except KeyboardInterrupt:
        end_session(store, run, session, started, "interrupted")
        raise
    except WisebenchError as error:
        end_session(store, run, session, started, "failed", str(error))
        raise
    except Exception as error:
        end_session(store, run, session, started, "failed", f"{type(error).__name__}: {error}")
        raise


def end_session(store: RunStore, run: dict, session: dict, started: float, status: str, error: str | None = None) -> None:
    session["ended_at"] = now()
    session["seconds"] = round(time.perf_counter() - started, 3)
    session["status"] = status
    if error:
        session["error"] = error
    run["status"] = status
    run["updated_at"] = now()
    store.save_run(run)


class _NoProgress:
    def update(self, _: int) -> None: ...

    def close(self) -> None: ...


def progress_bar(total: int, initial: int, enabled: bool, label: str):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="sample", desc=label[:40], file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
