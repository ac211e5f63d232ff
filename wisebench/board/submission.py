"""Checking a run folder before it joins the board. Every problem found is reported, one message each.

A run is accepted when: run.json and every record match their schema (version included); the run is complete,
not a smoke run (limit, random weights) and not a shard; its records are exactly the suite split's samples; and its
stored summary is the one its records give. The files are read once: the bytes that were checked are the bytes the
board stores, so a file changed during the check cannot slip in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wisebench.board.sample_set import check_sample_set
from wisebench.board.summary_check import recompute_summary, summary_differences
from wisebench.errors import WisebenchError
from wisebench.runner.store import RECORDS_FILE, RUN_FILE
from wisebench.schemas.validate import schema_problems

MAX_RECORD_PROBLEMS = 10  # a damaged file would otherwise give one message per line
MAX_SUMMARY_DIFFERENCES = 5


class SubmissionRejected(WisebenchError):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"submission {source} rejected ({len(problems)} problem(s)):\n{listing}")


@dataclass
class CheckedRun:
    run: dict[str, Any]
    records: list[dict[str, Any]]
    summary: dict[str, Any]  # recomputed from the records (equal to the stored one)
    run_bytes: bytes
    records_bytes: bytes
    notes: list[str] = field(default_factory=list)


def _read(folder: Path, name: str, problems: list[str]) -> bytes | None:
    path = folder / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problems.append(f"{name} is missing from {folder}")
    except OSError as error:
        problems.append(f"{name}: cannot be read ({error.strerror})")
    return None


def parse_records(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """All records, duplicates included (the sample-set check names them); problems for damaged lines."""
    problems: list[str] = []
    if data and not data.endswith(b"\n"):
        problems.append(f"{RECORDS_FILE} ends in a partial line: the run was interrupted; resume it before submitting")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            problems.append(f"{RECORDS_FILE} line {number}: not valid JSON")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("sample_id"), str):
            problems.append(f"{RECORDS_FILE} line {number}: not a record (no sample_id)")
            continue
        records.append(record)
    return records, problems


def _capped(problems: list[str], limit: int, what: str) -> list[str]:
    if len(problems) <= limit:
        return problems
    return problems[:limit] + [f"... and {len(problems) - limit} more {what}"]


def eligibility_problems(run: dict[str, Any]) -> list[str]:
    """Runs the board never ranks: unfinished, smoke, partial or sharded runs, and inconsistent metadata."""
    problems = []
    config, suite = run["config"], run["suite"]
    if run["status"] != "complete":
        problems.append(f"the run is {run['status']!r}, not complete: finish it (re-run the same command) first")
    if run["smoke"]["is_smoke"] or (run.get("model") or {}).get("random_weights"):
        reasons = ", ".join(run["smoke"]["reasons"]) or "random weights"
        problems.append(f"a smoke run ({reasons}) is never ranked")
    if config.get("limit") is not None and "limit" not in " ".join(run["smoke"]["reasons"]):
        problems.append(f"config.limit={config['limit']}: only part of the split was run")
    if "shard" in run or config.get("shard"):
        problems.append("a shard of a run: merge all shards first (wisebench merge) and submit the merged run")
    if suite["name"] != config["suite"] or suite["split"] != config["split"]:
        problems.append(f"suite {suite['name']}/{suite['split']} disagrees with config {config['suite']}/{config['split']}")
    summary = run.get("summary")
    if summary is None:
        problems.append("run.json has no summary: the run did not finish")
    elif summary.get("protocol") != run["protocol"]:
        problems.append(f"the summary's protocol {summary.get('protocol')!r} is not the run's {run['protocol']!r}")
    return problems


def check_run_folder(folder: Path, data_dir: str | None = None) -> CheckedRun:
    """Check the run in `folder`; raise SubmissionRejected listing every problem. `data_dir` is where this
    machine keeps the suite's data (None: the default data root); the run's own data_dir is never used."""
    problems: list[str] = []
    run_bytes = _read(folder, RUN_FILE, problems)
    records_bytes = _read(folder, RECORDS_FILE, problems)
    if run_bytes is None or records_bytes is None:
        raise SubmissionRejected(str(folder), problems)
    try:
        run = json.loads(run_bytes)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SubmissionRejected(str(folder), [f"{RUN_FILE}: not valid JSON ({error})"]) from error

    run_problems = schema_problems(run, "run", RUN_FILE)
    records, record_problems = parse_records(records_bytes)
    for record in records:
        record_problems += schema_problems(record, "record", f"{RECORDS_FILE} sample {record['sample_id']!r}")
    problems += run_problems + _capped(record_problems, MAX_RECORD_PROBLEMS, "record problems")
    if run_problems:  # the checks below read fields the schema guarantees
        raise SubmissionRejected(str(folder), problems)

    problems += eligibility_problems(run)
    sample_set = check_sample_set(run, records, data_dir)
    problems += sample_set.problems
    notes = list(sample_set.notes)

    # Recompute from one record per sample, so a duplicated line is reported once (above), not again here.
    unique = list({record["sample_id"]: record for record in reversed(records)}.values())[::-1]
    summary: dict[str, Any] = {}
    if not record_problems:
        try:
            summary = recompute_summary(run, unique)
        except (ValueError, KeyError, TypeError, WisebenchError) as error:
            problems.append(f"the records cannot be summarized: {error}")
    if summary and run.get("summary") is not None:
        differences = summary_differences(run["summary"], summary)
        if differences:
            shown = "; ".join(differences[:MAX_SUMMARY_DIFFERENCES])
            more = f" (and {len(differences) - MAX_SUMMARY_DIFFERENCES} more)" if len(differences) > MAX_SUMMARY_DIFFERENCES else ""
            problems.append(f"the stored summary does not match its records in {len(differences)} value(s): {shown}{more}")
    if problems:
        raise SubmissionRejected(str(folder), problems)

    skipped = summary.get("n_skipped", 0)  # skipped records and the suite's load-time skips (summarize_run)
    if skipped:
        notes.append(f"{skipped} sample(s) were skipped as bad input: the row is flagged on the board")
    return CheckedRun(run=run, records=records, summary=summary, run_bytes=run_bytes, records_bytes=records_bytes, notes=notes)
