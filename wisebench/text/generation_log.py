"""generations.jsonl: raw generations appended per batch before lm-eval scores them, so a killed run loses at most
the batch in flight. lm-eval scores only after every request is answered; on resume the logged generations are
replayed to it instead of generated again. Same write discipline as records.jsonl (whole lines, fsync per batch)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GENERATIONS_FILE = "generations.jsonl"


def sample_key(doc_id: int, repeat: int, repeats: int) -> str:
    """The record's sample id: the lm-eval doc id, plus the repeat index when documents are sampled repeatedly."""
    return str(doc_id) if repeats == 1 else f"{doc_id}/r{repeat}"


class GenerationLog:
    def __init__(self, folder: Path):
        self.path = folder / GENERATIONS_FILE

    def read(self) -> dict[str, dict[str, Any]]:
        """sample id -> logged generation; a partial last line (killed mid-write) is ignored and cut."""
        if not self.path.exists():
            return {}
        raw = self.path.read_bytes()
        end = raw.rfind(b"\n") + 1
        if end < len(raw):
            with open(self.path, "r+b") as stream:
                stream.truncate(end)
        entries = {}
        for line in raw[:end].splitlines():
            if line.strip():
                entry = json.loads(line)
                entries[entry["sample_id"]] = entry
        return entries

    def append(self, entries: list[dict[str, Any]]) -> None:
        payload = "".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries).encode("utf-8")
        if not payload:
            return
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = 0
            while written < len(payload):
                written += os.write(descriptor, payload[written:])
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
