"""The run folder: <out>/<run-id>/run.json + records.jsonl, safe against a kill at any moment.

- records.jsonl is append-only; each batch is one write of whole lines, flushed and fsynced, so a SIGKILL can
  at worst leave a partial last line, which `read_records` cuts off (that batch is redone on resume).
- run.json is replaced atomically (write a temporary file, fsync, rename), so it is always a whole document.
- One writer at a time: an exclusive lock file (flock) refuses a second process on the same run.
- A full disk, a read-only folder or a missing permission is a RunStoreError naming the path (exit 2), never an
  OSError; a failed append is cut back, so the records already written stay whole.
- Temporary files a killed writer left (.run.json.*) are removed when the next writer takes the lock.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from wisebench.errors import RunStoreError
from wisebench.scoring.record import SampleRecord

RUN_FILE = "run.json"
RECORDS_FILE = "records.jsonl"
LOCK_FILE = ".lock"
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+\-]{0,199}$")


def check_run_id(run_id: str) -> str:
    """Run ids become folder names: no separators, no leading dot, no '..'."""
    if not RUN_ID_PATTERN.match(run_id) or ".." in run_id:
        raise RunStoreError(f"invalid run id {run_id!r}: use letters, digits, '.', '_', '+', '-' (no path separators)")
    return run_id


@contextmanager
def writing(path: Path, what: str) -> Iterator[None]:
    """OSErrors inside become a RunStoreError that names `path` and says what failed (disk full, read-only ...)."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise RunStoreError(f"cannot {what} {path}: {reason} (errno {error.errno})") from error


def write_json_atomic(path: Path, data: Any) -> None:
    with writing(path, "write"):
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=2, sort_keys=False)  # ASCII escapes: lone surrogates survive
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def read_run_json(folder: Path) -> dict[str, Any]:
    path = folder / RUN_FILE
    if not path.exists():
        raise RunStoreError(f"{folder} is not a wisebench run: it has no {RUN_FILE}")
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        raise RunStoreError(f"{path}: cannot read ({error.strerror or error})") from error
    except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, absurd nesting
        raise RunStoreError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(data, dict):
        raise RunStoreError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def read_records(folder: Path, repair: bool = False) -> list[dict[str, Any]]:
    """The records of a run, in file order. A partial last line (the process was killed mid-write) is dropped,
    and with `repair` cut from the file. A damaged line elsewhere is an error naming the line. Duplicated
    sample ids (never written by wisebench) are an error too: the run must not be scored twice per sample."""
    path = folder / RECORDS_FILE
    if not path.exists():
        return []
    with writing(path, "read"):
        raw = path.read_bytes()
    end = raw.rfind(b"\n") + 1
    if end < len(raw) and repair:
        with writing(path, "repair"), open(path, "r+b") as stream:
            stream.truncate(end)
            stream.flush()
            os.fsync(stream.fileno())
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(raw[:end].splitlines(), start=1):
        if not line.strip():
            continue
        record = parse_record_line(line, path, number)
        if record["sample_id"] in seen:
            raise RunStoreError(
                f"{path} line {number}: sample {record['sample_id']!r} recorded twice (a second writer got in, e.g. "
                f"after its .lock was deleted); `wisebench repair {folder}` keeps the first record of each sample"
            )
        seen.add(record["sample_id"])
        records.append(record)
    return records


def parse_record_line(line: bytes, path: Path, number: int) -> dict[str, Any]:
    """One records.jsonl line as a record with a string sample_id, or a RunStoreError naming the line."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:  # bad JSON or bad UTF-8
        raise RunStoreError(f"{path} line {number}: damaged record ({error})") from error
    if not isinstance(record, dict) or not isinstance(record.get("sample_id"), str):
        raise RunStoreError(f"{path} line {number}: record without a sample_id")
    return record


def remove_leftover_temporaries(folder: Path) -> list[Path]:
    """Temporary run.json copies and half-written repairs a killed writer left behind; call only while holding the
    run's lock."""
    removed = []
    for leftover in [*folder.glob(f".{RUN_FILE}.*"), *folder.glob(f".{RECORDS_FILE}.repairing")]:
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


class RunStore:
    """An open run folder, holding its writer lock until `close`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock_stream = None

    @property
    def run_json_path(self) -> Path:
        return self.folder / RUN_FILE

    @property
    def records_path(self) -> Path:
        return self.folder / RECORDS_FILE

    def acquire(self) -> "RunStore":
        import fcntl

        with writing(self.folder, "create the run folder"):
            self.folder.mkdir(parents=True, exist_ok=True)
        with writing(self.folder / LOCK_FILE, "open the lock file"):
            stream = open(self.folder / LOCK_FILE, "a+")
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            stream.close()
            raise RunStoreError(f"run {self.folder} is being written by another process; wait for it or stop it") from error
        self._lock_stream = stream
        with writing(self.folder, "clean leftover temporary files in"):
            remove_leftover_temporaries(self.folder)
        return self

    def close(self) -> None:
        if self._lock_stream is not None:
            self._lock_stream.close()  # closing the descriptor releases the flock
            self._lock_stream = None

    def __enter__(self) -> "RunStore":
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.close()

    def load_run(self) -> dict[str, Any] | None:
        return read_run_json(self.folder) if self.run_json_path.exists() else None

    def save_run(self, run: dict[str, Any]) -> None:
        write_json_atomic(self.run_json_path, run)

    def records(self) -> list[dict[str, Any]]:
        return read_records(self.folder, repair=self._lock_stream is not None)

    def append(self, records: Iterable[SampleRecord]) -> None:
        """One write per batch: whole lines only, then flush and fsync."""
        # ensure_ascii (json's default) writes a lone surrogate from model text as an escape: the line stays UTF-8.
        payload = "".join(json.dumps(record.to_json(), separators=(",", ":"), ensure_ascii=True) + "\n" for record in records)
        if not payload:
            return
        with writing(self.records_path, "append to"):
            descriptor = os.open(self.records_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size_before = os.fstat(descriptor).st_size
                append_all(descriptor, payload.encode("utf-8"), size_before)
            finally:
                os.close(descriptor)


def append_all(descriptor: int, data: bytes, size_before: int) -> None:
    """Write and fsync `data`; if the disk fills halfway, or Ctrl-C / SIGTERM lands between two writes, cut the
    file back to `size_before` (whole lines only; the run loop writes an interrupted batch again)."""
    try:
        written = 0
        while written < len(data):
            written += os.write(descriptor, data[written:])
        os.fsync(descriptor)
    except BaseException:
        try:
            os.ftruncate(descriptor, size_before)
        except OSError:
            pass  # a partial last line is still cut off by read_records on the next start
        raise


def resolve_run_folder(run: str, out: str | Path | None = None) -> Path:
    """A run given as a folder path, or as a run id under --out (default ./runs)."""
    path = Path(run).expanduser()
    if (path / RUN_FILE).exists():
        return path
    if os.sep in run or run.startswith("."):
        raise RunStoreError(f"no run at {path}: it has no {RUN_FILE}")
    candidate = Path(out or "runs") / check_run_id(run)
    if (candidate / RUN_FILE).exists():
        return candidate
    raise RunStoreError(f"no run {run!r}: neither {path} nor {candidate} holds a {RUN_FILE}")
