"""Load the checked-in JSON Schemas and check documents against them, one readable message per violation.

The schema version is checked first and on its own, so a document from another wisebench version gets one clear
message ("schema_version 2 is not supported") instead of a cascade of field errors.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from wisebench.errors import WisebenchError

SCHEMA_FILES = {
    ("run", 1): "run.v1.schema.json",
    ("record", 1): "record.v1.schema.json",
}
MAX_MESSAGE_CHARS = 240  # a jsonschema message quotes the offending value, which can be a whole record


def supported_versions(kind: str) -> list[int]:
    return sorted(version for name, version in SCHEMA_FILES if name == kind)


def load_schema(kind: str, version: int = 1) -> dict[str, Any]:
    try:
        file_name = SCHEMA_FILES[(kind, version)]
    except KeyError:
        raise WisebenchError(f"no {kind} schema version {version}; known: {supported_versions(kind)}") from None
    return json.loads(resources.files("wisebench.schemas").joinpath(file_name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(kind: str, version: int):
    try:
        from jsonschema import Draft202012Validator
    except ImportError as error:
        raise WisebenchError("checking runs against their schema needs jsonschema: pip install 'wisebench[leaderboard]'") from error
    schema = load_schema(kind, version)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _location(path: Any) -> str:
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in path]
    return "".join(parts).lstrip(".") or "(document)"


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


def schema_problems(document: Any, kind: str, where: str) -> list[str]:
    """Violations of the `kind` ("run" or "record") schema, each as "<where>: <field>: <problem>"; [] if valid."""
    if not isinstance(document, dict):
        return [f"{where}: expected a JSON object, got {type(document).__name__}"]
    version = document.get("schema_version")
    supported = supported_versions(kind)
    if version is None:
        return [f"{where}: no schema_version (this wisebench reads {kind} schema version {supported})"]
    if not isinstance(version, int) or isinstance(version, bool) or version not in supported:
        return [f"{where}: schema_version {version!r} is not supported (this wisebench reads {kind} schema version {supported})"]
    errors = sorted(_validator(kind, version).iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{where}: {_location(error.absolute_path)}: {_short(error.message)}" for error in errors]
