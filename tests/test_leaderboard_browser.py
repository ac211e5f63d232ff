"""The real thing: `streamlit run` on 127.0.0.1, loaded in headless Chromium, the table waited for, a screenshot
saved, the server stopped. Skipped where Chromium, chromedriver or selenium are not installed
(Debian: apt-get install chromium chromium-driver; pip install selenium)."""

from __future__ import annotations

import socket
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from leaderboard.serve import chromium_paths, headless_chromium, running_app, wait_for_table  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def browser_ready():
    if chromium_paths() is None:
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")


def _port_open(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((parts.hostname, parts.port)) == 0


def test_app_in_headless_chromium(browser_ready, tmp_path):
    from selenium.webdriver.common.by import By

    board = Board(tmp_path / "board")
    for model in ("wise", "seg-zero"):
        folder = make_synthetic_run(tmp_path / "runs", model)
        board.add(check_run_folder(folder), str(folder))
    screenshot = tmp_path / "leaderboard.png"
    with running_app(board.folder, log=tmp_path / "streamlit.log") as url:
        assert url.startswith("http://127.0.0.1:")
        with headless_chromium() as driver:
            driver.get(f"{url}/?benchmark={urllib.parse.quote('reasonseg-mini / val')}")
            wait_for_table(driver)
            page = driver.find_element(By.TAG_NAME, "body").text
            assert "wisebench leaderboard" in page
            assert "Sample browser" in page and "Download CSV" in page
            assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
            driver.save_screenshot(str(screenshot))
    assert not _port_open(url)  # the server is gone
    data = Path(screenshot).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
