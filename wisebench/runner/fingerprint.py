"""The fingerprint of an evaluated sample set (sorted sample ids and queries), from Samples or from records, so a
run, its shards, a merge and a submission can all be checked against the same digest."""

from __future__ import annotations

import hashlib
from typing import Any, Iterable


def _digest(pairs: Iterable[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for sample_id, query in sorted(pairs):
        digest.update(f"{sample_id}\t{query}\n".encode("utf-8"))
    return digest.hexdigest()[:16]


def samples_fingerprint(samples: Iterable[Any]) -> str:
    return _digest((sample.sample_id, sample.query) for sample in samples)


def records_fingerprint(records: Iterable[dict[str, Any]]) -> str:
    return _digest((str(record["sample_id"]), record.get("query", "")) for record in records)
