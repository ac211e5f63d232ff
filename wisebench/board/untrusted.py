"""Reading a submitted run folder as untrusted input: every size is bounded before anything is allocated.

A submission is whatever a submitter put in a folder. A file may be a symlink to /dev/zero, a FIFO that never
delivers a byte, 300 MB of text, a line nested a million brackets deep or a string holding a lone surrogate
(which Streamlit cannot send to the browser). Each such case becomes one problem naming the file, never a hang, a
memory blow-up or a traceback. Only JSON is read; nothing is ever unpickled or executed.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

# Bounds. A real ReasonSeg / RefCOCO run is far below each; a text run with 32k-token chains too.
MAX_RUN_JSON_BYTES = 16 * 1024 * 1024
MAX_RECORDS_BYTES = 256 * 1024 * 1024
MAX_RECORD_LINE_BYTES = 4 * 1024 * 1024
MAX_RECORDS = 200_000
MAX_TEXT_CHARS = 1_000_000  # one string field (raw model output, reasoning, a query)
MAX_NESTING = 64  # JSON depth: records are a handful of levels deep
READ_CHUNK_BYTES = 1024 * 1024


class UntrustedInputError(ValueError):
    """A submitted file or value outside what the board reads; the message names the file and the problem."""


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, refusing symlinks, FIFOs, devices and sockets without blocking on them, and files
    over `max_bytes` (checked before reading, and again while reading in case the file grows)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once
    try:
        if path.is_symlink():
            raise UntrustedInputError(f"{path.name} is a symbolic link: submit the file itself")
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise UntrustedInputError(f"{path.name}: cannot be opened ({error.strerror})") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UntrustedInputError(f"{path.name} is not a regular file ({_kind(status.st_mode)})")
        if status.st_size > max_bytes:
            raise UntrustedInputError(f"{path.name} is {status.st_size} bytes, over the board's limit of {max_bytes}")
        chunks, total = [], 0
        while True:
            chunk = os.read(descriptor, READ_CHUNK_BYTES)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise UntrustedInputError(f"{path.name} grew past the board's limit of {max_bytes} bytes while being read")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a plain file"


def _refuse_constant(name: str) -> Any:
    raise UntrustedInputError(f"{name} is not a JSON number")


MAX_INTEGER_DIGITS = 30  # far above any count the board holds; Python would otherwise parse up to 4300 digits


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e999: JSON allows the text, the board does not hold an infinity
        raise UntrustedInputError(f"the number {_short(text, 40)} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise UntrustedInputError(f"an integer of {len(text)} digits, over the board's limit of {MAX_INTEGER_DIGITS}")
    return int(text)


def parse_json(data: bytes, where: str, explain: bool = True) -> Any:
    """Strict JSON (no NaN or Infinity), UTF-8, nested at most MAX_NESTING deep, every string at most
    MAX_TEXT_CHARS long and free of lone surrogates. `explain`: name the decoder's complaint (a whole document;
    per-line messages of a records file stay short)."""
    try:
        document = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except UntrustedInputError as error:
        raise UntrustedInputError(f"{where}: {error}") from None
    except RecursionError:
        raise UntrustedInputError(f"{where}: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError, as are the int-size limits
        detail = f" ({_short(str(error))})" if explain else ""
        raise UntrustedInputError(f"{where}: not valid JSON{detail}") from None
    problem = value_problem(document)
    if problem:
        raise UntrustedInputError(f"{where}: {problem}")
    return document


def value_problem(value: Any) -> str | None:
    """The first value the board will not hold, by its location, or None. Iterative: no recursion to exhaust."""
    pending: list[tuple[Any, str, int]] = [(value, "", 0)]
    while pending:
        item, location, depth = pending.pop()
        if depth > MAX_NESTING:
            return f"{location or '(document)'}: nested more than {MAX_NESTING} levels deep"
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{location or '(document)'}: {problem}"
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key)
                if problem:
                    return f"{location or '(document)'}: a key {problem}"
                pending.append((child, f"{location}.{key}" if location else str(key), depth + 1))
        elif isinstance(item, list):
            pending.extend((child, f"{location}[{index}]", depth + 1) for index, child in enumerate(item))
    return None


def text_problem(text: str) -> str | None:
    if len(text) > MAX_TEXT_CHARS:
        return f"text of {len(text)} characters, over the board's limit of {MAX_TEXT_CHARS}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text holds a lone surrogate (not valid Unicode)"
    return None


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
