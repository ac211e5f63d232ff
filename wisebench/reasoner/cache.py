"""Cache of reasoner generations, so re-scoring with another segmenter or protocol does not re-generate.

Key: model fingerprint (checkpoint, revision / snapshot commit, weight digest, dtype, backend), the full chat
prompt, the generation settings, the sample id and the resized image's bytes. Only deterministic decoding is
cached: a sampled generation is a draw, not a fact about the model. One small JSON file per entry, written
atomically, so concurrent runs and kills cannot leave a half entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wisebench.reasoner.backend import Generation, GenerationSettings


class GenerationCache:
    def __init__(self, folder: Path, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(fingerprint: dict[str, Any], chat_prompt: str, settings: GenerationSettings, sample_id: str, image_bytes: bytes) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps(fingerprint, sort_keys=True).encode())
        digest.update(json.dumps(settings.to_json(), sort_keys=True).encode())
        digest.update(chat_prompt.encode("utf-8"))
        digest.update(sample_id.encode("utf-8"))
        digest.update(hashlib.sha256(image_bytes).digest())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Generation | None:
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            generation = Generation(**data)
        except (OSError, ValueError, TypeError):  # missing, or damaged (bad JSON, bad UTF-8): generate again
            self.misses += 1
            return None
        self.hits += 1
        generation.extra = {**generation.extra, "cached": True}
        return generation

    def put(self, key: str, generation: Generation) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(asdict(generation), stream)
        os.replace(temporary, path)
