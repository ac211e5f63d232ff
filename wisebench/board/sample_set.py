"""Does a run hold exactly its suite split's samples (none missing, none extra, none twice)?

The reference is the suite itself, loaded through the registry from a data location chosen by whoever checks the
run (never from a path inside the submission). When that data is not available here, the fallback is the run's own
record of its sample set: count and fingerprint (sample ids and queries) from run.json, recomputed from records.

An `lm-eval:TASK` suite's reference is the task as lm-eval loads it on this machine (wisebench.text.task): a task
lm-eval knows by name from its own registry and this machine's datasets cache; a task YAML only when it lies inside
the checker's data folder, since a YAML path in run.json names a file on the submitter's machine (and lm-eval YAML can
run code). Sample ids are doc ids, or "doc/rK" per sampled repeat; queries are lm-eval's prompt texts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wisebench.data.sample import Sample
from wisebench.errors import WisebenchError
from wisebench.runner.fingerprint import records_fingerprint
from wisebench.text.task import SUITE_PREFIX, is_text_suite, yaml_path

MAX_LISTED_IDS = 5


@dataclass
class SampleSetCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the check was made; accepted-but-flagged facts
    verified: bool = False  # checked against the suite as loaded here (not only run.json's fingerprint)
    samples: dict[str, Sample] = field(default_factory=dict)  # segmentation suites: the split's samples, by id
    # Segmentation suites checked here: the split's sample ids as this machine's data holds them, the samples the
    # loader skipped as bad input included (what the published-split check counts); None when a skipped entry does
    # not say which samples it held (its size is then unknown) or the suite was not loaded here.
    split_ids: frozenset[str] | None = None


def _listed(ids: set[str] | list[str]) -> str:
    ordered = sorted(ids)
    more = f" and {len(ordered) - MAX_LISTED_IDS} more" if len(ordered) > MAX_LISTED_IDS else ""
    return ", ".join(repr(sample_id) for sample_id in ordered[:MAX_LISTED_IDS]) + more


def suite_samples(suite_name: str, split: str, data_dir: str | None, skip_bad: bool) -> tuple[dict[str, Sample], list]:
    """sample id -> Sample for the split, and the entries the suite skipped as bad input. Raises WisebenchError
    when the suite or its data is not available here."""
    from wisebench.registry import SUITES

    suite = SUITES.load(suite_name)()
    loaded = suite.load(split, data_dir, skip_bad=skip_bad)
    return {sample.sample_id: sample for sample in loaded.samples}, loaded.skipped


def split_ids(samples: dict[str, Sample], skipped: list[dict]) -> frozenset[str] | None:
    """The ids of the split's samples, loaded or skipped as bad input; None if a skip does not name its samples (a
    RefCOCO ref whose sentences cannot be read). An image without an annotation is not a sample."""
    ids = set(samples)
    for entry in skipped:
        if entry.get("not_a_sample"):
            continue
        if not isinstance(entry.get("sample_id"), str):
            return None
        ids.add(entry["sample_id"])
    return frozenset(ids)


def text_suite_reference(suite_name: str, data_dir: str | None) -> str:
    """The suite as this machine loads it: a task name unchanged, a task YAML resolved inside the data folder
    (a relative path against it; an absolute one only if it lies inside). Raises WisebenchError otherwise."""
    from wisebench.data.suite import default_data_root

    reference = yaml_path(suite_name)
    if reference is None:
        return suite_name
    root = (Path(data_dir).expanduser() if data_dir else default_data_root()).resolve()
    path = (root / reference).resolve()
    if not path.is_relative_to(root):
        raise WisebenchError(f"the task YAML {reference} is not inside this machine's data folder {root}")
    if not path.exists():
        raise WisebenchError(f"no task YAML {path}")
    return f"{SUITE_PREFIX}{path}"


def text_suite_samples(run: dict[str, Any], data_dir: str | None) -> dict[str, str]:
    """sample id -> lm-eval prompt for every (document, repeat) of an lm-eval suite. Raises WisebenchError when lm-eval
    or the task's data is not available here."""
    from wisebench.text.suite import sample_key
    from wisebench.text.task import load_task

    seed = run["config"].get("seed", 0)  # few-shot examples are drawn with the run's seed
    task = load_task(text_suite_reference(run["suite"]["name"], data_dir), None, seed if isinstance(seed, int) else 0)
    if task.split != run["suite"]["split"]:
        raise WisebenchError(f"lm-eval evaluates {task.name} on split {task.split!r} here, the run says {run['suite']['split']!r}")
    repeats = int((run.get("model") or {}).get("repeats") or 1)
    return {sample_key(doc_id, repeat, repeats): task.contexts[doc_id] for repeat in range(repeats) for doc_id in task.doc_ids}


def check_sample_set(run: dict[str, Any], records: list[dict[str, Any]], data_dir: str | None) -> SampleSetCheck:
    check = SampleSetCheck()
    counts = Counter(str(record["sample_id"]) for record in records)
    duplicated = {sample_id for sample_id, count in counts.items() if count > 1}
    if duplicated:
        check.problems.append(f"sample(s) recorded more than once: {_listed(duplicated)}")
    recorded = set(counts)
    suite, split = run["suite"]["name"], run["suite"]["split"]
    try:
        if is_text_suite(suite):
            expected = text_suite_samples(run, data_dir)
        else:
            check.samples, skipped = suite_samples(suite, split, data_dir, bool(run["config"].get("skip_bad")))
            check.split_ids = split_ids(check.samples, skipped)
            expected = {sample_id: sample.query for sample_id, sample in check.samples.items()}
    except (WisebenchError, ImportError, OSError) as error:  # lm-eval and datasets raise their own kinds offline
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
    check.verified = True
    check.notes.append(f"sample set checked against the suite {suite}/{split} ({len(expected)} samples)")
    return check


def _check_against_run_json(run: dict, records: list[dict], recorded: set[str], duplicated: set[str], check: SampleSetCheck) -> None:
    expected_count = run["suite"]["n_samples"]
    if len(recorded) != expected_count:
        check.problems.append(f"the records hold {len(recorded)} distinct samples, run.json says the split has {expected_count}")
    unique = list({str(record["sample_id"]): record for record in records}.values())
    if not duplicated and len(recorded) == expected_count and records_fingerprint(unique) != run["suite"]["samples_fingerprint"]:
        check.problems.append("the records' sample ids and queries do not match run.json's samples_fingerprint")
