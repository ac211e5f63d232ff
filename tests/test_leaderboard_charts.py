"""The accuracy-against-cost charts: label placement that never overlaps at any plot width, the chart specs (explicit
domains, units, the protocol in the title, reported rows distinct, one Pareto front per kind, one protocol only), and
the cost view rendered by Streamlit's AppTest for segmentation and text-reasoning rows."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard import charts, labels, table  # noqa: E402
from leaderboard.labels import Box, Placement  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, BoardRow  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402

HEIGHT = charts.PLOT_HEIGHT
WIDTHS = (labels.MIN_PLOT_WIDTH, 375, 640, 1400, 2600)
NAMES = ("wise", "WISE-7B-S", "Seg-Zero-7B (re-evaluated by WISE)", "LISA-13B-LLaVA1.5", "MMWW", "r1", "PixelThink-7B")


def pixels(box: Box, width: float) -> tuple[float, float, float, float]:
    start, end = box.span(width)
    return start, box.top, end, box.bottom


def overlap(first: tuple, second: tuple) -> bool:
    """Plain rectangle intersection (left, top, right, bottom), touching edges allowed."""
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def random_points(seed: int, count: int) -> tuple[list[tuple[float, float]], list[str]]:
    """Clustered points (dense: labels must be dropped), some sharing an x, with names of every length."""
    rng = random.Random(seed)
    centres = [(rng.random(), rng.random()) for _ in range(4)]
    points = []
    for index in range(count):
        x, y = centres[index % len(centres)]
        point = (min(max(x + rng.gauss(0, 0.08), 0.0), 1.0), min(max(y + rng.gauss(0, 0.08), 0.0), 1.0))
        points.append((points[-1][0], point[1]) if index % 7 == 6 else point)
    return points, [rng.choice(NAMES) + "-" * rng.randrange(3) for _ in range(count)]


def boxes_at(points, texts, placements, width: float) -> tuple[list[tuple], list[tuple]]:
    placed = [pixels(labels.label_box(x, y, text, placement, HEIGHT), width) for (x, y), text, placement in zip(points, texts, placements) if placement]
    markers = [pixels(labels.marker_box(x, y, HEIGHT), width) for x, y in points]
    return placed, markers


@pytest.mark.parametrize("seed", range(12))
def test_placed_labels_never_overlap_at_any_width_and_stay_inside(seed):
    points, texts = random_points(seed, 12 + 4 * seed)
    placements = labels.place_labels(points, texts, HEIGHT, on_front=[index % 3 == 0 for index in range(len(points))])
    assert any(placements)
    for width in WIDTHS:
        placed, markers = boxes_at(points, texts, placements, width)
        for first, second in itertools.combinations(placed, 2):
            assert not overlap(first, second), (width, first, second)
        for box in placed:
            assert not any(overlap(box, marker) for marker in markers), (width, box)
            assert 0 <= box[0] and box[2] <= width and 0 <= box[1] and box[3] <= HEIGHT


def test_dense_points_drop_labels_rather_than_overlap():
    points = [(0.5 + 0.001 * index, 0.5) for index in range(30)]
    placements = labels.place_labels(points, ["model"] * 30, HEIGHT)
    assert 0 < sum(placement is not None for placement in placements) < 30
    assert labels.place_labels([(0.5, 0.5)], [""], HEIGHT) == [None]  # nothing to draw


def test_crossed_labels_count_as_overlapping():
    """The label of the right point placed left of it, the left point's label placed right: apart on a narrow plot,
    overlapping on a wide one (the gap shrinks as the width grows), so `apart` must refuse it."""
    right = labels.label_box(0.50, 0.5, "abcdefgh", Placement(-10, 0, "right"), HEIGHT)
    left = labels.label_box(0.47, 0.5, "abcdefgh", Placement(10, 0, "left"), HEIGHT)
    assert not overlap(pixels(right, labels.MIN_PLOT_WIDTH), pixels(left, labels.MIN_PLOT_WIDTH))
    assert overlap(pixels(right, 1400), pixels(left, 1400))
    assert not labels.apart(right, left)
    # In the order of their points they stay apart at every width.
    assert labels.apart(labels.label_box(0.50, 0.5, "ab", Placement(10, 0, "left"), HEIGHT), labels.label_box(0.47, 0.5, "ab", Placement(-10, 0, "right"), HEIGHT))


def test_labels_near_the_right_edge_turn_left_and_front_points_avoid_their_line():
    (placement,) = labels.place_labels([(0.98, 0.5)], ["WISE-7B-S"], HEIGHT)
    assert placement is not None and placement.align == "right"
    (placement,) = labels.place_labels([(0.5, 0.5)], ["wise"], HEIGHT, on_front=[True])
    assert placement is not None and placement.align == "right" and placement.dx < 0  # left of it: the line goes right


def frame(*rows: BoardRow) -> pd.DataFrame:
    return table.rows_frame(list(rows))


def row(kind: str, model: str, ciou: float, tokens: float, protocol: str = "segzero", **fields) -> BoardRow:
    return BoardRow(kind=kind, model=model, family="f", suite="reasonseg", split="val", protocol=protocol, ciou=ciou, mean_reasoning_tokens=tokens, **fields)


MIXED = frame(
    row(MEASURED, "wise", 0.60, 30.0, ranked=True),
    row(MEASURED, "seg-zero", 0.58, 110.0, ranked=True),
    row(MEASURED, "smoke", 0.30, 20.0, smoke=True),
    row(REPORTED, "WISE-7B", 0.59, 38.8),
    row(REPORTED, "Seg-Zero-7B", 0.62, 111.9),
    row(REPORTED, "LISA-7B", 0.52, 0.0),
)


def layers(spec: dict) -> dict[str, dict]:
    return {layer["mark"]["type"]: layer for layer in spec["layer"]}


def test_cost_chart_spec_has_domains_units_protocol_and_distinct_kinds():
    chart = charts.accuracy_cost_chart(MIXED, "mean_reasoning_tokens", "ciou", "cIoU", "cIoU vs mean reasoning tokens · protocol segzero")
    spec = chart.to_dict()
    assert "protocol segzero" in " ".join(spec["title"]["text"])
    assert spec["height"] == charts.PLOT_HEIGHT and spec["width"] == "container"
    point = layers(spec)["point"]
    x, y = point["encoding"]["x"], point["encoding"]["y"]
    assert x["title"] == "mean reasoning tokens per sample (tokens)" and y["title"] == "cIoU (%)"
    for channel in (x, y):
        assert channel["scale"]["nice"] is False and len(channel["scale"]["domain"]) == 2
    points = charts.cost_points(MIXED, "mean_reasoning_tokens", "ciou")
    assert x["scale"]["domain"][0] <= points["cost"].min() and points["cost"].max() <= x["scale"]["domain"][1]
    assert y["scale"]["domain"][0] <= points["accuracy_percent"].min() and points["accuracy_percent"].max() <= y["scale"]["domain"][1]
    # Reported rows: another shape AND no fill; smoke / unranked measured rows fainter.
    styles = {channel: dict(zip(point["encoding"][channel]["scale"]["domain"], point["encoding"][channel]["scale"]["range"])) for channel in ("shape", "fill", "opacity")}
    assert styles["shape"][charts.ROW_REPORTED] != styles["shape"][charts.ROW_MEASURED]
    assert styles["fill"][charts.ROW_REPORTED] == "transparent" != styles["fill"][charts.ROW_MEASURED]
    assert styles["opacity"][charts.ROW_UNRANKED] < styles["opacity"][charts.ROW_MEASURED]
    assert dict(zip(points["model"], points["row"]))["smoke"] == charts.ROW_UNRANKED
    tooltips = {tip.get("title", tip["field"]) for tip in point["encoding"]["tooltip"]}
    assert {"model", "kind", "protocol", "parse policy", "token convention", "checkpoint", "cIoU (%)", "mean reasoning tokens per sample (tokens)"} <= tooltips
    text = layers(spec)["text"]
    assert text["mark"]["dx"] == {"expr": "datum.dx"} and text["mark"]["align"] == {"expr": "datum.align"}


def test_latency_axis_title_has_its_unit_and_ticks_are_not_crowded():
    measured = frame(row(MEASURED, "a", 0.5, 10.0, latency_p50=0.21), row(MEASURED, "b", 0.6, 20.0, latency_p50=1.37))
    x = layers(charts.accuracy_cost_chart(measured, "latency_p50", "ciou", "cIoU").to_dict())["point"]["encoding"]["x"]
    assert x["title"] == "latency p50 (seconds per sample)"
    ticks = x["axis"]["values"]
    low, high = x["scale"]["domain"]
    assert 2 <= len(ticks) and all(low <= tick <= high for tick in ticks)
    assert min(b - a for a, b in zip(ticks, ticks[1:])) / (high - low) * labels.MIN_PLOT_WIDTH >= charts.TICK_SPACING - 1e-6


def test_one_pareto_front_per_kind_of_ranked_runs_and_papers():
    points = charts.cost_points(MIXED, "mean_reasoning_tokens", "ciou")
    front = points[points["on_front"]]
    # The cheap smoke run is drawn but never on the front: it would push wise off it without being ranked.
    assert set(front.loc[front["kind"] == MEASURED, "model"]) == {"wise"} and "smoke" in set(points["model"])
    assert set(front.loc[front["kind"] == REPORTED, "model"]) == {"LISA-7B", "WISE-7B", "Seg-Zero-7B"}
    line = layers(charts.accuracy_cost_chart(MIXED, "mean_reasoning_tokens", "ciou", "cIoU").to_dict())["line"]
    assert line["encoding"]["detail"]["field"] == "kind"


def test_mixing_protocols_raises():
    mixed = frame(row(MEASURED, "a", 0.5, 10.0, protocol="lisa"), row(REPORTED, "b", 0.6, 20.0, protocol="segzero"))
    with pytest.raises(ValueError, match="lisa, segzero"):
        charts.accuracy_cost_chart(mixed, "mean_reasoning_tokens", "ciou", "cIoU")


def test_oaa_chart_units_and_title():
    budgets = pd.DataFrame({"run": ["wise · 1"] * 3 + ["seg-zero · 2"] * 3, "budget": [0, 64, 1024] * 2, "oaa": [0.1, 0.5, 0.9, 0.0, 0.2, 0.8]})
    spec = charts.oaa_chart(budgets, "OAA_t · protocol lisa").to_dict()
    assert spec["encoding"]["x"]["title"] == "token budget t (tokens, log scale)" and spec["encoding"]["y"]["title"] == "OAA_t (%)"
    assert spec["encoding"]["color"]["field"] == "run" and "protocol lisa" in " ".join(spec["title"]["text"])
    assert charts.budget_ticks([0, 16, 32, 64, 128, 256, 512, 1024])[-1] == 1024


def cost_page() -> None:
    import os

    from leaderboard import context, table
    from leaderboard.views import cost_view
    from wisebench.board.store import Board

    board = Board(os.environ["COST_VIEW_BOARD"])
    rows = table.rows_frame(board.rows())
    cost_view.show(context.board_view(str(board.folder), 0.0, rows, os.environ["COST_VIEW_BENCHMARK"]))


def texts(test: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*test.text, *test.info, *test.caption])


def test_cost_view_draws_three_charts(tmp_path, monkeypatch):
    board = Board(tmp_path / "board")
    for model in ("seg-zero", "wise", "wise-s"):
        folder = make_synthetic_run(tmp_path / "runs", model)
        board.add(check_run_folder(folder), str(folder))
    monkeypatch.setenv("COST_VIEW_BOARD", str(board.folder))
    monkeypatch.setenv("COST_VIEW_BENCHMARK", "reasonseg-mini / val")
    test = AppTest.from_function(cost_page, default_timeout=60).run()
    assert not test.exception
    assert test.radio(key="cost_metric").value == "cIoU"
    assert len(test.get("vega_lite_chart")) == 3
    assert "none of these rows" not in texts(test)
    test.radio(key="cost_metric").set_value("gIoU").run()
    assert not test.exception and len(test.get("vega_lite_chart")) == 3


def test_cost_view_with_text_rows_only(tmp_path, monkeypatch):
    monkeypatch.setenv("COST_VIEW_BOARD", str(tmp_path / "board"))
    monkeypatch.setenv("COST_VIEW_BENCHMARK", "lm-eval:gsm8k / test")  # the shipped published rows only
    test = AppTest.from_function(cost_page, default_timeout=60).run()
    assert not test.exception
    assert test.radio(key="cost_metric").value == "task accuracy" and test.radio(key="cost_metric").options == ["task accuracy"]
    assert len(test.get("vega_lite_chart")) == 1  # reasoning tokens; no latency, no measured run for OAA_t
    shown = texts(test)
    assert "none of these rows has latency figures" in shown and "needs measured runs" in shown
