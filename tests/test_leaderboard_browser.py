"""The real thing: `streamlit run` on 127.0.0.1, loaded in headless Chromium, every tab clicked on the demo board
(measured, reported, smoke, custom-data and text rows) at 1400 px and at 390 px, each page checked by
leaderboard.browser_checks.page_problems (exceptions, error alerts, drawn charts without data, overlapping or cut-off
labels); the checker itself on a static page with known faults; the server stopped afterwards. Skipped where Chromium,
chromedriver or selenium are not installed (Debian: apt-get install chromium chromium-driver; pip install selenium).
About 2 minutes on 2 CPU cores: the demo board (leaderboard/demo_board.py) about 20 s, each page and tab walk the rest."""

from __future__ import annotations

import socket
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from leaderboard.browser_checks import click_tab, open_board, page_problems, tab_labels, table_cells  # noqa: E402
from leaderboard.demo_board import CUSTOM_BENCHMARK, SMOKE_BENCHMARK, SMOKE_MODELS, STAND_IN, TEXT_BENCHMARK, build_demo_board  # noqa: E402
from leaderboard.serve import chromium_paths, headless_chromium, running_app, wait_for_table  # noqa: E402
from wisebench.board.rows import REPORTED  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALL_BENCHMARKS = "all suites and splits"
WIDE, PHONE = 1400, 390
FEWEST_TABS = 6  # the app has had at least these many tabs; fewer means the walk missed some


@pytest.fixture(scope="module")
def browser_ready() -> None:
    if chromium_paths() is None:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")


@pytest.fixture(scope="module")
def demo_board(browser_ready, tmp_path_factory) -> Path:
    return build_demo_board(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def app_url(demo_board, tmp_path_factory):
    with running_app(demo_board, log=tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def wide_browser(app_url):
    with headless_chromium(WIDE, 1000) as driver:
        yield driver


def walk(driver, url: str, benchmark: str) -> dict[str, list[str]]:
    """Every tab of the page for `benchmark` clicked in turn: tab -> its problems (tabs without any left out)."""
    open_board(driver, url, benchmark)
    labels = tab_labels(driver)
    assert len(labels) >= FEWEST_TABS, labels
    found = {}
    for label in labels:
        click_tab(driver, label)
        problems = page_problems(driver)
        if problems:
            found[label] = problems
    return found


def described(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{tab}: {problem}" for tab, problems in found.items() for problem in problems)


@pytest.mark.parametrize("benchmark", [SMOKE_BENCHMARK, CUSTOM_BENCHMARK, TEXT_BENCHMARK, ALL_BENCHMARKS])
def test_every_tab_wide(wide_browser, app_url, benchmark):
    found = walk(wide_browser, app_url, benchmark)
    assert not found, f"{benchmark} at {WIDE} px:\n{described(found)}"


def test_every_tab_on_a_phone(app_url):
    with headless_chromium(PHONE, 844) as driver:
        found = walk(driver, app_url, SMOKE_BENCHMARK)
    assert not found, f"{SMOKE_BENCHMARK} at {PHONE} px:\n{described(found)}"


def test_rows_of_every_kind(wide_browser, app_url, demo_board):
    """The Leaderboard tab's tables hold measured (the oracle), smoke (scripted), reported and text rows, read from
    the grid's accessible cells (the grid itself is a canvas), and the page says which rows are smoke."""
    seen: dict[str, set[str]] = {}
    smoke_said = False
    for benchmark in (SMOKE_BENCHMARK, CUSTOM_BENCHMARK, TEXT_BENCHMARK):
        open_board(wide_browser, app_url, benchmark)
        click_tab(wide_browser, tab_labels(wide_browser)[0])
        seen[benchmark] = {cell for grid in table_cells(wide_browser) for row in grid for cell in row}
        if benchmark == SMOKE_BENCHMARK:
            smoke_said = "smoke" in wide_browser.execute_script("return document.querySelector('[data-testid=\"stMain\"]').innerText").lower()
    reported = {row.model for row in Board(demo_board).rows() if row.kind == REPORTED and f"{row.suite} / {row.split}" == CUSTOM_BENCHMARK}
    missing = [
        kind
        for kind, present in (
            ("measured (oracle)", "oracle" in seen[SMOKE_BENCHMARK]),
            ("smoke (scripted)", bool(set(SMOKE_MODELS) & seen[SMOKE_BENCHMARK])),
            ("a word that says which rows are smoke", smoke_said),
            ("reported", bool(reported & seen[CUSTOM_BENCHMARK])),
            ("text", STAND_IN in seen[TEXT_BENCHMARK]),
        )
        if not present
    ]
    assert not missing, f"the Leaderboard tab lacks {missing}; its tables hold {seen}"


FAULTY_PAGE = """<!doctype html><html><body style="margin:0">
<div data-testid="stVegaLiteChart"><svg width="400" height="220" font-size="12" font-family="sans-serif">
  <g class="mark-group role-frame root">
    <g class="mark-group role-title"><g class="mark-text role-title-text"><text x="20" y="0">Cut title</text></g></g>
    <g class="mark-group role-axis"><g class="mark-text role-axis-label">
      <text x="20" y="210">0.50</text><text x="26" y="210">0.55</text><text x="300" y="210">0.90</text>
      <text x="22" y="212" opacity="0">0.52</text>
    </g></g>
    <g class="mark-symbol role-mark layer_0_marks"><path d="M50,50h4v4h-4Z"></path></g>
    <g class="mark-text role-mark layer_1_marks">
      <text x="60" y="60">wise</text><text x="70" y="62">wise-s</text><text x="250" y="150">far away</text>
      <text x="62" y="60" opacity="0">hidden by Vega</text>
    </g>
  </g></svg></div>
<div data-testid="stVegaLiteChart"><svg width="400" height="220">
  <g class="mark-group role-frame root">
    <g class="mark-group role-axis"><g class="mark-text role-axis-label"><text x="20" y="210">0</text></g></g>
    <g class="mark-symbol role-mark layer_0_marks"></g>
    <g class="mark-line role-mark layer_1_marks"><path d=""></path></g>
    <g class="mark-text role-mark layer_2_marks"><text x="10" y="10"></text></g>
    <g class="mark-rule role-mark layer_3_marks"><line x1="0" y1="0" x2="0" y2="200"></line></g>
  </g></svg></div>
<div data-testid="stException">ValueError: one chart, one metric protocol</div>
</body></html>"""


def test_checker_finds_overlaps_cut_text_and_empty_charts(browser_ready, tmp_path):
    page = tmp_path / "faulty.html"
    page.write_text(FAULTY_PAGE, encoding="utf-8")
    with headless_chromium(800, 600) as driver:
        driver.get(page.as_uri())
        problems = page_problems(driver)
    def about(start: str) -> list[str]:
        return [problem for problem in problems if problem.startswith(start)]

    assert len(about("overlapping text marks in chart 1")) == 1 and '"wise" and "wise-s"' in about("overlapping text marks")[0], problems
    assert len(about("overlapping axis labels in chart 1")) == 1 and '"0.50" and "0.55"' in about("overlapping axis labels")[0], problems
    assert len(about("text cut off at the edge of chart 1")) == 1 and '"Cut title"' in about("text cut off")[0], problems
    assert about("chart 2") == ["chart 2: drawn with no data marks"], problems  # its zero rule is not data
    assert about("exception") == ["exception in page: ValueError: one chart, one metric protocol"], problems
    assert len(problems) == 5, problems  # nothing about hidden labels, far-apart ones, in-bounds ones or chart 1's data


def _port_open(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((parts.hostname, parts.port)) == 0


def test_app_in_headless_chromium(browser_ready, tmp_path):
    board = Board(tmp_path / "board")
    for model in ("wise", "seg-zero"):
        folder = make_synthetic_run(tmp_path / "runs", model)
        board.add(check_run_folder(folder), str(folder))
    screenshot = tmp_path / "leaderboard.png"
    with running_app(board.folder, log=tmp_path / "streamlit.log") as url:
        assert url.startswith("http://127.0.0.1:")
        with headless_chromium() as driver:
            open_board(driver, url, SMOKE_BENCHMARK)
            wait_for_table(driver)
            page = driver.execute_script("return document.body.innerText")
            assert "wisebench leaderboard" in page
            assert "Sample browser" in page and "Download CSV" in page
            assert not page_problems(driver)
            driver.save_screenshot(str(screenshot))
    assert not _port_open(url)  # the server is gone
    data = Path(screenshot).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000