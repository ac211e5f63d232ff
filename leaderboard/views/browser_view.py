"""Sample browser: one run's samples, one at a time: the image with the ground truth and the prediction, the query,
the reasoning, the parsed answer and the raw output; failures first if asked. Model text is shown as text only."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from leaderboard import samples, text_browser
from leaderboard.context import BoardView
from leaderboard.widgets import plain, prediction_image, suite_picture
from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL


def show(view: BoardView) -> None:
    runs = view.runs()
    if not runs:
        st.info("No measured run matches the filters.")
        return
    label = st.selectbox("run", list(runs), key="browser_run")
    row = runs[label]
    records = view.records(row["run_id"])
    by_id = {str(record["sample_id"]): record for record in records}
    if row["protocol"] == TEXT_PROTOCOL:
        text_browser_view(row, records, by_id)
        return
    listing = samples.sample_table(records, row["protocol"])
    failures_only = st.checkbox("failures only (format failure, skipped, or IoU < 0.5)", key="failures_only")
    if failures_only:
        listing = listing[listing["failed"]]
    if listing.empty:
        st.info("No sample matches.")
        return
    names = {
        sample_id: f"{sample_id}  (IoU {'-' if pd.isna(iou) else f'{iou:.3f}'}{', ' + failure if failure else ''})"
        for sample_id, iou, failure in zip(listing["sample_id"], listing["iou"], listing["failure"])
    }
    # One picker per run: a sample chosen in another run never carries over, with its label, to this one.
    sample_id = st.selectbox(f"sample ({len(names)})", list(names), format_func=names.get, key=f"browser_sample:{row['run_id']}:{row['protocol']}")
    record = by_id[sample_id]
    prediction = record.get("prediction") or {}
    picture_column, detail_column = st.columns([3, 2])
    with picture_column:
        picture = suite_picture(view, row, sample_id, "the predicted mask is shown alone")
        prediction_image(record, picture, "; orange box and blue dots: the parsed answer")
    with detail_column:
        st.markdown("**query**")
        st.text(str(record.get("query", "")))
        first, second, third = st.columns(3)
        iou = samples.record_iou(record, row["protocol"])
        first.metric(f"IoU ({row['protocol']})", "-" if iou is None else f"{iou:.3f}")
        tokens = prediction.get("tokens") or {}
        second.metric("reasoning tokens", "-" if tokens.get("reasoning") is None else int(tokens["reasoning"]))
        third.metric("generated tokens", "-" if tokens.get("generated") is None else int(tokens["generated"]))
        if prediction.get("failure") or record.get("skipped"):
            st.markdown("**failure**")
            st.text(str(prediction.get("failure") or record.get("skipped")))
        st.markdown("**reasoning**")
        st.code(str(prediction.get("reasoning_text") or "(none)"), language=None, wrap_lines=True)
        st.markdown("**parsed answer** (boxes and points, image pixels)")
        objects = prediction.get("objects") or []
        st.code("\n".join(json.dumps(obj) for obj in objects) or "(none)", language="json", wrap_lines=True)
        if prediction.get("parse_policy"):
            other = prediction.get("other_policy")
            st.caption(f"parsed under the {plain(str(prediction['parse_policy']))} policy" + ("; the other policy reads it the same way" if not other else ""))
            if other:
                st.markdown(f"**{plain(str(other.get('policy')))} policy would give**")
                st.code(str(other.get("failure")) if other.get("failure") else "\n".join(json.dumps(obj) for obj in other.get("objects") or []), language="json", wrap_lines=True)
        with st.expander("raw model output"):
            st.code(str(prediction.get("raw_text") or "(none)"), language=None, wrap_lines=True)


def text_browser_view(row: pd.Series, records: list[dict], by_id: dict[str, dict]) -> None:
    listing = samples.text_sample_table(records)
    if st.checkbox("failures only (scored wrong, or truncated)", key="failures_only"):
        listing = listing[listing["failed"]]
    if listing.empty:
        st.info("No sample matches.")
        return
    names = {line["sample_id"]: text_browser.option_label(line) for _, line in listing.iterrows()}
    sample_id = st.selectbox(f"sample ({len(names)})", list(names), format_func=names.get, key=f"browser_sample:{row['run_id']}:{row['protocol']}")
    text_browser.show_text_record(by_id[sample_id], str(row["accuracy_metric"] or ""))
