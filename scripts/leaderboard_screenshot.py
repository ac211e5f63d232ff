"""Screenshots of every tab of the leaderboard at 1400 px and 390 px, each page checked; and the board as a table.

    python scripts/leaderboard_screenshot.py [--board DIR] [--out docs/screenshots] [--no-screenshot]

Without --board it builds the demo board (leaderboard/demo_board.py: scripted smoke runs, two real oracle runs, two
custom-data runs on a few reasonseg val images, the scripted text stand-in, next to the published rows) in a temporary
folder. It prints the board's measured rows and the reported text-reasoning rows as a Markdown table (stdout; the
README quotes it), then starts the app with `streamlit run` on a free 127.0.0.1 port, opens it in headless Chromium,
and for each width and each tab found on the page saves <out>/<tab-slug>-<width>.png, the whole page (up to
MAX_HEIGHT px tall). Every page is checked by leaderboard.browser_checks.page_problems (exceptions, error alerts,
drawn charts without data, overlapping or cut-off labels); the script exits 1 listing them when there are any.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from leaderboard.browser_checks import click_tab, open_board, page_height, page_problems, tab_labels, wait_until_settled
from leaderboard.demo_board import CUSTOM_BENCHMARK, SMOKE_BENCHMARK, build_demo_board
from leaderboard.serve import chromium_paths, headless_chromium, running_app
from wisebench.board.rows import MEASURED, BoardRow

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (1400, 390)
BASE_HEIGHT = 1000  # the window's height while a tab is laid out and measured
MAX_HEIGHT = 4000
# The benchmark each tab is shown on: the demo's smoke rows (difficulty bands, reasoning, failures) unless the tab is
# about published figures, which the demo has on reasonseg / val only.
BENCHMARK_FOR_TAB = {"Reproduction": CUSTOM_BENCHMARK}


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


def slug(label: str) -> str:
    """'Subsets & budgets' -> 'subsets-budgets'."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def full_page_shot(driver, width: int, path: Path) -> None:
    """The window made as tall as the page (up to MAX_HEIGHT), the picture saved, the window set back."""
    chrome = int(driver.execute_script("return window.outerHeight - window.innerHeight;"))
    driver.set_window_size(width, min(page_height(driver) + chrome, MAX_HEIGHT))
    wait_until_settled(driver)
    driver.save_screenshot(str(path))
    driver.set_window_size(width, BASE_HEIGHT)


def shoot_every_tab(url: str, out: Path, benchmark: str) -> list[str]:
    """<out>/<tab-slug>-<width>.png for every width and tab (other <name>-<width>.png there are removed); the
    problems found, each with its tab and width."""
    problems = []
    for width in WIDTHS:
        for stale in out.glob(f"*-{width}.png"):  # shots of tabs since renamed or removed
            stale.unlink()
        with headless_chromium(width, BASE_HEIGHT) as driver:
            open_board(driver, url, benchmark)
            shown = benchmark
            for label in tab_labels(driver):
                wanted = BENCHMARK_FOR_TAB.get(label, benchmark)
                if wanted != shown:
                    open_board(driver, url, wanted)
                    shown = wanted
                started = time.monotonic()
                click_tab(driver, label)
                problems += [f"{label} at {width} px ({wanted}): {problem}" for problem in page_problems(driver)]
                path = out / f"{slug(label)}-{width}.png"
                full_page_shot(driver, width, path)
                print(f"wrote {path} ({time.monotonic() - started:.1f}s)", file=sys.stderr)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", type=Path, help="an existing board (default: build the demo board)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    parser.add_argument("--benchmark", default=SMOKE_BENCHMARK, help="suite / split to preselect (a few tabs use their own: BENCHMARK_FOR_TAB)")
    parser.add_argument("--no-screenshot", action="store_true", help="only print the table")
    args = parser.parse_args()
    if not args.no_screenshot and chromium_paths() is None:
        print("chromium and chromedriver are needed: apt-get install chromium chromium-driver", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="wisebench-screenshot-") as scratch:
        started = time.monotonic()
        board = args.board or build_demo_board(Path(scratch))
        print(f"board ready in {time.monotonic() - started:.0f}s", file=sys.stderr)
        print(markdown_table(readme_rows(board)))
        if args.no_screenshot:
            return 0
        args.out.mkdir(parents=True, exist_ok=True)
        with running_app(board, log=Path(scratch) / "streamlit.log") as url:
            problems = shoot_every_tab(url, args.out, args.benchmark)
    if problems:
        print(f"{len(problems)} problem(s) on the pages:", file=sys.stderr)
        print("\n".join(f"  - {problem}" for problem in problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
