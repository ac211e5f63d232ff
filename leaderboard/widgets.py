"""Small Streamlit helpers the views share."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from leaderboard import samples, table
from leaderboard.context import BoardView
from leaderboard.overlay import overlay
from wisebench.board.untrusted import UntrustedInputError


def forget_stale_choice(key: str, options: list[str]) -> None:
    """Drop a multiselect's remembered value once the filters took its options away (another benchmark chosen):
    Streamlit would keep the stale value, empty, instead of the widget's default."""
    remembered = st.session_state.get(key)
    if remembered is not None and not set(remembered) <= set(options):
        del st.session_state[key]


def query_default(name: str, options: list[str], fallback: int) -> int:
    """Index of ?name=value in `options` (links can preselect a benchmark or protocol), else `fallback`."""
    wanted = st.query_params.get(name)
    return options.index(wanted) if wanted in options else fallback


MARKDOWN_SPECIALS = "\\`*_{}[]<>#!|:~$.@"  # what makes a link (www.x.y, a@b.c autolinks too), image, emoji, colour or markup


def plain(text: str) -> str:
    """`text` with every Markdown special character escaped: board data (model and suite names come from
    submissions) shown in a heading stays text, never a link, an image or markup."""
    return "".join(f"\\{character}" if character in MARKDOWN_SPECIALS else character for character in text)


def title(text: str) -> None:
    """A view's heading holding board data (protocol, suite names)."""
    st.subheader(plain(text), anchor=False)


def one_benchmark(view: BoardView, key: str, label: str) -> BoardView:
    """With every suite shown, a chart still takes one suite / split at a time (picked here): a Pareto front or a
    bar group across suites would set a cIoU on RefCOCO against one on ReasonSeg."""
    benchmarks = table.benchmarks(view.rows)
    if len(benchmarks) <= 1:
        return view
    chosen = st.selectbox(label, benchmarks, key=key)
    rows = view.rows[view.rows["benchmark"] == chosen]
    return dataclasses.replace(view, rows=rows, benchmark=chosen)


def suite_picture(view: BoardView, row: pd.Series, sample_id: str, alone: str) -> tuple[Any, Any] | None:
    """The sample's image and ground truth from this machine's copy of the suite; None where it is not here, said
    once (`alone`: what is shown instead) with the reason."""
    suite = view.suite_samples(str(row["suite"]), str(row["split"]))
    sample = suite.get(sample_id) if isinstance(suite, dict) else None
    if sample is None:
        st.warning(f"The suite's images are not available on this machine: {alone}.")
        st.text(suite if isinstance(suite, str) else "this sample is not in the suite's data here")
        return None
    return sample.load_image(), sample.load_gt_mask()


def prediction_image(record: dict[str, Any], picture: tuple[Any, Any] | None, legend: str = "") -> None:
    """The record's predicted mask and parsed answer over the sample's image and ground truth (`picture`), or alone
    at the mask's own size; a malformed or oversized mask is a warning, never a crash. `legend` is added to the
    caption."""
    objects = (record.get("prediction") or {}).get("objects") or []
    try:
        predicted = samples.predicted_mask(record)
    except UntrustedInputError as error:
        predicted = None
        st.warning(f"The predicted mask cannot be shown: {error}")
    if picture is not None:
        st.image(overlay(picture[0], picture[1], predicted, objects), caption=f"green: ground truth, red: prediction, yellow: both{legend}")
    else:
        size = tuple(predicted.shape) if predicted is not None else None
        st.image(overlay(None, None, predicted, objects, size=size), caption=f"red: prediction{legend}")
