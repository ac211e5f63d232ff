"""Which accepted runs the board ranks, and why the others are shown unranked.

A run is ranked only when all of these hold:
- verified: the suite's data was at hand when it was submitted, so its sample set and every per-sample score were
  re-derived (from the masks; for text runs, from the responses through the task's own scorer: board/text_rescore.py),
  without it a submission is "unverified";
- known weights: the model's weights are pinned (a hub id with a revision or snapshot commit) or their folder
  digest is one this board lists in known_weights.json; anything else may be a random or private checkpoint
  ("smoke");
- not the oracle (it reads the ground truth) and not scripted predictions (`synthetic` in the description);
- at most MAX_LEFT_OUT_SHARE of the split left out: skipped as bad input, or dropped for a mask of the wrong size.
  Within that share a skipped sample scores IoU 0 in the ranked row;
- the published split: its sample set is one of the known sets of board/official_splits.json ("official"); anything
  else is "custom data", shown in its own section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wisebench.board.identity import is_oracle
from wisebench.board.official_splits import data_scope
from wisebench.board.untrusted import UntrustedInputError, parse_json, read_regular_file

MAX_LEFT_OUT_SHARE = 0.01  # 1%: 7 of ReasonSeg test's 779 samples
KNOWN_WEIGHTS_FILE = "known_weights.json"
MAX_KNOWN_WEIGHTS_BYTES = 1024 * 1024
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class Ranking:
    ranked: bool
    reasons: list[str] = field(default_factory=list)  # why not, one line each
    smoke: bool = False  # random, unknown or unrecorded weights
    data_scope: str = ""  # OFFICIAL, CUSTOM or UNCHECKED (board/official_splits.py); "" until checked

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def weight_fingerprints(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The weight fingerprints a description holds (reasoner/weights.checkpoint_fingerprint's shape): the Qwen
    pipeline's `backend`, LISA's and the text models' `weights`."""
    found = []
    for key in ("backend", "weights"):
        value = model.get(key)
        if isinstance(value, dict) and ("checkpoint" in value or "files_digest" in value):
            found.append(value)
    return found


def pinned(fingerprint: dict[str, Any]) -> bool:
    """A hub id with a revision or the snapshot commit the HF cache resolved: anyone can fetch the same weights."""
    checkpoint = fingerprint.get("checkpoint")
    revision = fingerprint.get("snapshot_commit") or fingerprint.get("revision")
    return isinstance(checkpoint, str) and bool(HUB_ID.match(checkpoint)) and isinstance(revision, str) and bool(revision.strip())


def known_weight_digests(board_folder: Path) -> set[str]:
    """files_digest values the board's operator vouches for (local folders of published weights)."""
    path = board_folder / KNOWN_WEIGHTS_FILE
    if not path.exists():
        return set()
    try:
        document = parse_json(read_regular_file(path, MAX_KNOWN_WEIGHTS_BYTES), str(path))
    except UntrustedInputError as error:
        raise UntrustedInputError(f"the board's {error}") from None
    entries = document.get("weights") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and isinstance(entry.get("files_digest"), str) for entry in entries):
        raise UntrustedInputError(f'{path}: expected {{"weights": [{{"files_digest": "...", "name": "..."}}, ...]}}')
    return {entry["files_digest"] for entry in entries}


def weights_reason(model: dict[str, Any], known_digests: set[str]) -> str | None:
    """Why the weights do not count as known, or None."""
    if model.get("random_weights"):
        return "smoke: random weights"
    fingerprints = weight_fingerprints(model)
    if not fingerprints:
        return "smoke: the run records no weight fingerprint (hub id and revision, or folder digest)"
    for fingerprint in fingerprints:
        if not pinned(fingerprint) and fingerprint.get("files_digest") not in known_digests:
            return f"smoke: unknown weights {str(fingerprint.get('checkpoint'))[:120]!r} (no hub id with a revision, and a folder digest this board does not list)"
    return None


def checkpoint_label(model: dict[str, Any], config: dict[str, Any]) -> str:
    """What the weights are, as a reader can look them up: "hub/id @ revision" for pinned hub weights, "folder
    <digest>" for a local folder (its files' digest), else the checkpoint as given, said to be unfingerprinted."""
    labels = []
    for fingerprint in weight_fingerprints(model):
        revision = fingerprint.get("snapshot_commit") or fingerprint.get("revision")
        if pinned(fingerprint):
            labels.append(f"{fingerprint['checkpoint']} @ {str(revision)[:12]}")
        elif fingerprint.get("files_digest"):
            labels.append(f"{fingerprint.get('checkpoint') or 'local'} (folder {str(fingerprint['files_digest'])[:16]})")
        elif fingerprint.get("checkpoint"):
            labels.append(f"{fingerprint['checkpoint']} (no revision)")
    if labels:
        return " + ".join(dict.fromkeys(labels))
    named = model.get("checkpoint") or config.get("checkpoint")
    return f"{named} (no fingerprint)" if named else "(not recorded)"


def ranking(
    run: dict[str, Any],
    unverified: str | None,
    n_left_out: int,
    n_samples: int,
    known_digests: set[str],
    sample_set_verified: bool = False,
    split_ids: frozenset[str] | None = None,
) -> Ranking:
    """`unverified`: why the submission check could not re-derive the sample set and scores (None: it did);
    `sample_set_verified` and `split_ids`: the run's sample set matched the suite's data here, and that data's
    sample ids (sample_set.split_ids)."""
    reasons = []
    if unverified:
        reasons.append(f"unverified: {unverified}")
    if is_oracle(run):
        reasons.append("the oracle reads the ground truth: a reference, never ranked")
    model = run.get("model") or {}
    if model.get("synthetic"):
        reasons.append("scripted predictions (synthetic), not a model")
    weights = weights_reason(model, known_digests)
    if weights:
        reasons.append(weights)
    if n_samples and n_left_out / n_samples > MAX_LEFT_OUT_SHARE:
        reasons.append(f"{n_left_out} of {n_samples} samples left out (skipped or dropped as bad), over the {MAX_LEFT_OUT_SHARE:.0%} a ranked run may leave out")
    scope, why_custom = data_scope(run, sample_set_verified, split_ids)
    if why_custom:
        reasons.append(why_custom)
    return Ranking(ranked=not reasons, reasons=reasons, smoke=weights is not None, data_scope=scope)

