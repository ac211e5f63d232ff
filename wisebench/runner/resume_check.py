"""Resuming a run on the samples it started with, or not at all.

A run folder is named by its configuration, not by the files it read: if annotations were added, removed or
edited between sessions, a resume would score a different split under the old name (and print "scored 7/6").
run.json keeps the count and fingerprint (sorted ids and queries) of the samples the first session loaded;
a later session must load the same ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from wisebench.errors import RunStoreError
from wisebench.runner.fingerprint import samples_fingerprint

SHOWN = 5  # sample ids named in the message


def check_same_samples(folder: Path, run: dict[str, Any], samples: Sequence[Any], records: Sequence[dict[str, Any]]) -> None:
    """Raise RunStoreError when `samples` (what this session loaded) are not the samples `run` started with.
    `records` are the run's finished records: the ones no longer among the samples are named."""
    suite = run.get("suite") if isinstance(run.get("suite"), dict) else {}
    expected_count, expected_fingerprint = suite.get("n_samples"), suite.get("samples_fingerprint")
    if expected_count is None or expected_fingerprint is None:
        return  # a run.json from before these fields: nothing to compare with
    fingerprint = samples_fingerprint(samples)
    if len(samples) == expected_count and fingerprint == expected_fingerprint:
        return
    current = {sample.sample_id for sample in samples}
    gone = sorted({record["sample_id"] for record in records} - current)
    details = [f"{expected_count} samples when it started, {len(samples)} now"]
    if gone:
        details.append(f"finished samples no longer in the data: {', '.join(gone[:SHOWN])}{' ...' if len(gone) > SHOWN else ''}")
    elif len(samples) == expected_count:
        details.append("same count, but sample ids or queries differ")
    raise RunStoreError(
        f"{folder}: the suite's samples changed since this run started ({'; '.join(details)}). Restore the data "
        f"as it was to resume, or start a new run with another --out."
    )
