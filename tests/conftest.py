import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (lisa_fixtures) import by plain name


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache/data root so nothing leaks from the user's machine, except the bundled
    suite, which is generated once per session (it is deterministic)."""
    shared = tmp_path_factory.getbasetemp() / "shared-cache"
    monkeypatch.setenv("WISEBENCH_CACHE", str(shared))
    monkeypatch.setenv("WISEBENCH_DATA", str(tmp_path_factory.mktemp("empty-data")))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
