"""Screenshot of the leaderboard for the README: docs/leaderboard.png.

    python scripts/leaderboard_screenshot.py [--board DIR] [--out docs/leaderboard.png]

Without --board it builds a demo board in a temporary folder: two real runs of the `oracle` adapter (GrabCut) on
the bundled reasonseg-mini suite (val and test, about 20 s on 2 CPU cores), submitted through the same checks as
`wisebench submit`, next to the published rows. Then it starts the app with `streamlit run` on a free 127.0.0.1
port, opens it in headless Chromium, waits for the table, saves the picture and stops both.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import urllib.parse
from pathlib import Path

from leaderboard.serve import chromium_paths, headless_chromium, running_app, wait_for_table

ROOT = Path(__file__).resolve().parents[1]


def build_demo_board(folder: Path) -> Path:
    from wisebench.board.store import Board
    from wisebench.board.submission import check_run_folder
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    board = Board(folder / "board")
    for split in ("val", "test"):
        config = RunConfig(model="oracle", suite="reasonseg-mini", split=split, out=str(folder / "runs"))
        result = execute_run(config, progress=False)
        board.add(check_run_folder(result.folder), submitted_from=str(result.folder))
        print(f"demo run {result.folder.name} submitted", file=sys.stderr)
    return board.folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", type=Path, help="an existing board (default: build a demo board)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "leaderboard.png")
    parser.add_argument("--benchmark", default="all suites and splits", help="suite / split to preselect")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1150)
    args = parser.parse_args()
    if chromium_paths() is None:
        print("chromium and chromedriver are needed: apt-get install chromium chromium-driver", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wisebench-screenshot-") as scratch:
        board = args.board or build_demo_board(Path(scratch))
        with running_app(board, log=Path(scratch) / "streamlit.log") as url, headless_chromium(args.width, args.height) as driver:
            driver.get(f"{url}/?{urllib.parse.urlencode({'benchmark': args.benchmark})}")
            wait_for_table(driver)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
