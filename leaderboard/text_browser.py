"""The sample browser's view of one text-reasoning record (an lm-eval suite): no image, the question and what the
model wrote, split into reasoning and answer, next to what lm-eval scored and its target.

Everything here but fixed labels is model output or task data: it goes through st.text and st.code, never Markdown.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from leaderboard import samples
from leaderboard.widgets import plain


def option_label(line: pd.Series) -> str:
    """'<sample id>  (accuracy 1, truncated, think)' for the sample selector."""
    accuracy = "-" if pd.isna(line["accuracy"]) else f"{line['accuracy']:g}"
    flags = (["truncated"] if line["truncated"] else []) + ([line["mode"]] if line["mode"] else [])
    return f"{line['sample_id']}  (accuracy {accuracy}{''.join(', ' + flag for flag in flags)})"


def _target_text(target: Any) -> str:
    return target if isinstance(target, str) else json.dumps(target)


def show_text_record(record: dict[str, Any], metric: str) -> None:
    """One record: question, scores and token counts, reasoning, answer span, scored text, target, raw output."""
    prediction = record.get("prediction") or {}
    tokens = prediction.get("tokens") or {}
    st.caption("A text-reasoning sample (lm-eval task): there is no image.")
    st.markdown("**question** (lm-eval's prompt text)")
    st.text(str(record.get("query", "")))
    accuracy, reasoning, answer, generated = st.columns(4)
    value = samples.record_accuracy(record)
    accuracy.metric(f"accuracy ({plain(metric)})" if metric else "accuracy", "-" if value is None else f"{value:g}")
    for column, kind in ((reasoning, "reasoning"), (answer, "answer"), (generated, "generated")):
        column.metric(f"{kind} tokens", "-" if tokens.get(kind) is None else int(tokens[kind]))
    st.text(
        f"truncated: {'yes (the chain never closed before the token limit)' if prediction.get('truncated') else 'no'}"
        f"    mode: {prediction.get('mode') or '-'}    finish reason: {prediction.get('finish_reason') or '-'}"
    )
    st.markdown("**reasoning**")
    st.code(str(prediction.get("reasoning_text") or "(none)"), language=None, wrap_lines=True)
    st.markdown("**answer span** (after the reasoning)")
    st.code(str(prediction.get("answer_text") or "(none)"), language=None, wrap_lines=True)
    st.markdown("**scored text** (what lm-eval's filters and metric read)")
    st.code(str(prediction.get("scored_text") or "(empty)"), language=None, wrap_lines=True)
    st.markdown("**target**")
    st.code(_target_text(prediction.get("target")), language=None, wrap_lines=True)
    with st.expander("lm-eval scores and raw model output"):
        st.json((record.get("scores") or {}).get("lm-eval") or {})
        st.code(str(prediction.get("raw_text") or "(none)"), language=None, wrap_lines=True)
