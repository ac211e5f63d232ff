"""SIGTERM and SIGHUP end a run the way Ctrl-C (SIGINT) does.

A batch scheduler's `scancel`, `kill`, a closed terminal or a container stop sends SIGTERM or SIGHUP. Python's
default for both is to die on the spot: run.json then still says "running" and nothing tells the user what
happened. Here both raise TerminatedBySignal, a KeyboardInterrupt, so the run loop's interrupt path runs: the
session is marked "interrupted", the executor (Ray actors included) is closed, finished records are kept, a
message is printed, and the exit status is the shell's 128 + signal number (143 for SIGTERM, 129 for SIGHUP).

`ray.init` installs its own SIGTERM handler (sys.exit) in the driver; reinstall_after_ray() puts this one back.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterator

TERMINATION_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
INTERRUPT_EXIT_CODE = 130  # 128 + SIGINT


class TerminatedBySignal(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM or SIGHUP arrives."""

    def __init__(self, signal_number: int):
        self.signal_number = signal_number
        super().__init__(f"terminated by {signal.Signals(signal_number).name}")


def raise_terminated(signal_number: int, _frame: FrameType | None) -> None:
    # Ignore further termination signals while the interrupt path writes run.json: a second SIGTERM (schedulers
    # often send one per process of the group, or repeat it) must not cut that short.
    for number in TERMINATION_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    raise TerminatedBySignal(signal_number)


@contextmanager
def termination_handled() -> Iterator[None]:
    """Inside: SIGTERM and SIGHUP raise TerminatedBySignal; the previous handlers come back on the way out. Only
    the main thread can install handlers: elsewhere (wisebench called from a worker thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, raise_terminated) for number in TERMINATION_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def reinstall_after_ray() -> None:
    """ray.init replaced the SIGTERM handler with one that calls sys.exit (no interrupted status, exit 15):
    put ours back when it was ours before."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGHUP) is raise_terminated:
        signal.signal(signal.SIGTERM, raise_terminated)


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """The shell's exit status for the signal that ended the run: 143 (SIGTERM), 129 (SIGHUP), 130 (SIGINT)."""
    return 128 + interrupt.signal_number if isinstance(interrupt, TerminatedBySignal) else INTERRUPT_EXIT_CODE


def describe(interrupt: KeyboardInterrupt) -> str:
    return str(interrupt) if isinstance(interrupt, TerminatedBySignal) else "interrupted"
