"""The wisebench leaderboard: `wisebench leaderboard [--board DIR]`, or `streamlit run leaderboard/app.py`.

It reads the board named by $WISEBENCH_BOARD (default ~/.cache/wisebench/board) and never writes to it. Text from
runs (model names, queries, reasoning) is model or submitter output: it is shown through st.text, st.code, st.json,
tables and chart labels, never as Markdown or HTML. Segmentation runs are scored by gIoU / cIoU, text-reasoning runs
(lm-eval suites, protocol "lm-eval") by task accuracy; the cost views take both.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import streamlit as st

from leaderboard import charts, forced_budgets, reasoning_quality, samples, table, text_browser
from leaderboard.overlay import overlay
from wisebench.board.reported import default_reported_file
from wisebench.board.rows import MEASURED, REPORTED
from wisebench.board.store import Board
from wisebench.board.untrusted import UntrustedInputError
from wisebench.errors import WisebenchError
from wisebench.metrics.summary import compare_paired
from wisebench.metrics.accuracy_summary import TEXT_PROTOCOL

LOG = logging.getLogger("wisebench.leaderboard")
ALL_BENCHMARKS = "all suites and splits"
MAX_DEFAULT_RUNS = 6  # runs preselected in the multi-run views
TABLE_ROW_PIXELS = 35  # st.dataframe's row height: the table is as tall as its rows, up to a limit
MAX_TABLE_PIXELS = 760
# Accuracy choices of the cost and subset views: label -> row / subset column.
ACCURACY_COLUMNS = {"cIoU": "ciou", "gIoU": "giou", "task accuracy": "accuracy"}


def column_formats() -> dict:
    decimals = {"gIoU": 1, "cIoU": 1, "accuracy": 1, "reasoning tokens (mean)": 1, "generated tokens (mean)": 1, "latency p50 (s)": 3, "latency p90 (s)": 3, "samples/s": 2}
    formats: dict = {label: st.column_config.NumberColumn(label, format=f"%.{digits}f") for label, digits in decimals.items()}
    formats["model"] = st.column_config.TextColumn("model", width="medium")
    return formats


def _stamp(path: Path) -> float:
    """Changes whenever the file does, so cached reads refresh after a submission."""
    return path.stat().st_mtime_ns if path.exists() else 0


@st.cache_data(show_spinner=False)
def load_rows(board_folder: str, stamps: tuple) -> list[dict]:
    return [row.to_json() for row in Board(board_folder).rows()]


@st.cache_data(show_spinner=False)
def load_summary(board_folder: str, run_id: str, stamp: float) -> dict:
    return Board(board_folder).summary(run_id)


@st.cache_data(show_spinner=False)
def load_records(board_folder: str, run_id: str, stamp: float) -> list[dict]:
    return samples.readable(Board(board_folder).records(run_id))


@contextmanager
def shown_safely(view: str) -> Iterator[None]:
    """A view that fails (a damaged run on the board, a bug) says so in one line; the traceback, with this server's
    paths, goes to the server log only, and the other views still render."""
    try:
        yield
    except Exception as error:  # Streamlit's own rerun / stop signals are BaseExceptions and pass through
        LOG.exception("the %s view failed", view)
        st.error(f"The {view} view cannot be shown ({type(error).__name__}); the server log has the details.")


@st.cache_resource(show_spinner="loading the suite's images and masks...")
def load_suite(suite: str, split: str) -> dict[str, Any] | str:
    """The split's samples by id, or why they are not available on this machine."""
    try:
        return samples.suite_samples(suite, split, None)
    except WisebenchError as error:
        return str(error)


def query_default(name: str, options: list[str], fallback: int) -> int:
    """Index of ?name=value in `options` (links can preselect a benchmark), else `fallback`."""
    wanted = st.query_params.get(name)
    return options.index(wanted) if wanted in options else fallback


def forget_stale_choice(key: str, options: list[str]) -> None:
    """Drop a multiselect's remembered value once the filters took its options away (another benchmark chosen):
    Streamlit would keep the stale value, empty, instead of the widget's default."""
    remembered = st.session_state.get(key)
    if remembered is not None and not set(remembered) <= set(options):
        del st.session_state[key]


def sidebar_filters(frame: pd.DataFrame) -> table.Filters:
    st.sidebar.header("Filters")
    options = [ALL_BENCHMARKS] + table.benchmarks(frame)
    benchmark = st.sidebar.selectbox("suite / split", options, index=query_default("benchmark", options, 1 if len(options) > 1 else 0), key="benchmark")
    kinds = st.sidebar.multiselect("rows", [MEASURED, REPORTED], default=[MEASURED, REPORTED], key="kinds", help="measured: runs submitted to this board; reported: figures from papers")

    def choice(label: str, column: str, key: str) -> list[str]:
        values = sorted(set(frame[column])) if not frame.empty else []
        return st.sidebar.multiselect(label, values, default=values, key=key)

    protocols = choice("metric protocol", "protocol", "protocols")
    hardware = choice("hardware", "hardware", "hardware")
    families = choice("model family", "family", "families")
    return table.Filters(
        benchmark=None if benchmark == ALL_BENCHMARKS else benchmark,
        protocols=protocols,
        hardware=hardware,
        families=families,
        kinds=kinds,
    )


def run_label(row: pd.Series) -> str:
    return f"{row['model']} · {row['benchmark']} · {row['protocol']} · {row['run_id']}"


def short_label(row: pd.Series) -> str:
    """Model and the run id's hash: enough to tell runs apart in chart legends."""
    return f"{row['model']} · {row['run_id'].rsplit('_', 1)[-1]}"


def measured_runs(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Label -> row of every measured run in `frame`."""
    measured = frame[frame["kind"] == MEASURED] if not frame.empty else frame
    return {run_label(row): row for _, row in measured.iterrows()}


def leaderboard_tab(filtered: pd.DataFrame, showing_all: bool) -> None:
    sort_column, csv_column, json_column, _ = st.columns([4, 1.4, 1.4, 3], vertical_alignment="bottom")
    sort_choice = sort_column.selectbox("sort by", list(table.SORT_CHOICES), key="sort")
    ordered = table.sort_rows(filtered, sort_choice, group_by_benchmark=showing_all) if not filtered.empty else filtered
    shown = table.display_frame(ordered) if not ordered.empty else pd.DataFrame(columns=list(table.DISPLAY_COLUMNS.values()))
    if showing_all and not ordered.empty:
        shown.insert(1, "suite / split", ordered["benchmark"].to_list())
    height = min(TABLE_ROW_PIXELS * (len(shown) + 1) + 3, MAX_TABLE_PIXELS)
    st.dataframe(shown, hide_index=True, width="stretch", height=height, column_config=column_formats(), key="main_table")
    csv_column.download_button("Download CSV", table.to_csv(ordered), "wisebench-leaderboard.csv", "text/csv", key="download_csv")
    json_column.download_button("Download JSON", table.to_json(ordered), "wisebench-leaderboard.json", "application/json", key="download_json")
    st.caption(
        "Accuracy in %, with 95% intervals from a bootstrap over images (segmentation) or documents (text reasoning), "
        "measured rows only. Segmentation rows have gIoU / cIoU; text-reasoning rows (lm-eval suites) the task "
        "accuracy named in 'accuracy metric'. Measured rows come from runs checked by `wisebench submit`; reported rows "
        "are the papers' own figures, not reproduced here. The protocol column says how the score was computed (lisa, "
        "segzero or visionreasoner IoU, lm-eval, or a paper's own evaluation), the parse policy which parser read the "
        "model's answers (upstream: the paper's script, robust: wisebench's), the token convention how reasoning tokens "
        "were counted; compare rows that agree on all three. Click a column header to "
        "sort by it."
    )


def cost_tab(filtered: pd.DataFrame) -> None:
    metric = st.radio("accuracy", list(ACCURACY_COLUMNS), horizontal=True, key="cost_metric", help="cIoU / gIoU: segmentation rows; task accuracy: text-reasoning rows")
    column = ACCURACY_COLUMNS[metric]
    left, right = st.columns(2)
    with left:
        st.markdown("**against mean reasoning tokens**")
        data = filtered.dropna(subset=["mean_reasoning_tokens", column])
        if data.empty:
            st.info("No row here has both this accuracy and a reasoning-token count.")
        else:
            st.altair_chart(charts.accuracy_cost_chart(data, "mean_reasoning_tokens", "mean reasoning tokens", column, metric), width="stretch")
    with right:
        st.markdown("**against latency (p50 seconds per sample)**")
        data = filtered.dropna(subset=["latency_p50", column])
        if data.empty:
            st.info("No measured run here has latency figures (published rows have none).")
        else:
            st.altair_chart(charts.accuracy_cost_chart(data, "latency_p50", "latency p50 (s)", column, metric), width="stretch")
    st.caption("The line is the Pareto front (nothing cheaper is more accurate), drawn separately for measured and reported rows.")


def reasoning_tab(board_folder: str, runs: dict[str, pd.Series], stamp: float) -> None:
    if not runs:
        st.info("No measured run matches the filters.")
        return
    forget_stale_choice("length_runs", list(runs))
    chosen = st.multiselect("runs", list(runs), default=list(runs)[:MAX_DEFAULT_RUNS], key="length_runs")
    if not chosen:
        return
    lengths = pd.concat([samples.reasoning_lengths(load_records(board_folder, runs[label]["run_id"], stamp), short_label(runs[label])) for label in chosen])
    constant = charts.constant_runs(lengths)
    if len(constant) < lengths["run"].nunique():
        st.altair_chart(charts.reasoning_length_chart(lengths), width="stretch")
    for run in constant:
        value = lengths.loc[lengths["run"] == run, "reasoning_tokens"].iloc[0]
        st.caption(f"{run}: every sample spent {value:g} reasoning tokens (no distribution to draw)")
    stats = lengths.groupby("run")["reasoning_tokens"].describe(percentiles=[0.5, 0.9])[["count", "mean", "50%", "90%", "max"]]
    st.dataframe(stats.rename(columns={"50%": "median", "90%": "p90"}).round(1), width="stretch")


def subsets_tab(board_folder: str, runs: dict[str, pd.Series], filtered_any_benchmark: pd.DataFrame, stamp: float) -> None:
    if runs:
        summaries = {short_label(row): load_summary(board_folder, row["run_id"], stamp) for row in runs.values()}
        metric = st.radio("subset accuracy", list(ACCURACY_COLUMNS), horizontal=True, key="subset_metric")
        subsets = samples.subset_table(summaries).rename(columns={"accuracy": "task accuracy"})
        st.markdown("**Per subset** (short / long queries, difficulty; Thinkless modes; measured runs)")
        st.dataframe(subsets.pivot_table(index="run", columns="subset", values=metric, sort=False), width="stretch")
        st.markdown("**OAA at token budgets**: share of samples correct (IoU >= 0.5, or lm-eval score >= 0.5) whose reasoning fits in t tokens")
        budgets = samples.budget_table(summaries)
        if not budgets.empty:
            st.altair_chart(charts.oaa_chart(budgets), width="stretch")
        st.dataframe(samples.oaa_areas(summaries), hide_index=True, width="stretch")
    else:
        st.info("No measured run matches the filters.")
    refcoco = filtered_any_benchmark[filtered_any_benchmark["suite"].str.startswith("refcoco")] if not filtered_any_benchmark.empty else filtered_any_benchmark
    if not refcoco.empty:
        st.markdown("**RefCOCO family by split** (cIoU %)")
        pivot = refcoco.assign(ciou_percent=100 * refcoco["ciou"].astype(float)).pivot_table(index=["model", "kind", "protocol"], columns="benchmark", values="ciou_percent")
        st.dataframe(pivot.round(1), width="stretch")
    if runs:  # after the tables above: budget-forced curve, reasoning quality per band (issue 15)
        forced_budgets.show_forced_budgets(summaries)
        reasoning_quality.show_reasoning_quality(summaries)


def browser_tab(board_folder: str, runs: dict[str, pd.Series], stamp: float) -> None:
    if not runs:
        st.info("No measured run matches the filters.")
        return
    label = st.selectbox("run", list(runs), key="browser_run")
    row = runs[label]
    records = load_records(board_folder, row["run_id"], stamp)
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
        suite_samples = load_suite(row["suite"], row["split"])
        sample = suite_samples.get(sample_id) if isinstance(suite_samples, dict) else None
        try:
            predicted = samples.predicted_mask(record)
        except UntrustedInputError as error:
            predicted = None
            st.warning(f"The predicted mask cannot be shown: {error}")
        rle_size = tuple(predicted.shape) if predicted is not None else None
        if sample is not None:
            st.image(overlay(sample.load_image(), sample.load_gt_mask(), predicted, prediction.get("objects") or []), caption="green: ground truth, red: prediction, yellow: both; orange box and blue dots: the parsed answer")
        else:
            reason = suite_samples if isinstance(suite_samples, str) else "this sample is not in the suite's data here"
            st.warning("The suite's images are not available on this machine: the predicted mask is shown alone.")
            st.text(reason)
            st.image(overlay(None, None, predicted, prediction.get("objects") or [], size=rle_size), caption="red: prediction; orange box and blue dots: the parsed answer")
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
            st.caption(f"parsed under the {prediction['parse_policy']} policy" + ("; the other policy reads it the same way" if not other else ""))
            if other:
                st.markdown(f"**{other.get('policy')} policy would give**")
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


def compare_tab(board_folder: str, runs: dict[str, pd.Series], stamp: float) -> None:
    if len(runs) < 2:
        st.info("Comparing needs two measured runs on the same suite and split.")
        return
    labels = list(runs)
    label_a = st.selectbox("run A", labels, key="compare_a")
    row_a = runs[label_a]
    partners = [label for label in labels if label != label_a and runs[label]["benchmark"] == row_a["benchmark"]]
    if not partners:
        st.info("No other run on this suite and split.")
        return
    label_b = st.selectbox("run B", partners, key="compare_b")
    records_a = load_records(board_folder, row_a["run_id"], stamp)
    records_b = load_records(board_folder, runs[label_b]["run_id"], stamp)
    protocol = row_a["protocol"]
    # Text runs compare on accuracy (paired bootstrap by document), segmentation runs on gIoU and cIoU.
    result = compare_paired(records_a, records_b, protocol=protocol, seed=0)
    metrics = ["accuracy"] if protocol == TEXT_PROTOCOL else ["giou", "ciou"]
    labels = {"accuracy": "accuracy", "giou": "gIoU", "ciou": "cIoU"}

    def percent(value: Any) -> str:
        return "-" if value is None else f"{100 * value:+.1f}"

    def interval(values: Any) -> str:
        return "" if not values or values[0] is None else f"[{100 * values[0]:+.1f}, {100 * values[1]:+.1f}]"

    line: dict[str, Any] = {"protocol": protocol, "paired samples": result["n_paired"]}
    for metric in metrics:
        line[f"{labels[metric]} B - A"] = percent(result[f"{metric}_delta"])
        line[f"{labels[metric]} 95% CI"] = interval(result[f"{metric}_delta_ci"])
    line.update(better=result["n_better"], worse=result["n_worse"], equal=result["n_equal"])
    st.dataframe(pd.DataFrame([line]), hide_index=True, width="stretch", key="compare_summary")
    differences = samples.paired_differences(records_a, records_b, protocol)
    if not differences.empty:
        score = "accuracy" if protocol == TEXT_PROTOCOL else "IoU"
        st.altair_chart(charts.difference_chart(differences, score), width="stretch")
        st.dataframe(differences.round(4), hide_index=True, width="stretch", key="compare_samples")


def main() -> None:
    st.set_page_config(page_title="wisebench leaderboard", layout="wide")
    st.set_option("client.showErrorDetails", "none")  # never a traceback with server paths in the page
    board = Board()
    board_folder = str(board.folder)
    stamp = _stamp(board.database_path)
    st.title("wisebench leaderboard")
    st.text(f"Reasoning segmentation and text reasoning: accuracy and what the reasoning costs. Board: {board_folder}")
    frame = table.rows_frame(table_rows(board_folder, stamp))
    filters = sidebar_filters(frame)
    filtered = table.apply_filters(frame, filters)
    filtered_any_benchmark = table.apply_filters(frame, table.Filters(None, filters.protocols, filters.hardware, filters.families, filters.kinds))
    runs = measured_runs(filtered)
    tabs = st.tabs(["Leaderboard", "Accuracy vs cost", "Reasoning length", "Subsets & budgets", "Sample browser", "Compare runs"])
    with tabs[0], shown_safely("leaderboard"):
        leaderboard_tab(filtered, filters.benchmark is None)
    with tabs[1], shown_safely("accuracy vs cost"):
        cost_tab(filtered)
    with tabs[2], shown_safely("reasoning length"):
        reasoning_tab(board_folder, runs, stamp)
    with tabs[3], shown_safely("subsets and budgets"):
        subsets_tab(board_folder, runs, filtered_any_benchmark, stamp)
    with tabs[4], shown_safely("sample browser"):
        browser_tab(board_folder, runs, stamp)
    with tabs[5], shown_safely("compare runs"):
        compare_tab(board_folder, runs, stamp)


def table_rows(board_folder: str, stamp: float):
    from wisebench.board.rows import BoardRow

    rows = load_rows(board_folder, (stamp, _stamp(default_reported_file())))
    return [BoardRow.from_json(row) for row in rows]


with shown_safely("leaderboard"):
    main()
