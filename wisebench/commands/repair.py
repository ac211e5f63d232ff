"""`wisebench repair RUN`: make a damaged records.jsonl readable again, keeping what can be trusted.

wisebench never writes a sample twice, but a second writer can get in when someone deletes the run's .lock while
a run is going: then records.jsonl holds some samples twice and every command refuses it. Repair keeps the first
record of each sample (the one the run's own session wrote first), drops lines that are not records (damaged JSON,
no sample_id) and a partial last line, saves the original beside it (records.jsonl.before-repair-<time>), writes
the result atomically and recomputes the stored summary. Dropped samples are simply pending: a resume redoes them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wisebench.errors import RunStoreError

NAME = "repair"
HELP = "repair a run whose records.jsonl holds duplicated or damaged lines (keeps the first record of each sample)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run folder, or run id under --out")
    parser.add_argument("--out", default="runs", help="folder that holds run folders (default ./runs)")


@dataclass
class RepairReport:
    kept: int = 0
    duplicates: list[str] = field(default_factory=list)  # "line N: sample X (first at line M)"
    damaged: list[str] = field(default_factory=list)  # "line N: why"
    partial_last_line: bool = False
    backup: Path | None = None

    @property
    def changed(self) -> bool:
        return bool(self.duplicates or self.damaged or self.partial_last_line)


def first_record_of_each_sample(raw: bytes, path: Path) -> tuple[list[bytes], RepairReport]:
    """The lines to keep (the first valid record of each sample, in file order) and what was dropped."""
    from wisebench.runner.store import parse_record_line

    report = RepairReport()
    end = raw.rfind(b"\n") + 1
    report.partial_last_line = end < len(raw)
    kept: list[bytes] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(raw[:end].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = parse_record_line(line, path, number)
        except RunStoreError as error:
            report.damaged.append(str(error).removeprefix(f"{path} "))
            continue
        sample_id = record["sample_id"]
        if sample_id in first_line:
            report.duplicates.append(f"line {number}: sample {sample_id!r} (first at line {first_line[sample_id]})")
            continue
        first_line[sample_id] = number
        kept.append(line)
    report.kept = len(kept)
    return kept, report


def repair_run(folder: Path) -> RepairReport:
    """Repair `folder` in place under its writer lock (refused while a run is writing it)."""
    import os

    from wisebench.metrics.summary import store_summaries
    from wisebench.runner.store import RECORDS_FILE, RunStore, read_records, writing

    with RunStore(folder) as store:
        path = folder / RECORDS_FILE
        if not path.exists():
            return RepairReport()
        with writing(path, "read"):
            raw = path.read_bytes()
        kept, report = first_record_of_each_sample(raw, path)
        if not report.changed:
            return report
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        report.backup = folder / f"{RECORDS_FILE}.before-repair-{stamp}"
        with writing(report.backup, "write"):
            report.backup.write_bytes(raw)
            repaired = folder / f".{RECORDS_FILE}.repairing"
            with open(repaired, "wb") as stream:
                stream.write(b"".join(line + b"\n" for line in kept))
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(repaired, path)
        run = store.load_run()
        if run is not None:
            records = read_records(folder)
            repair_note: dict[str, Any] = {
                "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "kept": report.kept,
                "dropped_duplicates": len(report.duplicates),
                "dropped_damaged": len(report.damaged),
                "backup": report.backup.name,
            }
            run.setdefault("repairs", []).append(repair_note)
            expected = int((run.get("suite") or {}).get("n_samples") or 0)
            if run.get("status") == "complete" and len({record["sample_id"] for record in records}) < expected:
                run["status"] = "interrupted"  # damaged lines dropped: those samples are pending again; re-run to finish
            if "summary" in run:  # a run that has finished a session: its summaries follow the repaired records
                store_summaries(run, records)
            store.save_run(run)
    return report


def run(args: argparse.Namespace) -> int:
    from wisebench.runner.store import resolve_run_folder

    folder = resolve_run_folder(args.run, args.out)
    report = repair_run(folder)
    if not report.changed:
        print(f"{folder}: nothing to repair ({report.kept} records, no duplicated or damaged lines)")
        return 0
    print(f"{folder}: kept {report.kept} records (the first of each sample); original saved as {report.backup}")
    for title, lines in (("duplicated records dropped", report.duplicates), ("damaged lines dropped", report.damaged)):
        if lines:
            print(f"  {title}: {len(lines)}")
            for line in lines[:10]:
                print(f"    {line}")
    if report.partial_last_line:
        print("  a partial last line (a write cut short) was dropped")
    print("re-run the same command (or `wisebench run --resume RUN`) to redo any sample that lost its only record")
    return 0

