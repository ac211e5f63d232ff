"""Start the app with `streamlit run` on a free loopback port and look at it in headless Chromium (selenium +
chromium-driver). Used by scripts/leaderboard_screenshot.py and the browser test; both stop what they start."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOOPBACK = "127.0.0.1"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
TABLE_SELECTOR = '[data-testid="stDataFrame"]'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def chromium_paths() -> tuple[str, str] | None:
    """(browser, driver) executables, or None when either is not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f}s")


@contextmanager
def running_app(board: Path, timeout: float = 60.0, log: Path | None = None) -> Iterator[str]:
    """`streamlit run leaderboard/app.py` for `board` on a free 127.0.0.1 port; yields the URL and stops the
    server (its whole process group) on exit."""
    from wisebench.commands.leaderboard import app_path, streamlit_command

    port = free_port()
    environment = dict(os.environ, WISEBENCH_BOARD=str(Path(board).resolve()))
    output = open(log, "wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(streamlit_command(app_path(), LOOPBACK, port), env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://{LOOPBACK}:{port}"
    try:
        _wait_healthy(url, process, timeout)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if output is not subprocess.DEVNULL:
            output.close()


@contextmanager
def headless_chromium(width: int = 1500, height: int = 1000) -> Iterator[object]:
    """A selenium driver for headless Chromium with a fresh profile, removed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    if paths is None:
        raise RuntimeError("chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)")
    browser, driver_path = paths
    profile = tempfile.mkdtemp(prefix="wisebench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_table(driver: object, timeout: float = 60.0, settle: float = 2.0) -> None:
    """Until the main table is on the page (and a moment more: the grid draws on a canvas after it appears)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, f"{TABLE_SELECTOR} canvas")))
    time.sleep(settle)
