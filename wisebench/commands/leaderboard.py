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
    try:
        return subprocess.call(streamlit_command(app_path(), args.address, args.port), env=environment)
    except KeyboardInterrupt:
        return 130
