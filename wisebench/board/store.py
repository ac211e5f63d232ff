"""The board store: a folder holding an SQLite index (board.sqlite) and a copy of every accepted run folder.

    <board>/board.sqlite          one row per accepted run: its board row, its summary, file hashes
    <board>/runs/<run-id>/        run.json + records.jsonl exactly as they were checked (after a --replace, the new
                                  copy is <run-id>+<suffix>/; the row names its folder)

SQLite because it ships with Python (no extra dependency for `wisebench submit`), is one file that can be copied,
and lets many processes read while one writes. Submissions are serialized by an exclusive flock on
<board>/.submit.lock, held while the run folder is copied into place and the row committed; SQLite's own locking
(with a busy timeout) keeps readers such as the app consistent. The copy makes the board self-contained: the
submitter's folder can change or vanish later without changing what the board shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from wisebench.board.ranking import known_weight_digests, ranking
from wisebench.board.rows import BoardRow, measured_row
from wisebench.board.submission import CheckedRun
from wisebench.board.untrusted import UntrustedInputError
from wisebench.errors import WisebenchError
from wisebench.runner.store import RECORDS_FILE, RUN_FILE, check_run_id, read_records

DATABASE_FILE = "board.sqlite"
RUNS_FOLDER = "runs"
LOCK_FILE = ".submit.lock"
BOARD_FORMAT = 1
INCOMING_PREFIX = ".incoming-"  # a submission's files being written
RETIRED_PREFIX = ".retired-"  # a replaced run's files being deleted
VERSION_SEPARATOR = "+"  # <run-id>+<random>: a replacement's folder, beside the old one until the row commits
BUSY_TIMEOUT_SECONDS = 60.0
PROTOCOL_ROWS = "protocol_rows"  # in row_json: the run's rows under its other protocols (BoardRow.from_json skips it)

SCHEMA = """
CREATE TABLE IF NOT EXISTS board_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    folder TEXT NOT NULL,              -- relative to <board>/runs: the run id, or run id + '+' + suffix after a replace
    suite TEXT NOT NULL,
    split TEXT NOT NULL,
    protocol TEXT NOT NULL,
    model TEXT NOT NULL,
    row_json TEXT NOT NULL,            -- BoardRow.to_json(): new row fields need no migration (absent -> default)
    summary_json TEXT NOT NULL,        -- recomputed from the records at submission
    run_sha256 TEXT NOT NULL,
    records_sha256 TEXT NOT NULL,
    notes_json TEXT NOT NULL,
    submitted_from TEXT NOT NULL,      -- informational only, never opened
    submitted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, split, protocol);
"""


def _current(row: BoardRow) -> BoardRow:
    """A row stored before the board checked published splits has no data scope: it is not ranked until it is
    submitted again (`wisebench submit --replace`) and checked under today's rules."""
    if row.ranked and not row.data_scope:
        row.ranked = False
        row.unranked_reason = "stored before the board checked published splits: submit it again to be ranked"
    return row


def default_board_dir() -> Path:
    """$WISEBENCH_BOARD, else <wisebench cache>/board."""
    from wisebench.data.suite import cache_root

    env = os.environ.get("WISEBENCH_BOARD")
    return Path(env).expanduser() if env else cache_root() / "board"


@dataclass
class AddResult:
    run_id: str
    status: str  # "added", "replaced" or "unchanged"
    folder: Path
    row: BoardRow


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename inside `folder` durable before the row that names its result is committed."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Board:
    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder).expanduser() if folder is not None else default_board_dir()

    @property
    def database_path(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def runs_folder(self) -> Path:
        return self.folder / RUNS_FOLDER

    def _connect(self, read_only: bool) -> sqlite3.Connection:
        if read_only:
            uri = f"{self.database_path.resolve().as_uri()}?mode=ro"
            connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        else:
            connection = sqlite3.connect(self.database_path, timeout=BUSY_TIMEOUT_SECONDS)
            with connection:
                connection.executescript(SCHEMA)
                connection.execute("INSERT OR IGNORE INTO board_meta VALUES ('format', ?)", (str(BOARD_FORMAT),))
        connection.row_factory = sqlite3.Row
        return connection

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read-only connection, or None for a board nothing was submitted to yet (reading never creates it)."""
        if not self.database_path.exists():
            yield None
            return
        connection = self._connect(read_only=True)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _submission_lock(self) -> Iterator[None]:
        import fcntl

        self.runs_folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_FILE, "a+") as stream:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX)  # waits: concurrent submitters take turns
            yield  # closing the file releases the lock

    def _folder_of(self, name: str) -> Path:
        """<board>/runs/<name> for a name that passes check_run_id, and never anything outside runs/."""
        folder = self.runs_folder / check_run_id(name)
        if folder.parent != self.runs_folder:
            raise WisebenchError(f"refusing run folder name {name!r}")
        return folder

    def add(self, checked: CheckedRun, submitted_from: str, replace: bool = False) -> AddResult:
        """Put a checked run on the board. The same run submitted again is a no-op; a different run with the same
        id is refused unless `replace`.

        Crash-safe at every step: the new files go into a fresh folder of their own, which the row names in the
        same transaction that replaces the old row; the old folder is removed only after that commit. Killed at
        any point, the board shows either the old run (its row and its folder untouched) or the new one, and the
        next submission removes what the killed one left behind (clean_leftovers)."""
        run_id = check_run_id(checked.run["run_id"])
        run_hash, records_hash = _sha256(checked.run_bytes), _sha256(checked.records_bytes)
        with self._submission_lock():
            self.clean_leftovers()
            known_digests = self.known_weight_digests()
            verdict = ranking(checked.run, checked.unverified, checked.n_left_out, checked.n_samples, known_digests, checked.sample_set_verified, checked.split_ids)
            row = measured_row(checked.run, checked.summary, verdict, checked.row_summary)
            # The same run under its other protocols: rows of their own, kept with the run's row.
            other_rows = [measured_row(checked.run, summary, verdict, checked.other_row_summaries.get(protocol)).to_json() for protocol, summary in sorted(checked.other_summaries.items())]
            connection = self._connect(read_only=False)
            try:
                existing = connection.execute("SELECT folder, run_sha256, records_sha256, submitted_at FROM runs WHERE run_id = ?", (run_id,)).fetchone()
                same = existing is not None and (existing["run_sha256"], existing["records_sha256"]) == (run_hash, records_hash)
                if same and self._folder_of(existing["folder"]).exists():
                    return AddResult(run_id, "unchanged", self._folder_of(existing["folder"]), row)
                if existing is not None and not same and not replace:
                    raise WisebenchError(
                        f"the board already holds a different run {run_id} (submitted {existing['submitted_at']}); "
                        f"pass --replace to replace it"
                    )
                target = self._place_files(run_id, checked)
                connection.execute(
                    "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id, target.name, row.suite, row.split, row.protocol, row.model,
                        json.dumps({**row.to_json(), PROTOCOL_ROWS: other_rows}), json.dumps(checked.summary), run_hash, records_hash,
                        json.dumps(checked.notes), submitted_from,
                        datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    ),
                )
                connection.commit()  # the row and its new folder appear together; the old row stays until here
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.close()
            if existing is not None and existing["folder"] != target.name:
                self._remove_folder(self._folder_of(existing["folder"]))
        return AddResult(run_id, "replaced" if existing is not None and not same else "added", target, row)

    def known_weight_digests(self) -> set[str]:
        """Folder digests of weights this board's operator vouches for (<board>/known_weights.json)."""
        try:
            return known_weight_digests(self.folder)
        except UntrustedInputError as error:
            raise WisebenchError(str(error)) from None

    def _place_files(self, run_id: str, checked: CheckedRun) -> Path:
        """Write the checked bytes into a fresh hidden folder, then rename it to a name no row uses yet: the run id
        itself for a first submission, the run id + a random suffix for a replacement (so the old folder stays
        whole until the new row is committed)."""
        incoming = Path(tempfile.mkdtemp(prefix=INCOMING_PREFIX, dir=self.runs_folder))
        try:
            _write_file(incoming / RUN_FILE, checked.run_bytes)
            _write_file(incoming / RECORDS_FILE, checked.records_bytes)
            target = self._folder_of(run_id)
            while target.exists():  # a replaced run's folder, or one a killed submission left (cleaned next time)
                target = self._folder_of(f"{run_id}{VERSION_SEPARATOR}{secrets.token_hex(6)}")
            os.replace(incoming, target)
            _fsync_folder(self.runs_folder)
            return target
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise

    def _remove_folder(self, folder: Path) -> None:
        """Rename out of the way first (one atomic step), then delete: a kill mid-delete leaves a hidden folder."""
        if not folder.exists():
            return
        retired = Path(tempfile.mkdtemp(prefix=RETIRED_PREFIX, dir=self.runs_folder))
        os.replace(folder, retired / folder.name)
        shutil.rmtree(retired, ignore_errors=True)

    def clean_leftovers(self) -> list[str]:
        """Remove what killed submissions left in runs/: hidden .incoming-* / .retired-* folders, and run folders no
        row names (a new copy whose row never committed, an old copy whose removal never ran). Called under the
        submission lock, so no other submission is writing there. Returns the names removed."""
        if not self.runs_folder.exists():
            return []
        named: set[str] | None = None  # without an index, no run folder is judged unnamed
        if self.database_path.exists():
            with self._reading() as connection:
                if connection is not None:
                    named = {entry["folder"] for entry in connection.execute("SELECT folder FROM runs")}
        removed = []
        for path in sorted(self.runs_folder.iterdir()):
            unnamed = named is not None and path.is_dir() and not path.name.startswith(".") and path.name not in named
            if path.name.startswith((INCOMING_PREFIX, RETIRED_PREFIX)) or unnamed:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed

    def measured_rows(self) -> list[BoardRow]:
        with self._reading() as connection:
            if connection is None:
                return []
            result = connection.execute("SELECT row_json FROM runs ORDER BY suite, split, run_id").fetchall()
        rows = []
        for entry in result:
            data = json.loads(entry["row_json"])
            rows += [_current(BoardRow.from_json(row)) for row in [data, *(data.get(PROTOCOL_ROWS) or [])]]
        return rows

    def rows(self, reported_file: Path | None = None) -> list[BoardRow]:
        """Measured rows from the database, then the published ones (kind "reported")."""
        from wisebench.board.reported import reported_rows

        return self.measured_rows() + reported_rows(reported_file)

    def run_ids(self) -> list[str]:
        with self._reading() as connection:
            if connection is None:
                return []
            return [row["run_id"] for row in connection.execute("SELECT run_id FROM runs ORDER BY run_id")]

    def _entry(self, run_id: str) -> sqlite3.Row:
        with self._reading() as connection:
            entry = None if connection is None else connection.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if entry is None:
            raise WisebenchError(f"run {run_id!r} is not on the board at {self.folder}")
        return entry

    def summary(self, run_id: str, protocol: str | None = None) -> dict[str, Any]:
        """The run's summary under `protocol` (None: its own): the headline one from the index, another from the run's
        `summaries` (each checked against the records when it was submitted)."""
        headline = json.loads(self._entry(run_id)["summary_json"])
        if protocol is None or headline.get("protocol") == protocol:
            return headline
        others = self.run_document(run_id).get("summaries") or {}
        if protocol not in others:
            raise WisebenchError(f"run {run_id} has no summary under protocol {protocol!r}")
        return others[protocol]

    def notes(self, run_id: str) -> list[str]:
        return json.loads(self._entry(run_id)["notes_json"])

    def run_folder(self, run_id: str) -> Path:
        return self._folder_of(self._entry(run_id)["folder"])

    def run_document(self, run_id: str) -> dict[str, Any]:
        return json.loads((self.run_folder(run_id) / RUN_FILE).read_text(encoding="utf-8"))

    def records(self, run_id: str) -> list[dict[str, Any]]:
        return read_records(self.run_folder(run_id))

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check plus: every indexed run has its folder, and its files have the hashes
        recorded at submission."""
        problems = []
        with self._reading() as connection:
            if connection is None:
                return []
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"{self.database_path}: {verdict}")
            entries = connection.execute("SELECT run_id, folder, run_sha256, records_sha256 FROM runs").fetchall()
        for entry in entries:
            folder = self._folder_of(entry["folder"])
            for name, expected in ((RUN_FILE, entry["run_sha256"]), (RECORDS_FILE, entry["records_sha256"])):
                path = folder / name
                if not path.exists():
                    problems.append(f"{entry['run_id']}: {path} is missing")
                elif _sha256(path.read_bytes()) != expected:
                    problems.append(f"{entry['run_id']}: {path} changed since it was submitted")
        return problems
