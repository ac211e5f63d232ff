"""Screenshot of the leaderboard for the README: docs/leaderboard.png, and the same board as a plain-text table.

    python scripts/leaderboard_screenshot.py [--board DIR] [--out docs/leaderboard.png] [--no-screenshot]

Without --board it builds a demo board in a temporary folder, every run submitted through the same checks as
`wisebench submit`, next to the published rows:
  - two real runs of the `oracle` adapter (GrabCut) on the bundled reasonseg-mini suite (val and test, about 20 s on
    2 CPU cores): segmentation;
  - one text-reasoning run on an 8-question local lm-eval task (lm-eval's own filter and exact_match scorer) of the
    test suite's scripted stand-in reasoner (tests/text_standin.py), registered here as `scripted-stand-in` so the
    board says what it is: its outputs are fixed strings, not a model's.
It prints the board's measured rows and the reported text-reasoning rows as a Markdown table (stdout), then starts
the app with `streamlit run` on a free 127.0.0.1 port, opens it in headless Chromium, waits for the table, saves the
picture and stops both.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.parse
from pathlib import Path

from leaderboard.serve import chromium_paths, headless_chromium, running_app, wait_for_table
from wisebench.board.rows import MEASURED, BoardRow

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = "scripted-stand-in"


def text_stand_in_run(folder: Path) -> tuple[Path, Path]:
    """The stand-in's run folder and the task folder it was checked against. The suite is named by the YAML's path
    relative to the task folder (lm-eval:toy.yaml), so the board shows no temporary path."""
    sys.path.insert(0, str(ROOT / "tests"))  # the stand-in and its tokenizer helper live with the tests
    import text_standin

    from wisebench.registry import MODELS
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # a local JSON task: nothing to fetch
    MODELS.register(STAND_IN, "text_standin:STANDIN")
    task = text_standin.write_task(folder / "task")
    previous = Path.cwd()
    os.chdir(task.parent)  # (contextlib.chdir is Python 3.11+; the project supports 3.10)
    try:
        config = RunConfig(model=STAND_IN, suite=f"lm-eval:{task.name}", split="test", out=str(folder / "runs"))
        result = execute_run(config, progress=False)
    finally:
        os.chdir(previous)
    return result.folder, task.parent


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
    text_folder, task_folder = text_stand_in_run(folder)
    board.add(check_run_folder(text_folder, str(task_folder)), submitted_from=str(text_folder))
    print(f"demo run {text_folder.name} submitted", file=sys.stderr)
    return board.folder


def _percent(value: float | None, low: float | None = None, high: float | None = None) -> str:
    if value is None:
        return "-"
    interval = f" [{100 * low:.1f}, {100 * high:.1f}]" if low is not None and high is not None else ""
    return f"{100 * value:.1f}{interval}"


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown_table(rows: list[BoardRow]) -> str:
    """The rows as a Markdown table a README can quote (fractions as percentages, intervals in brackets)."""
    header = ["suite / split", "model", "kind", "protocol", "gIoU", "cIoU", "accuracy [95% CI]", "reasoning tokens (mean)", "latency p50 (s)", "backend"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [
            f"{row.suite} / {row.split}",
            row.model,
            row.kind,
            row.protocol,
            _percent(row.giou, row.giou_low, row.giou_high),
            _percent(row.ciou, row.ciou_low, row.ciou_high),
            _percent(row.accuracy, row.accuracy_low, row.accuracy_high) + (f" ({row.accuracy_metric})" if row.accuracy is not None and row.accuracy_metric else ""),
            _number(row.mean_reasoning_tokens, 1),
            _number(row.latency_p50, 3),
            row.backend or "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_rows(board_folder: Path) -> list[BoardRow]:
    """Measured rows (segmentation first), then the reported text-reasoning rows; the reported segmentation rows
    are left to the app, which shows all of them."""
    from wisebench.board.store import Board

    rows = Board(board_folder).rows()
    measured = sorted((row for row in rows if row.kind == MEASURED), key=lambda row: (row.accuracy is not None, row.suite, row.split))
    reported_text = [row for row in rows if row.kind != MEASURED and row.giou is None and row.ciou is None]
    return measured + reported_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", type=Path, help="an existing board (default: build a demo board)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "leaderboard.png")
    parser.add_argument("--benchmark", default="all suites and splits", help="suite / split to preselect")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1150)
    parser.add_argument("--no-screenshot", action="store_true", help="only print the table")
    args = parser.parse_args()
    if not args.no_screenshot and chromium_paths() is None:
        print("chromium and chromedriver are needed: apt-get install chromium chromium-driver", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wisebench-screenshot-") as scratch:
        board = args.board or build_demo_board(Path(scratch))
        print(markdown_table(readme_rows(board)))
        if args.no_screenshot:
            return 0
        with running_app(board, log=Path(scratch) / "streamlit.log") as url, headless_chromium(args.width, args.height) as driver:
            driver.get(f"{url}/?{urllib.parse.urlencode({'benchmark': args.benchmark})}")
            wait_for_table(driver)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
