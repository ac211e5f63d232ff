"""Checking a run folder before it joins the board. Every problem found is reported, one message each.

A run is accepted when: its files are plain files within the board's size bounds (board/untrusted.py); run.json and
every record match their schema (version included); the run is complete, not a declared smoke run (limit, random
weights) and not a shard; its run id, identity and model description are what its configuration gives
(board/identity.py); its records are exactly the suite split's samples; every record's scores hold their bounds and,
with the suite's ground truth at hand, are the ones its mask gives (board/rescore.py); and its stored summary is the
one its records give. The files are read once: the bytes that were checked are the bytes the board stores, so a file
changed during the check cannot slip in. Whether an accepted run is ranked is decided by board/ranking.py from what
the check established (verified or not, samples left out).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wisebench.board.identity import identity_problems
from wisebench.board.rescore import SHAPE_MISMATCH, bound_problems, rescore_problems, zero_record
from wisebench.board.sample_set import SampleSetCheck, check_sample_set
from wisebench.board.summary_check import recompute_summary, summary_differences
from wisebench.board.text_rescore import text_rescore_problems
from wisebench.board.untrusted import (
    MAX_RECORD_LINE_BYTES,
    MAX_RECORDS,
    MAX_RECORDS_BYTES,
    MAX_RUN_JSON_BYTES,
    UntrustedInputError,
    parse_json,
    read_regular_file,
)
from wisebench.errors import BadSampleError, WisebenchError
from wisebench.metrics.iou import PROTOCOLS
from wisebench.metrics.summary import summarize_run
from wisebench.runner.store import RECORDS_FILE, RUN_FILE
from wisebench.schemas.validate import schema_problems
from wisebench.text.task import is_text_suite

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
    unverified: str | None = "not checked"  # why the sample set and the scores were not re-derived here; None: they were
    row_summary: dict[str, Any] | None = None  # the board row's figures: skipped samples scored IoU 0 (None: `summary`)
    # The run re-scored under other protocols (`wisebench run --protocol P` on a finished run): one more board row
    # each, for the same run. Recomputed from the records, like `summary`.
    other_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    other_row_summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    n_left_out: int = 0  # samples skipped as bad input or dropped for a mask of the wrong size
    n_samples: int = 0  # the split's samples, as the run (or the suite here) gives them
    sample_set_verified: bool = False  # the records' sample set was matched against the suite's data here
    split_ids: frozenset[str] | None = None  # the split's sample ids in the data here (sample_set.split_ids)


def _read(folder: Path, name: str, max_bytes: int, problems: list[str]) -> bytes | None:
    try:
        return read_regular_file(folder / name, max_bytes)
    except FileNotFoundError:
        problems.append(f"{name} is missing from {folder}")
    except UntrustedInputError as error:
        problems.append(str(error))
    return None


def parse_records(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """All records, duplicates included (the sample-set check names them); problems for damaged or oversized
    lines. Lines are read one at a time, every line (a damaged one too) counts against MAX_RECORDS, and after
    MAX_RECORD_PROBLEMS problems reading stops: a file of millions of bad lines costs neither time nor memory."""
    problems: list[str] = []
    if data and not data.endswith(b"\n"):
        problems.append(f"{RECORDS_FILE} ends in a partial line: the run was interrupted; resume it before submitting")
    records: list[dict[str, Any]] = []
    lines = 0
    for number, line in enumerate(io.BytesIO(data), start=1):
        if not line.strip():
            continue
        lines += 1
        if lines > MAX_RECORDS:
            problems.append(f"{RECORDS_FILE} holds more than the board's limit of {MAX_RECORDS} records")
            break
        if len(problems) > MAX_RECORD_PROBLEMS:
            problems.append(f"{RECORDS_FILE}: more damaged lines after line {number - 1}; reading stopped")
            break
        if len(line) > MAX_RECORD_LINE_BYTES:
            problems.append(f"{RECORDS_FILE} line {number}: {len(line)} bytes, over the board's limit of {MAX_RECORD_LINE_BYTES}")
            continue
        try:
            record = parse_json(line, f"{RECORDS_FILE} line {number}", explain=False)
        except UntrustedInputError as error:
            problems.append(str(error))
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


def _score_problems(run: dict[str, Any], records: list[dict[str, Any]], sample_set: SampleSetCheck) -> tuple[list[str], dict[str, Any]]:
    """Per-record score problems (bounds always; re-derived from the masks when the suite's samples are here),
    and the skipped records as ranked rows count them (IoU 0), by sample id."""
    problems: list[str] = []
    zeros: dict[str, Any] = {}
    for record in records:
        where = f"{RECORDS_FILE} sample {record['sample_id']!r}"
        found = bound_problems(record)
        sample = sample_set.samples.get(record["sample_id"])
        if sample is not None:
            try:
                gt = sample.load_gt_mask()
            except BadSampleError as error:
                sample_set.verified = False
                sample_set.notes.append(f"the ground truth of {record['sample_id']!r} cannot be read here ({error.problem}): scores not re-derived")
                sample_set.samples = {}
            else:
                found += [problem for problem in rescore_problems(record, sample, gt) if problem not in found]
                if record.get("skipped"):
                    zeros[record["sample_id"]] = zero_record(record, sample, gt)
        problems += [f"{where}: {problem}" for problem in found]
    return problems, zeros


def _other_protocol_summaries(run: dict[str, Any], records: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """run.json's `summaries` (the run re-scored under other protocols), each checked against its records."""
    stored = run.get("summaries")
    if stored is None:
        return {}, []
    if not isinstance(stored, dict):
        return {}, ["run.json's summaries is not an object of protocol -> summary"]
    summaries, problems = {}, []
    for protocol, summary in stored.items():
        if protocol not in PROTOCOLS or protocol == run["protocol"]:
            problems.append(f"run.json's summaries names {str(protocol)[:40]!r}: not another metric protocol ({', '.join(PROTOCOLS)})")
            continue
        recomputed = summarize_run(run, records, protocol=protocol)
        differences = summary_differences(summary, recomputed, path=f"summaries.{protocol}")
        if differences:
            problems.append(f"the stored {protocol} summary does not match its records in {len(differences)} value(s): {'; '.join(differences[:MAX_SUMMARY_DIFFERENCES])}")
        else:
            summaries[protocol] = recomputed
    return summaries, problems


def _left_out(run: dict[str, Any], records: list[dict[str, Any]]) -> int:
    """Samples in no figure as bad input: skipped records, the suite's load-time skips, wrong-size masks."""
    skipped = sum(1 for record in records if record.get("skipped")) + len((run.get("suite") or {}).get("skipped_at_load") or [])
    wrong_size = sum(1 for record in records if not record.get("skipped") and str((record.get("prediction") or {}).get("failure")).startswith(SHAPE_MISMATCH))
    return skipped + wrong_size


def _unverified(run: dict[str, Any], sample_set: SampleSetCheck, text_unverified: str | None) -> str | None:
    if not sample_set.verified:
        return "the suite's data was not available here to re-derive the sample set and the scores"
    return text_unverified if is_text_suite(run["suite"]["name"]) else None


def check_run_folder(folder: Path, data_dir: str | None = None) -> CheckedRun:
    """Check the run in `folder`; raise SubmissionRejected listing every problem. `data_dir` is where this
    machine keeps the suite's data (None: the default data root); the run's own data_dir is never used."""
    problems: list[str] = []
    if not folder.is_dir():
        raise SubmissionRejected(str(folder), [f"{folder} is not a run folder"])
    run_bytes = _read(folder, RUN_FILE, MAX_RUN_JSON_BYTES, problems)
    records_bytes = _read(folder, RECORDS_FILE, MAX_RECORDS_BYTES, problems)
    if run_bytes is None or records_bytes is None:
        raise SubmissionRejected(str(folder), problems)
    try:
        run = parse_json(run_bytes, RUN_FILE)
    except UntrustedInputError as error:
        raise SubmissionRejected(str(folder), [str(error)]) from None

    run_problems = schema_problems(run, "run", RUN_FILE)
    records, record_problems = parse_records(records_bytes)
    for record in records:
        record_problems += schema_problems(record, "record", f"{RECORDS_FILE} sample {record['sample_id']!r}")
    problems += run_problems + _capped(record_problems, MAX_RECORD_PROBLEMS, "record problems")
    if run_problems:  # the checks below read fields the schema guarantees
        raise SubmissionRejected(str(folder), problems)

    problems += eligibility_problems(run)
    problems += identity_problems(run)
    sample_set = check_sample_set(run, records, data_dir)
    problems += sample_set.problems
    zeros: dict[str, Any] = {}
    text_unverified: str | None = "the responses were not re-scored"
    if not record_problems and not is_text_suite(run["suite"]["name"]):
        score_problems, zeros = _score_problems(run, records, sample_set)
        problems += _capped(score_problems, MAX_RECORD_PROBLEMS, "score problems")
    elif not record_problems and sample_set.verified:
        score_problems, text_unverified = text_rescore_problems(run, records, data_dir)
        problems += _capped(score_problems, MAX_RECORD_PROBLEMS, "score problems")
    notes = list(sample_set.notes)
    if is_text_suite(run["suite"]["name"]) and sample_set.verified:
        notes.append(f"responses not re-scored: {text_unverified}" if text_unverified else "every response re-scored by the task's own filters and metrics here")

    # Recompute from one record per sample, so a duplicated line is reported once (above), not again here.
    unique = list({record["sample_id"]: record for record in reversed(records)}.values())[::-1]
    summary: dict[str, Any] = {}
    if not record_problems:
        try:
            summary = recompute_summary(run, unique)
        except (ValueError, KeyError, TypeError, WisebenchError) as error:
            problems.append(f"the records cannot be summarized: {error}")
    other_summaries: dict[str, dict[str, Any]] = {}
    if summary:
        other_summaries, other_problems = _other_protocol_summaries(run, unique)
        problems += other_problems
    if summary and run.get("summary") is not None:
        differences = summary_differences(run["summary"], summary)
        if differences:
            shown = "; ".join(differences[:MAX_SUMMARY_DIFFERENCES])
            more = f" (and {len(differences) - MAX_SUMMARY_DIFFERENCES} more)" if len(differences) > MAX_SUMMARY_DIFFERENCES else ""
            problems.append(f"the stored summary does not match its records in {len(differences)} value(s): {shown}{more}")
    if problems:
        raise SubmissionRejected(str(folder), problems)

    skipped = summary.get("n_skipped", 0)  # skipped records and the suite's load-time skips (summarize_run)
    row_summary = None
    other_row_summaries: dict[str, dict[str, Any]] = {}
    if skipped:
        if sample_set.verified and zeros:
            zero_scored = [zeros.get(record["sample_id"], record) for record in unique]
            row_summary = recompute_summary(run, zero_scored)
            other_row_summaries = {protocol: summarize_run(run, zero_scored, protocol=protocol) for protocol in other_summaries}
        scored_zero = f"; {len(zeros)} of them score IoU 0 in its figures" if row_summary is not None else ""
        notes.append(f"{skipped} sample(s) were skipped as bad input: the row is flagged on the board{scored_zero}")
    return CheckedRun(
        run=run,
        records=records,
        summary=summary,
        run_bytes=run_bytes,
        records_bytes=records_bytes,
        notes=notes,
        unverified=_unverified(run, sample_set, text_unverified),
        row_summary=row_summary,
        other_summaries=other_summaries,
        other_row_summaries=other_row_summaries,
        n_left_out=_left_out(run, unique),
        n_samples=int(run["suite"]["n_samples"]) + len(run["suite"].get("skipped_at_load") or []),
        sample_set_verified=sample_set.verified,
        split_ids=sample_set.split_ids,
    )
