"""Killing a process for real, mid-run, once it has written enough: shared by the resume tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def kill_after_lines(process: subprocess.Popen, root: Path, pattern: str, lines: int, timeout: float, group: bool = False) -> Path:
    """Wait until a file matching `pattern` under `root` holds `lines` lines, then SIGKILL the process (with
    `group`, its whole process group: start it with start_new_session=True). Returns that file; fails with the
    process's output if it never got there."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = list(root.glob(pattern)) if root.exists() else []
        if found and found[0].read_bytes().count(b"\n") >= lines:
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return found[0]
        time.sleep(0.01)
    raise AssertionError(f"never reached {lines} lines in {pattern}: {process.communicate()}")
