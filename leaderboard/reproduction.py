"""Published figures against wisebench's own runs of the same model: each reported row paired with the measured rows
of its suite and split whose model is the one the reported row names in `reproduces`. Plain DataFrames in and out,
no Streamlit here.

Pairs are made across metric protocols on purpose (a paper's segzero figure against a run scored under lisa says how
far apart the two are), so every pair carries both protocols, both parse policies and both token conventions, and
flags where they differ: a difference under different protocols is not a reproduction gap alone.
"""

from __future__ import annotations

import pandas as pd

from wisebench.board.rows import MEASURED, REPORTED

# Accuracy label -> row column, in the order the pairs show them (all three kept: a pair shows what both rows have).
FIGURES = {"gIoU": "giou", "cIoU": "ciou", "task accuracy": "accuracy"}
HEADLINE_ORDER = ("cIoU", "task accuracy", "gIoU")  # the one difference the chart draws: the suite's default first

PAIR_COLUMNS = [
    "model", "benchmark", "reported_model", "run_id", "headline", "headline_reported", "headline_measured",
    "headline_difference",
    *(f"{column}_{side}" for column in FIGURES.values() for side in ("reported", "measured", "difference")),
    "reported_protocol", "measured_protocol", "protocols_differ",
    "reported_parse_policy", "measured_parse_policy",
    "reported_token_convention", "measured_token_convention", "token_conventions_differ",
    "reported_tokens", "measured_tokens", "tokens_difference",
    "ranked", "unranked_reason", "smoke", "data_scope", "paper_setup", "caveats", "checkpoint", "reported_source",
]


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _difference(measured: float | None, reported: float | None, scale: float = 1.0) -> float | None:
    return None if measured is None or reported is None else scale * (measured - reported)


def paper_setup(smoke: bool, data_scope: str) -> str:
    """Whether the measured run is of the paper's setting (published weights, the official split): "yes", or
    "no: why" / "unknown: why". A smoke or custom-data run is never a reproduction of a paper's figure."""
    problems = []
    if smoke:
        problems.append("smoke weights (random, unknown or unrecorded)")
    if data_scope == "custom":
        problems.append("custom data, not the official split")
    if problems:
        return "no: " + "; ".join(problems)
    if data_scope != "official":
        return "unknown: the data scope is not recorded"
    return "yes"


def _pair(reported: pd.Series, measured: pd.Series) -> dict[str, object]:
    pair: dict[str, object] = {
        "model": measured["model"],
        "benchmark": reported["benchmark"],
        "reported_model": reported["model"],
        "run_id": measured["run_id"],
    }
    for column in FIGURES.values():
        shown_reported, shown_measured = _number(reported[column]), _number(measured[column])
        pair[f"{column}_reported"] = shown_reported
        pair[f"{column}_measured"] = shown_measured
        pair[f"{column}_difference"] = _difference(shown_measured, shown_reported, 100.0)  # points
    headline = next((label for label in HEADLINE_ORDER if pair[f"{FIGURES[label]}_difference"] is not None), None)
    pair["headline"] = headline or ""
    for side in ("reported", "measured", "difference"):
        pair[f"headline_{side}"] = pair[f"{FIGURES[headline]}_{side}"] if headline else None
    reported_convention, measured_convention = str(reported["token_convention"]), str(measured["token_convention"])
    reported_tokens, measured_tokens = _number(reported["mean_reasoning_tokens"]), _number(measured["mean_reasoning_tokens"])
    smoke, data_scope = bool(measured["smoke"]), str(measured["data_scope"] or "")
    protocols_differ = reported["protocol"] != measured["protocol"]
    conventions_differ = reported_convention != measured_convention
    setup = paper_setup(smoke, data_scope)
    caveats = [
        f"protocols differ ({reported['protocol']} reported, {measured['protocol']} measured)" if protocols_differ else "",
        f"token conventions differ ({reported_convention} reported, {measured_convention} measured)" if conventions_differ else "",
        f"paper setting {setup}" if setup != "yes" else "",
    ]
    pair.update(
        reported_protocol=reported["protocol"],
        measured_protocol=measured["protocol"],
        protocols_differ=protocols_differ,
        reported_parse_policy=reported["parse_policy"],
        measured_parse_policy=measured["parse_policy"],
        reported_token_convention=reported_convention,
        measured_token_convention=measured_convention,
        token_conventions_differ=conventions_differ,
        reported_tokens=reported_tokens,
        measured_tokens=measured_tokens,
        tokens_difference=_difference(measured_tokens, reported_tokens),
        ranked=bool(measured["ranked"]),
        unranked_reason=str(measured["unranked_reason"] or ""),
        smoke=smoke,
        data_scope=data_scope,
        paper_setup=setup,
        caveats="; ".join(caveat for caveat in caveats if caveat),
        checkpoint=str(measured["checkpoint"] or ""),
        reported_source=reported["source"],
    )
    return pair


def reproduction_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Every (reported row, measured row) pair of one suite and split whose measured model is the reported row's
    `reproduces` (case-insensitive), a run re-scored under several protocols giving one pair per protocol. Ordered
    by model, benchmark and paper figure, and within those the pairs whose protocols (then token conventions) agree
    first. `frame` is rows_frame's form, any protocols."""
    if frame.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    reported = frame[(frame["kind"] == REPORTED) & (frame["reproduces"].fillna("").astype(str).str.strip() != "")]
    measured = frame[frame["kind"] == MEASURED]
    lines = []
    for _, paper in reported.iterrows():
        same = measured[
            (measured["suite"] == paper["suite"])
            & (measured["split"] == paper["split"])
            & (measured["model"].astype(str).str.strip().str.lower() == str(paper["reproduces"]).strip().lower())
        ]
        lines += [_pair(paper, run) for _, run in same.iterrows()]
    pairs = pd.DataFrame(lines, columns=PAIR_COLUMNS)
    order = ["model", "benchmark", "reported_model", "protocols_differ", "token_conventions_differ", "measured_protocol", "run_id"]
    return pairs.sort_values(order, kind="stable").reset_index(drop=True)

