"""`submit --replace` killed at every step (issue 18): the board always shows either the old run or the new one,
whole, and the next submission cleans up what the killed one left.

A forked child replaces the run on the board and kills itself with SIGKILL (no cleanup, no finally blocks) just
before its k-th file system or database step: writing a file, a rename, a folder fsync, a temporary folder, a
removal, an SQL statement or the commit. k runs from 1 until the child finishes without being killed."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from wisebench.board import store
from wisebench.board.store import Board
from wisebench.board.submission import check_run_folder
from wisebench.board.synthetic import make_synthetic_run
from wisebench.runner.store import RECORDS_FILE, RUN_FILE

pytest.importorskip("jsonschema")

FINISHED = 0
MAX_STEPS = 60  # far more than a replace takes; a loop that never finishes is a failure, not a hang


class Killer:
    """Counts steps; SIGKILLs this process just before step number `at`."""

    def __init__(self, at: int):
        self.at = at
        self.count = 0

    def step(self) -> None:
        self.count += 1
        if self.count == self.at:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(self, function):
        def wrapped(*args, **kwargs):
            self.step()
            return function(*args, **kwargs)

        return wrapped


class KillingConnection:
    """An sqlite3 connection whose statements and commit are steps."""

    def __init__(self, connection: sqlite3.Connection, killer: Killer):
        self._connection, self._killer = connection, killer

    def execute(self, *args):
        self._killer.step()
        return self._connection.execute(*args)

    def commit(self):
        self._killer.step()
        return self._connection.commit()

    def __getattr__(self, name):
        return getattr(self._connection, name)


def replace_and_die(board_folder: str, new_folder: str, at: int) -> None:
    """Child process: replace the run, killed before step `at` (exit code -SIGKILL), or finish (exit code 0)."""
    new = check_run_folder(Path(new_folder))  # checking reads only the submitter's folder: not a board step
    killer = Killer(at)
    connect = Board._connect
    Board._connect = lambda self, read_only: KillingConnection(connect(self, read_only), killer)
    store._write_file = killer.wrap(store._write_file)
    store._fsync_folder = killer.wrap(store._fsync_folder)
    store.os.replace = killer.wrap(store.os.replace)
    store.shutil.rmtree = killer.wrap(store.shutil.rmtree)
    store.tempfile.mkdtemp = killer.wrap(store.tempfile.mkdtemp)
    Board(board_folder).add(new, "new", replace=True)


def board_state(board: Board, run_id: str) -> tuple[bytes, bytes]:
    """The run the board shows, checked whole: one row, its folder present, its files the ones the row hashed."""
    assert board.run_ids() == [run_id]
    assert board.integrity_problems() == []
    folder = board.run_folder(run_id)
    assert len(board.records(run_id)) == 32 and board.summary(run_id)["n_records"] == 32
    return (folder / RUN_FILE).read_bytes(), (folder / RECORDS_FILE).read_bytes()


def test_replace_killed_at_every_step_leaves_the_old_run_or_the_new_one(tmp_path):
    old_folder = make_synthetic_run(tmp_path / "old", "wise")
    new_folder = tmp_path / "new" / old_folder.name
    new_folder.parent.mkdir()
    new_folder.mkdir()
    (new_folder / RECORDS_FILE).write_bytes((old_folder / RECORDS_FILE).read_bytes())
    (new_folder / RUN_FILE).write_bytes((old_folder / RUN_FILE).read_bytes().replace(b'"status": "complete"', b'"status": "complete" ', 1))
    old = ((old_folder / RUN_FILE).read_bytes(), (old_folder / RECORDS_FILE).read_bytes())
    new = ((new_folder / RUN_FILE).read_bytes(), (new_folder / RECORDS_FILE).read_bytes())
    assert old != new

    context = multiprocessing.get_context("fork")
    outcomes = []
    for at in range(1, MAX_STEPS + 1):
        board = Board(tmp_path / f"board-{at}")
        board.add(check_run_folder(old_folder), "old")
        child = context.Process(target=replace_and_die, args=(str(board.folder), str(new_folder), at))
        child.start()
        child.join(timeout=120)
        assert child.exitcode in (-signal.SIGKILL, FINISHED), f"step {at}: exit code {child.exitcode}"
        shown = board_state(board, old_folder.name)
        assert shown in (old, new), f"killed before step {at}: the board shows neither the old nor the new run"
        outcomes.append("old" if shown == old else "new")

        removed = board.clean_leftovers()  # what the next submission does first, under the lock
        assert board_state(board, old_folder.name) == shown  # cleaning never touches what the row names
        assert sorted(path.name for path in board.runs_folder.iterdir()) == [board.run_folder(old_folder.name).name]
        if child.exitcode == FINISHED:
            assert shown == new and removed == []
            break
    else:
        pytest.fail(f"the replace did not finish within {MAX_STEPS} steps")
    # Early kills keep the old run, late ones show the new; once the commit happened it never goes back.
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=["old", "new"].index)
    assert len(outcomes) >= 8  # every step of a replace was exercised: temp folder, two files, renames, SQL, commit


def test_a_leftover_incoming_folder_is_cleaned_by_the_next_submission(tmp_path):
    folder = make_synthetic_run(tmp_path / "runs", "wise")
    board = Board(tmp_path / "board")
    board.runs_folder.mkdir(parents=True)
    leftover = board.runs_folder / ".incoming-killed"
    leftover.mkdir()
    (leftover / RUN_FILE).write_text("{}")
    (board.runs_folder / ".retired-killed").mkdir()
    board.add(check_run_folder(folder), "a")
    assert sorted(path.name for path in board.runs_folder.iterdir()) == [folder.name]


def test_without_an_index_no_run_folder_is_taken_for_a_leftover(tmp_path):
    board = Board(tmp_path / "board")
    (board.runs_folder / "some-run").mkdir(parents=True)  # board.sqlite lost: the copies are all that is left
    assert board.clean_leftovers() == []
    assert (board.runs_folder / "some-run").is_dir()
