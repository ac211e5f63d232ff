"""Helpers for the Streamlit AppTest tests of the leaderboard."""

from __future__ import annotations

from typing import Any


def sample_picker(app: Any) -> Any:
    """The sample browser's sample picker: one per run (its key names the run), so a choice never carries over."""
    (picker,) = [box for box in app.selectbox if str(box.key).startswith("browser_sample:")]
    return picker
