"""Is a run's sample set a published split, or custom data?

A run that claims `reasonseg/val` but holds 6 images (or 199 of the 200) measured something else than the papers
did: the board shows it under "custom data" and never ranks it. The known sets ship as data
(official_splits.json): per suite and split, the accepted layouts, each with its sample count and, where a public id
list was at hand, the fingerprint of its sorted sample ids. The check runs on what the submission check verified
against the suite itself, so the count and ids are the data's, not the submitter's claim.

Text suites (`lm-eval:<task>`): a task lm-eval knows by name is its published set, checked document by document
against lm-eval's own loading (board/sample_set.py); a task YAML path is custom data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from wisebench.text.task import is_text_suite, yaml_path

OFFICIAL = "official"
CUSTOM = "custom"
UNCHECKED = "unchecked"  # the suite's data was not here: the run is unverified (its own reason), its scope unknown


@dataclass(frozen=True)
class OfficialSet:
    layout: str
    n_samples: int
    ids_sha256: str | None  # None: no public id list; the count is the check


def ids_fingerprint(sample_ids: Iterable[str]) -> str:
    """SHA-256 of the distinct sample ids, sorted, one per line."""
    return hashlib.sha256("\n".join(sorted({str(sample_id) for sample_id in sample_ids})).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return json.loads(resources.files("wisebench.board").joinpath("official_splits.json").read_text(encoding="utf-8"))["splits"]


def official_sets(suite: str, split: str) -> list[OfficialSet]:
    """The published sample sets of `suite`/`split` (empty: no published split of that name)."""
    return [OfficialSet(entry["layout"], int(entry["n_samples"]), entry.get("ids_sha256")) for entry in _table().get(suite, {}).get(split, [])]


def data_scope(run: dict[str, Any], verified: bool, split_ids: Iterable[str] | None) -> tuple[str, str]:
    """(OFFICIAL, ""), (CUSTOM, why) or (UNCHECKED, ""). `verified`: the submission check matched the records to
    the suite's data here; `split_ids`: that data's sample ids, skipped ones included (None: not known)."""
    suite, split = str(run["suite"]["name"]), str(run["suite"]["split"])
    if is_text_suite(suite):
        if yaml_path(suite) is not None:
            return CUSTOM, f"custom data: {suite} is a local task YAML, not a task lm-eval publishes by name"
        return (OFFICIAL, "") if verified else (UNCHECKED, "")
    known = official_sets(suite, split)
    if not known:
        return CUSTOM, f"custom data: {suite}/{split} is not a published split this board knows"
    if not verified:
        return UNCHECKED, ""  # "unverified" is already the reason it is not ranked
    if split_ids is None:
        return CUSTOM, f"custom data: some entries of {suite}/{split} here could not be read, so the split's size is unknown"
    ids = {str(sample_id) for sample_id in split_ids}
    fingerprint = ids_fingerprint(ids)
    for entry in known:
        if len(ids) == entry.n_samples and entry.ids_sha256 in (None, fingerprint):
            return OFFICIAL, ""
    if any(len(ids) == entry.n_samples for entry in known):
        return CUSTOM, f"custom data: {len(ids)} samples as {suite}/{split} has, but not its published sample ids"
    sizes = " or ".join(f"{entry.n_samples} ({entry.layout})" for entry in known)
    return CUSTOM, f"custom data: {len(ids)} samples, while {suite}/{split} has {sizes}"
