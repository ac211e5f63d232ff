"""`wisebench leaderboard` ends its Streamlit server when it is stopped (SIGTERM or Ctrl-C), never leaving it serving."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("streamlit")
psutil = pytest.importorskip("psutil")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_command_stops_the_server(tmp_path, stop):
    port = free_port()
    command = subprocess.Popen([sys.executable, "-m", "wisebench", "leaderboard", "--board", str(tmp_path / "board"), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    parent = psutil.Process(command.pid)
    deadline = time.time() + 90
    children: list = []
    while time.time() < deadline:
        children = parent.children(recursive=True)
        with socket.socket() as probe:
            if children and probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        command.kill()
        pytest.fail(f"the server never listened: {command.communicate()}")
    command.send_signal(stop)
    assert command.wait(timeout=30) in (143, 130)
    gone, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [process.cmdline() for process in alive]
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing serves there any more
