"""`wisebench leaderboard [--board DIR]`: start the Streamlit app (leaderboard/app.py) on this machine."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

NAME = "leaderboard"
HELP = "start the leaderboard app (Streamlit) on localhost"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", type=Path, help="board folder (default $WISEBENCH_BOARD, else ~/.cache/wisebench/board)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1", help="interface to bind (default: loopback only)")
    parser.add_argument("--data-dir", help="suite data for the sample browser's images (default $WISEBENCH_DATA)")


def app_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("leaderboard").joinpath("app.py")))


def streamlit_command(app: Path, address: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", address,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "viewer",
    ]


def run(args: argparse.Namespace) -> int:
    from wisebench.board.store import Board
    from wisebench.errors import WisebenchError

    if importlib.util.find_spec("streamlit") is None:
        raise WisebenchError("the leaderboard needs Streamlit: pip install 'wisebench[leaderboard]'")
    environment = dict(os.environ, WISEBENCH_BOARD=str(Board(args.board).folder.resolve()))
    if args.data_dir:
        environment["WISEBENCH_DATA"] = args.data_dir
    print(f"leaderboard for board {environment['WISEBENCH_BOARD']} on http://{args.address}:{args.port}", file=sys.stderr)
    from wisebench.runner import signals

    server = subprocess.Popen(streamlit_command(app_path(), args.address, args.port), env=environment)
    try:
        with signals.termination_handled():  # SIGTERM / SIGHUP stop the server as Ctrl-C does
            return server.wait()
    except KeyboardInterrupt as interrupt:
        return signals.exit_code(interrupt)
    finally:
        stop_server(server)


def stop_server(server: subprocess.Popen, grace_seconds: float = 10.0) -> None:
    """Streamlit ends on SIGTERM; one that does not within the grace period is killed: it never outlives us."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
