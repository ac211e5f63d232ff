"""Reading the refer API's refs(<splitBy>).p without trusting it.

A pickle can call any importable function while it loads (os.system, builtins.eval, ...). The refer refs files
hold only plain data (a list of dicts of str / int / list), which pickle encodes without a single global, so an
unpickler that refuses every global loads them unchanged and turns a malicious file into a clear error.
The files were written by Python 2: its `str` arrives as bytes (encoding="bytes") and is decoded here,
UTF-8 first, Latin-1 as the fallback that never fails. A JSON conversion (refs(unc).json) is read as well.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

from wisebench.errors import DatasetFormatError

PLAIN_TYPES = "dict, list, tuple, str, bytes, int, float, bool and None"


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

    Raises DatasetFormatError naming the file when it asks for any global or is not a valid pickle."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = RestrictedUnpickler(handle, encoding="bytes").load()
    except RefusedGlobalError as error:
        raise DatasetFormatError(
            path,
            f"refuses to load {error.qualified_name}: only plain containers and scalars ({PLAIN_TYPES}) are "
            f"accepted, and this pickle asks for a class or function, which could run code. If you trust the "
            f"file, convert it to JSON (same name with .json, e.g. refs(unc).json) in a sandbox and use that.",
        ) from error
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, MemoryError) as error:
        raise DatasetFormatError(path, f"not a readable pickle: {type(error).__name__}: {error}") from error
    return decode_byte_strings(data)


def decode_byte_strings(value: Any) -> Any:
    """Python 2 `str` values (bytes here) as str, recursively, keys included."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    if isinstance(value, dict):
        return {decode_byte_strings(key): decode_byte_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_byte_strings(item) for item in value]
    if isinstance(value, tuple):
        return tuple(decode_byte_strings(item) for item in value)
    return value


def load_plain_data(path: str | Path) -> Any:
    """A .json file, or anything else as a restricted pickle; both raise DatasetFormatError naming the file."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        return load_restricted_pickle(path)
    try:
        with path.open("r", encoding="utf-8") as handle:
            return json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DatasetFormatError(path, f"not valid UTF-8 JSON: {error}") from error
