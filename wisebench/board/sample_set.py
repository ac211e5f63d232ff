"""Does a run hold exactly its suite split's samples (none missing, none extra, none twice)?

The reference is the suite itself, loaded through the registry from a data location chosen by whoever checks the
run (never from a path inside the submission). When that data is not available here, the fallback is the run's own
record of its sample set: count and fingerprint (sample ids and queries) from run.json, recomputed from records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from wisebench.errors import WisebenchError
from wisebench.runner.fingerprint import records_fingerprint

MAX_LISTED_IDS = 5


@dataclass
class SampleSetCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the check was made; accepted-but-flagged facts


def _listed(ids: set[str] | list[str]) -> str:
    ordered = sorted(ids)
    more = f" and {len(ordered) - MAX_LISTED_IDS} more" if len(ordered) > MAX_LISTED_IDS else ""
    return ", ".join(repr(sample_id) for sample_id in ordered[:MAX_LISTED_IDS]) + more


def suite_samples(suite_name: str, split: str, data_dir: str | None, skip_bad: bool) -> tuple[dict[str, str], list]:
    """sample id -> query for the split, and the entries the suite skipped as bad input. Raises WisebenchError
    when the suite or its data is not available here."""
    from wisebench.registry import SUITES

    suite = SUITES.load(suite_name)()
    loaded = suite.load(split, data_dir, skip_bad=skip_bad)
    return {sample.sample_id: sample.query for sample in loaded.samples}, loaded.skipped


def check_sample_set(run: dict[str, Any], records: list[dict[str, Any]], data_dir: str | None) -> SampleSetCheck:
    check = SampleSetCheck()
    counts = Counter(str(record["sample_id"]) for record in records)
    duplicated = {sample_id for sample_id, count in counts.items() if count > 1}
    if duplicated:
        check.problems.append(f"sample(s) recorded more than once: {_listed(duplicated)}")
    recorded = set(counts)
    suite, split = run["suite"]["name"], run["suite"]["split"]
    try:
        expected, _ = suite_samples(suite, split, data_dir, bool(run["config"].get("skip_bad")))
    except WisebenchError as error:
        check.notes.append(
            f"suite data for {suite}/{split} is not available here ({error}); checked the records against "
            f"run.json's sample count and fingerprint instead (pass --data-dir to check against the suite itself)"
        )
        _check_against_run_json(run, records, recorded, duplicated, check)
        return check

    missing, extra = set(expected) - recorded, recorded - set(expected)
    if missing:
        check.problems.append(f"{len(missing)} sample(s) of {suite}/{split} have no record: {_listed(missing)}")
    if extra:
        check.problems.append(f"{len(extra)} record(s) are not samples of {suite}/{split}: {_listed(extra)}")
    changed = {str(r["sample_id"]) for r in records if str(r["sample_id"]) in expected and r.get("query") != expected[str(r["sample_id"])]}
    if changed:
        check.problems.append(f"{len(changed)} record(s) carry another query than the suite's: {_listed(changed)}")
    check.notes.append(f"sample set checked against the suite {suite}/{split} ({len(expected)} samples)")
    return check


def _check_against_run_json(run: dict, records: list[dict], recorded: set[str], duplicated: set[str], check: SampleSetCheck) -> None:
    expected_count = run["suite"]["n_samples"]
    if len(recorded) != expected_count:
        check.problems.append(f"the records hold {len(recorded)} distinct samples, run.json says the split has {expected_count}")
    unique = list({str(record["sample_id"]): record for record in records}.values())
    if not duplicated and len(recorded) == expected_count and records_fingerprint(unique) != run["suite"]["samples_fingerprint"]:
        check.problems.append("the records' sample ids and queries do not match run.json's samples_fingerprint")
