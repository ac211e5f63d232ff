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
from typing import Any, Callable, Iterator

from wisebench import __version__
from wisebench.adapters.base import Adapter
from wisebench.data.sample import Sample
from wisebench.errors import RunStoreError, WisebenchError
from wisebench.metrics.summary import summarize_run
from wisebench.registry import MODELS, SUITES
from wisebench.runner.config import RunConfig
from wisebench.runner.environment import environment
from wisebench.runner.executors import make_executor
from wisebench.runner.fingerprint import samples_fingerprint
from wisebench.runner.shards import parse_shard, select_shard
from wisebench.runner.store import RunStore, check_run_id

RUN_SCHEMA_VERSION = 1


@dataclass
class RunResult:
    folder: Path
    run: dict[str, Any]
    records: list[dict[str, Any]]


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def build_adapter(config: RunConfig) -> Adapter:
    factory = MODELS.load(config.model)
    return factory(config.model_options())


def execute_run(config: RunConfig, progress: bool = True, adapter_factory: Callable[[RunConfig], Adapter] | None = None) -> RunResult:
    from wisebench.text.task import is_text_suite

    if is_text_suite(config.suite):  # lm-eval owns the loop; same store, run document and summary
        from wisebench.text.runner import execute_text_run

        return execute_text_run(config, progress)
    suite = SUITES.load(config.suite)()
    config.suite = suite.name
    config.model = MODELS.canonical(config.model)
    config.split = config.split or suite.default_split
    loaded = suite.load(config.split, config.data_dir, skip_bad=config.skip_bad)
    whole = loaded.samples[: config.limit] if config.limit is not None else loaded.samples
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
        finished = {record["sample_id"] for record in records}
        pending = [sample for sample in samples if sample.sample_id not in finished]
        if run is None:
            run = new_run_document(config, suite.name, loaded.source, samples, loaded.skipped)
            if config.shard:
                run["shard"] = {"index": index, "count": count, "whole_n_samples": len(whole), "whole_samples_fingerprint": samples_fingerprint(whole)}
        session = {"started_at": now(), "resumed_from": len(finished), "pid": os.getpid(), "executor": config.executor}
        run.setdefault("sessions", []).append(session)
        run["status"] = "running" if pending else run.get("status", "running")
        store.save_run(run)

        executor = None
        bar = _progress_bar(len(samples), len(finished), progress, folder.name)
        started = time.perf_counter()
        written = 0
        try:
            with session_outcome(store, run, session, started):
                if pending:
                    executor = make_executor(config, adapter_factory, config.executor, config.num_workers, config.gpus_per_worker)
                    run["model"] = executor.describe()
                    run["prompt_hash"] = _prompt_template_hash(run["model"])
                    run["smoke"] = smoke_status(config, run["model"])
                    session["workers"] = executor.workers()
                    store.save_run(run)
                batches = [pending[start : start + config.batch_size] for start in range(0, len(pending), config.batch_size)]
                for new_records in executor.results(batches) if executor else []:
                    store.append(new_records)
                    written += len(new_records)
                    bar.update(len(new_records))
                    if executor.restarts != session.get("worker_restarts", 0):  # keep run.json's worker list current
                        session["worker_restarts"], session["workers"] = executor.restarts, executor.workers()
                        store.save_run(run)
        finally:
            bar.close()
            if executor is not None:
                executor.close()

        records = store.records()
        elapsed = time.perf_counter() - started
        # Wall-clock throughput of this session: with parallel workers, per-sample seconds overstate the wall time.
        session["samples_per_second"] = round(written / elapsed, 4) if written and elapsed > 0 else None
        # Re-running with another --protocol re-scores the same records (the protocol is not part of the run id):
        # the stored summary and the run's headline protocol change together, so the run stays checkable.
        run["protocol"] = run["config"]["protocol"] = config.protocol  # --resume rebuilds the config from run.json
        run["summary"] = summarize_run(run, records)
        _end_session(store, run, session, started, "complete")
        return RunResult(folder=folder, run=run, records=records)


def new_run_document(config: RunConfig, suite_name: str, source: str, samples: list[Sample], skipped: list[dict]) -> dict[str, Any]:
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


def _prompt_template_hash(model: dict[str, Any]) -> str | None:
    template = model.get("prompt_template")
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:16] if isinstance(template, str) else None


@contextmanager
def session_outcome(store: RunStore, run: dict, session: dict, started: float) -> Iterator[None]:
    """Records in run.json how a session that did not complete ended (interrupted or failed, with the error),
    then lets the exception go on. Shared by the segmentation and the text runners."""
    try:
        yield
    except KeyboardInterrupt:
        _end_session(store, run, session, started, "interrupted")
        raise
    except WisebenchError as error:
        _end_session(store, run, session, started, "failed", str(error))
        raise
    except Exception as error:
        _end_session(store, run, session, started, "failed", f"{type(error).__name__}: {error}")
        raise


def _end_session(store: RunStore, run: dict, session: dict, started: float, status: str, error: str | None = None) -> None:
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


def _progress_bar(total: int, initial: int, enabled: bool, label: str):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="sample", desc=label[:40], file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
