"""Merging shard runs (`--shard K/N`) into the run an unsharded invocation would have written.

Checks: every input is a shard of the same configuration (identity equal but for the shard) and of the same N;
the shard indices are exactly 0..N-1 (gaps and repeats named); no sample is recorded in two shards; the union of
the records is the whole split (same count and samples fingerprint as the unsharded sample list). Records are
concatenated; the summary is recomputed from them, so cIoU and the intervals are exact.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from wisebench.errors import RunStoreError
from wisebench.metrics.summary import store_summaries
from wisebench.runner.config import RunConfig
from wisebench.runner.fingerprint import records_fingerprint
from wisebench.runner.store import RunStore, check_run_id, read_records, read_run_json, writing
from wisebench.scoring.record import SampleRecord

BUILDING_PREFIX = ".merging-"  # a merge builds its run here, then renames it into place


def merge_shards(folders: list[Path], out: Path) -> Path:
    runs = [(folder, read_run_json(folder)) for folder in folders]
    problems: list[str] = []
    for folder, run in runs:
        if "shard" not in run:
            problems.append(f"{folder} is not a shard run (it was not started with --shard)")
        elif not well_formed_shard(run):
            problems.append(f"{folder / 'run.json'} is damaged: its identity, shard or config fields are malformed")
    if problems:
        raise RunStoreError("; ".join(problems))

    def identity_without_shard(run: dict) -> dict:
        return {key: value for key, value in run["identity"].items() if key != "shard"}

    reference = identity_without_shard(runs[0][1])
    count = runs[0][1]["shard"]["count"]
    for folder, run in runs[1:]:
        if identity_without_shard(run) != reference:
            differing = sorted(k for k in reference if reference.get(k) != run["identity"].get(k))
            problems.append(f"{folder} has another configuration ({', '.join(differing)} differ)")
        if run["shard"]["count"] != count:
            problems.append(f"{folder} is a shard of {run['shard']['count']}, not {count}")
    indices = [run["shard"]["index"] for _, run in runs]
    repeated = sorted({index for index in indices if indices.count(index) > 1})
    missing = sorted(set(range(count)) - set(indices))
    if repeated:
        problems.append(f"shard(s) {', '.join(f'{i}/{count}' for i in repeated)} given more than once")
    if missing:
        problems.append(f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing")
    incomplete = [str(folder) for folder, run in runs if run.get("status") != "complete"]
    if incomplete:
        problems.append(f"not complete (resume them first): {', '.join(incomplete)}")
    if problems:
        raise RunStoreError("cannot merge: " + "; ".join(problems))

    runs.sort(key=lambda item: item[1]["shard"]["index"])
    records: list[dict] = []
    owner: dict[str, Path] = {}
    for folder, _ in runs:
        for record in read_records(folder):
            if record["sample_id"] in owner:
                problems.append(f"sample {record['sample_id']!r} is in both {owner[record['sample_id']]} and {folder}")
            owner[record["sample_id"]] = folder
            records.append(record)
    whole = runs[0][1]["shard"]
    if len(records) != whole["whole_n_samples"]:
        problems.append(f"the shards hold {len(records)} samples, the split has {whole['whole_n_samples']}")
    elif records_fingerprint(records) != whole["whole_samples_fingerprint"]:
        problems.append("the shards' samples are not the split's samples (fingerprint differs)")
    if problems:
        raise RunStoreError("cannot merge: " + "; ".join(problems[:10]))

    first = runs[0][1]
    config = RunConfig.from_json(first["config"]).unsharded()
    config.out = str(out)
    folder = out / check_run_id(config.run_id())
    if folder.exists():
        raise RunStoreError(f"{folder} already exists: remove it or merge into another --out")
    merged: dict[str, Any] = {key: value for key, value in first.items() if key not in ("shard", "summary", "summaries", "sessions")}
    merged.update(
        run_id=config.run_id(),
        config=config.to_json(),
        identity=config.identity(),
        status="complete",
        merged_from=[{"run_id": run["run_id"], "folder": str(path), "shard": f"{run['shard']['index']}/{count}"} for path, run in runs],
        sessions=[session for _, run in runs for session in run.get("sessions", [])],
        smoke=first.get("smoke"),
    )
    merged["suite"] = {**first["suite"], "n_samples": whole["whole_n_samples"], "samples_fingerprint": whole["whole_samples_fingerprint"]}
    # The headline summary, and the re-scores under other protocols that any shard holds, over the whole run's records.
    store_summaries(merged, records, also=[protocol for _, shard in runs for protocol in (shard.get("summaries") or {})])
    # Written in a temporary sibling and renamed into place: a merge killed halfway leaves no half run behind (its
    # folder is removed by the next merge into the same --out), and of concurrent merges exactly one rename wins.
    with writing(out, "create"):
        out.mkdir(parents=True, exist_ok=True)
    with merges_excluded(out):  # no other merge cleans up while this one creates and locks its build folder
        remove_killed_merges(out)
        with writing(out, "create a folder in"):
            building = Path(tempfile.mkdtemp(prefix=f"{BUILDING_PREFIX}{folder.name}.", dir=out))
        store = RunStore(building).acquire()  # held through the rename: a live build is never taken for a leftover
    try:
        store.append(SampleRecord.from_json(record) for record in records)
        store.save_run(merged)
        publish(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        store.close()
    return folder


@contextmanager
def merges_excluded(out: Path) -> Iterator[None]:
    """An exclusive lock on the `out` folder itself (flock works on a folder's descriptor, and leaves no file
    behind) for the short moment a merge cleans up and starts its build."""
    import fcntl

    with writing(out, "open"):
        descriptor = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def well_formed_shard(run: dict) -> bool:
    """The run.json fields a merge reads, with the types it reads them as."""
    shard = run.get("shard")
    return (
        isinstance(run.get("identity"), dict)
        and isinstance(run.get("config"), dict)
        and isinstance(run.get("suite"), dict)
        and isinstance(shard, dict)
        and all(isinstance(shard.get(key), int) for key in ("index", "count", "whole_n_samples"))
        and isinstance(shard.get("whole_samples_fingerprint"), str)
    )


def publish(building: Path, folder: Path) -> None:
    """Rename the finished build into place, unless another merge got there first."""
    if folder.exists():
        raise RunStoreError(f"{folder} already exists: remove it or merge into another --out")
    try:
        os.rename(building, folder)  # replaces an empty folder only; a finished run folder is never empty
    except OSError as error:
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise RunStoreError(f"{folder} already exists (another merge finished first): remove it or merge into another --out") from error
        raise RunStoreError(f"cannot move the merged run into {folder}: {error.strerror or error}") from error


def remove_killed_merges(out: Path) -> list[Path]:
    """Build folders of merges that were killed: those whose lock no live merge holds."""
    removed = []
    for candidate in out.glob(f"{BUILDING_PREFIX}*"):
        if not candidate.is_dir():
            continue
        try:
            with RunStore(candidate):
                pass
        except RunStoreError:  # locked: a merge is building it right now
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed
