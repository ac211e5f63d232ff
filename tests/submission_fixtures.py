"""Helpers for the submission tests: read and rewrite a run folder as a submitter would, check it, and give a
synthetic run the description of a published model (so the ranking rules, not the "synthetic" flag, decide)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from wisebench.board.submission import SubmissionRejected, check_run_folder
from wisebench.board.summary_check import recompute_summary
from wisebench.runner.store import RECORDS_FILE, RUN_FILE

PINNED_WEIGHTS = {"backend": "hf", "checkpoint": "org/published-model", "revision": None, "snapshot_commit": "a" * 40, "files_digest": "0123456789abcdef"}


def load(folder: Path) -> tuple[dict, list[dict]]:
    lines = (folder / RECORDS_FILE).read_text().splitlines()
    return json.loads((folder / RUN_FILE).read_text()), [json.loads(line) for line in lines]


def save(folder: Path, run: dict | None = None, records: list[dict] | None = None, resummarize: bool = False) -> None:
    """Write run.json and / or records.jsonl; `resummarize`: store the summary the records give, as a forger would."""
    if resummarize:
        assert run is not None and records is not None
        run["summary"] = recompute_summary(run, records)
    if run is not None:
        (folder / RUN_FILE).write_text(json.dumps(run, indent=2))
    if records is not None:
        (folder / RECORDS_FILE).write_text("".join(json.dumps(record) + "\n" for record in records))


def problems_of(folder: Path, data_dir: str | None = None) -> list[str]:
    with pytest.raises(SubmissionRejected) as caught:
        check_run_folder(folder, data_dir)
    return caught.value.problems


def published_description(run: dict[str, Any], weights: dict[str, Any]) -> None:
    """Give a synthetic "wise" run the model description the registered WISE spec gives (what a real run records),
    with `weights` as its reasoner's fingerprint. The summary does not change (same token convention)."""
    from wise.adapters import WiseAdapter

    spec = WiseAdapter.spec.with_settings(run["config"]["settings"])
    run["model"] = {
        "adapter": "wise",
        **spec.describe(),
        "checkpoint": run["config"]["checkpoint"],
        "backend": dict(weights),
        "segmenter": {"name": "sam2", "random_weights": False},
        "random_weights": False,
    }
    run["prompt_hash"] = hashlib.sha256(spec.prompt_template().encode("utf-8")).hexdigest()[:16]


def treat_mini_as_published(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the bundled reasonseg-mini splits count as published ones (val and test: 32 samples each as the run
    records them), so a test can reach a ranked row; the real table lists only papers' splits."""
    from wisebench.board import official_splits

    real = official_splits.official_sets

    def sets(suite: str, split: str) -> list:
        return [official_splits.OfficialSet("bundled mini suite (test stand-in)", 32, None)] if suite == "reasonseg-mini" else real(suite, split)

    monkeypatch.setattr(official_splits, "official_sets", sets)
