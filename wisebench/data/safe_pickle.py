"""Reading the refer API's refs(<splitBy>).p without trusting it.

A pickle can call any importable function while it loads (os.system, builtins.eval, ...). The refer refs files
hold only plain data (a list of dicts of str / int / list), which pickle encodes without a single global, so an
unpickler that refuses every global loads them unchanged and turns a malicious file into a clear error.
The files were written by Python 2: its `str` arrives as bytes (encoding="bytes") and is decoded here,
UTF-8 first, Latin-1 as the fallback that never fails. A JSON conversion (refs(unc).json) is read as well.
A hostile pickle without globals can still nest 200k deep, contain itself, or share one list many times over
(219 bytes that expand to gigabytes when copied): each of these is a named DatasetFormatError, and shared
references stay shared, so the decoded data is never larger than the pickled data.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

from wisebench.data.json_files import read_file_bytes, read_json_file
from wisebench.errors import DatasetFormatError

PLAIN_TYPES = "dict, list, tuple, str, bytes, int, float, bool and None"
MAX_PICKLE_BYTES = 2 * 1024**3  # refs(umd).p of RefCOCOg is tens of MB; beyond this a refs file is not one
MAX_NESTING = 100  # list of refs > ref > sentences > sentence > tokens: a refs file nests about 4 levels
MAX_EXPANDED_ITEMS = 25_000_000  # RefCOCO+'s refs expand to about 4 M values (141k sentences with their tokens)


class RefusedGlobalError(pickle.UnpicklingError):
    """Raised by RestrictedUnpickler.find_class; carries the refused `module.name`."""

    def __init__(self, qualified_name: str):
        self.qualified_name = qualified_name
        super().__init__(f"refused global {qualified_name}")


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler for plain data only: every global (class, function) is refused before it is imported.

    Without globals a pickle cannot build objects or call anything (REDUCE, NEWOBJ, BUILD and the copyreg
    extension opcodes all need a callable that only find_class can supply), and persistent ids are refused
    by the base class because no persistent_load is defined."""

    def find_class(self, module: str, name: str) -> Any:
        raise RefusedGlobalError(f"{module}.{name}")


def load_restricted_pickle(path: str | Path) -> Any:
    """Load a pickle that holds only plain containers and scalars; Python 2 byte strings come back as str.

    Raises DatasetFormatError naming the file when it asks for any global, is not a valid pickle, is larger than
    MAX_PICKLE_BYTES, or holds a structure that refers to itself or nests deeper than MAX_NESTING."""
    path = Path(path)
    # Read whole (bounded) and unpickle from memory: a length opcode claiming terabytes then fails as "truncated"
    # instead of asking the file object for that many bytes.
    raw = read_file_bytes(path, DatasetFormatError, max_bytes=MAX_PICKLE_BYTES)
    try:
        data = RestrictedUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except RefusedGlobalError as error:
        raise DatasetFormatError(
            path,
            f"refuses to load {error.qualified_name}: only plain containers and scalars ({PLAIN_TYPES}) are "
            f"accepted, and this pickle asks for a class or function, which could run code. If you trust the "
            f"file, convert it to JSON (same name with .json, e.g. refs(unc).json) in a sandbox and use that.",
        ) from error
    except MemoryError as error:
        raise DatasetFormatError(path, "not a readable pickle: it asks for more memory than there is") from error
    except RecursionError as error:
        raise DatasetFormatError(path, "not a readable pickle: nested too deeply") from error
    except Exception as error:  # UnpicklingError, EOFError, ValueError, OverflowError, KeyError (bad memo) ...
        raise DatasetFormatError(path, f"not a readable pickle: {type(error).__name__}: {error}") from error
    try:
        return decode_byte_strings(data)
    except PlainDataError as error:
        raise DatasetFormatError(path, str(error)) from error


class PlainDataError(ValueError):
    """A structure decode_byte_strings refuses: self-referencing, too deep, or too large once expanded."""


def decode_byte_strings(value: Any) -> Any:
    """Python 2 `str` values (bytes here) as str, recursively, keys included.

    A container or byte string met twice (a pickle's shared reference) is decoded once and shared again, so the
    result takes no more memory than the pickle's own objects. What the data *means* may still be huge (a list
    holding one list a million times means a million entries to whoever iterates it): the expanded size is counted
    and capped at MAX_EXPANDED_ITEMS. A structure that contains itself, or nests deeper than MAX_NESTING, is a
    PlainDataError."""
    return _PlainDecoder().decode(value, 0)


class _PlainDecoder:
    def __init__(self) -> None:
        self.decoded: dict[int, tuple[Any, int]] = {}  # id(original) -> (decoded, expanded item count)
        self.open_ids: set[int] = set()  # containers being decoded: meeting one again is a cycle

    def decode(self, value: Any, depth: int) -> Any:
        return self.decode_sized(value, depth)[0]

    def decode_sized(self, value: Any, depth: int) -> tuple[Any, int]:
        if not isinstance(value, (bytes, dict, list, tuple)):
            return value, 1
        key = id(value)
        if key in self.decoded:
            return self.decoded[key]
        if isinstance(value, bytes):
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = value.decode("latin-1")
            self.decoded[key] = (text, 1)
            return self.decoded[key]
        if key in self.open_ids:
            raise PlainDataError("the pickle holds a structure that contains itself; refs files are plain trees")
        if depth >= MAX_NESTING:
            raise PlainDataError(f"the pickle nests deeper than {MAX_NESTING} levels; refs files nest about 4")
        self.open_ids.add(key)
        size = 1
        items = value.items() if isinstance(value, dict) else ((item, None) for item in value)
        decoded_pairs = []
        for first, second in items:
            first_decoded, first_size = self.decode_sized(first, depth + 1)
            second_decoded, second_size = self.decode_sized(second, depth + 1) if isinstance(value, dict) else (None, 0)
            size += first_size + second_size
            if size > MAX_EXPANDED_ITEMS:
                raise PlainDataError(
                    f"the pickle expands to more than {MAX_EXPANDED_ITEMS:,} items through shared references; "
                    f"refs files hold a few million"
                )
            decoded_pairs.append((first_decoded, second_decoded))
        if isinstance(value, dict):
            result: Any = dict(decoded_pairs)
        else:
            result = [first for first, _ in decoded_pairs]
            result = tuple(result) if isinstance(value, tuple) else result
        self.open_ids.discard(key)
        self.decoded[key] = (result, size)
        return self.decoded[key]


def load_plain_data(path: str | Path) -> Any:
    """A .json file, or anything else as a restricted pickle; both raise DatasetFormatError naming the file."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return load_restricted_pickle(path)
    return read_json_file(path, DatasetFormatError, max_bytes=MAX_PICKLE_BYTES)
