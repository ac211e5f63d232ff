"""Reading untrusted JSON files: whatever is at the path (a folder, a FIFO, a dangling link, an unreadable or huge
file, bad bytes, deep nesting, 5000-digit numbers), the caller gets its own error type naming the file and the
problem, never an OSError, RecursionError or ValueError from inside the parser."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, Callable

ErrorFactory = Callable[[Path, str], Exception]  # BadSampleError or DatasetFormatError: (path, problem)

MAX_ANNOTATION_BYTES = 64 * 1024 * 1024  # ReasonSeg annotations are kilobytes; a bigger one is not an annotation


def read_file_bytes(path: Path, error: ErrorFactory, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file (never a folder or a FIFO, which would block), at most `max_bytes` of them."""
    try:
        status = path.stat()
    except OSError as problem:
        raise error(path, f"cannot read: {problem.strerror or problem}") from problem
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise error(path, f"is {kind}, expected a file")
    if max_bytes is not None and status.st_size > max_bytes:
        raise error(path, f"is {status.st_size:,} bytes, more than the {max_bytes:,} such a file can sensibly hold")
    try:
        return path.read_bytes()
    except OSError as problem:
        raise error(path, f"cannot read: {problem.strerror or problem}") from problem
    except MemoryError as problem:
        raise error(path, "not enough memory to read it") from problem


def decode_text(raw: bytes, path: Path, error: ErrorFactory, fallback: str | None = None) -> str:
    """UTF-8 (a BOM is dropped), else `fallback` (e.g. cp1252, which some ReasonSeg files use)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        if fallback is None:
            raise error(path, f"not UTF-8 text: {problem}") from problem
        try:
            return raw.decode(fallback)
        except UnicodeDecodeError as second:
            raise error(path, f"neither UTF-8 nor {fallback} text: {second}") from second


def parse_json(text: str, path: Path, error: ErrorFactory) -> Any:
    try:
        return json.loads(text)
    except RecursionError as problem:
        raise error(path, "JSON nested too deeply to read") from problem
    except ValueError as problem:  # JSONDecodeError, and integers longer than Python's digit limit
        raise error(path, f"not valid JSON: {problem}") from problem
    except MemoryError as problem:
        raise error(path, "not enough memory to parse the JSON") from problem


def read_json_file(path: Path, error: ErrorFactory, max_bytes: int | None = None, fallback: str | None = None) -> Any:
    """Read, decode and parse one JSON file; every failure is `error(path, problem)`."""
    return parse_json(decode_text(read_file_bytes(path, error, max_bytes), path, error, fallback), path, error)


def read_json_lines(path: Path, error: ErrorFactory, max_bytes: int | None = None) -> list[Any]:
    """A JSONL file: one JSON value per non-blank line; a bad line is named by its number."""
    text = decode_text(read_file_bytes(path, error, max_bytes), path, error)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            rows.append(parse_json(line, Path(f"{path} line {number}"), error))
    return rows
