"""What a page may compare: one metric protocol at a time (default: the protocol of the most rows), the suite's own
accuracy first, and what the chosen rows still mix said in every title. No Streamlit here."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("streamlit")

from leaderboard import selection, table  # noqa: E402
from leaderboard.context import board_view  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, BoardRow  # noqa: E402


def row(model: str, suite: str, split: str, protocol: str, kind: str = MEASURED, **figures) -> BoardRow:
    return BoardRow(kind=kind, model=model, family=model, suite=suite, split=split, protocol=protocol, run_id=f"{model}_{protocol}" if kind == MEASURED else None, **figures)


ROWS = [
    row("seg-zero", "reasonseg", "val", "lisa", ciou=0.50, parse_policy="upstream", token_convention="wise"),
    row("seg-zero", "reasonseg", "val", "segzero", ciou=0.55, parse_policy="upstream", token_convention="wise"),
    row("wise-s", "reasonseg", "val", "segzero", ciou=0.57, parse_policy="robust", token_convention="wise"),
    row("WISE-7B-S", "reasonseg", "val", "segzero", REPORTED, ciou=0.588, token_convention="wise"),
    row("Seg-Zero-7B", "reasonseg", "val", "segzero", REPORTED, ciou=0.62, token_convention="wise"),
    row("oracle", "reasonseg-mini", "val", "lisa", ciou=0.93, token_convention="wisebench"),
    row("r1", "lm-eval:gsm8k", "test", "lm-eval", accuracy=0.8),
    row("R1 (paper)", "lm-eval:gsm8k", "test", "paper", REPORTED, accuracy=0.85),
]
FRAME = table.rows_frame(ROWS)
BENCHMARKS = [None, "reasonseg / val", "reasonseg-mini / val", "lm-eval:gsm8k / test"]


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_a_view_never_holds_two_protocols(benchmark):
    scoped = FRAME if benchmark is None else FRAME[FRAME["benchmark"] == benchmark]
    for protocol in [None, *selection.protocol_counts(scoped)]:
        view = board_view("board", 0.0, FRAME, benchmark, protocol)
        assert view.rows["protocol"].nunique() == 1 and view.any_benchmark["protocol"].nunique() == 1
        assert set(view.rows["protocol"]) == set(view.any_benchmark["protocol"]) == {view.protocol}
        assert f"protocol {view.protocol}" in view.title("anything")
        assert {label.split(" · ")[2] for label in view.runs()} <= {view.protocol}  # run pickers too


def test_the_default_protocol_is_that_of_the_most_rows():
    assert board_view("board", 0.0, FRAME, "reasonseg / val").protocol == "segzero"  # 4 rows against 1
    assert selection.protocol_counts(FRAME[FRAME["benchmark"] == "reasonseg / val"]) == {"segzero": 4, "lisa": 1}
    assert selection.default_protocol(FRAME) == "segzero"  # every suite: 4 segzero, 2 lisa, 1 lm-eval, 1 paper
    tie = table.rows_frame([row("a", "s", "v", "lisa"), row("b", "s", "v", "segzero")])
    assert selection.default_protocol(tie) == "lisa"  # ties by name: the same page for everyone
    assert selection.default_protocol(FRAME.head(0)) is None


def test_defaults_follow_the_suite():
    assert board_view("board", 0.0, FRAME, "lm-eval:gsm8k / test").metric == "task accuracy"
    assert board_view("board", 0.0, FRAME, "reasonseg / val").metric == "cIoU"
    text = FRAME[FRAME["benchmark"] == "lm-eval:gsm8k / test"]
    assert selection.metric_choices(text) == ["task accuracy"]
    assert selection.metric_choices(FRAME[FRAME["benchmark"] == "reasonseg / val"])[0] == "cIoU"


def test_what_one_protocol_still_mixes_is_said():
    view = board_view("board", 0.0, FRAME, "reasonseg / val", "segzero")
    assert view.caveats == ("parse policies: robust, upstream",)
    assert view.title("Ranked").endswith("— mixes parse policies: robust, upstream")
    every = board_view("board", 0.0, FRAME, None, "lisa")
    assert every.caveats == ("token conventions: wise, wisebench",)
    assert board_view("board", 0.0, FRAME, "lm-eval:gsm8k / test", "lm-eval").caveats == ()


def test_published_and_measured_text_rows_never_share_a_view():
    for protocol in ("lm-eval", "paper"):
        kinds = set(board_view("board", 0.0, FRAME, "lm-eval:gsm8k / test", protocol).rows["kind"])
        assert kinds == ({MEASURED} if protocol == "lm-eval" else {REPORTED})


def test_every_protocol_pair_is_kept_apart_in_the_cost_chart():
    from leaderboard import charts

    for first, second in itertools.combinations(sorted(set(FRAME["protocol"])), 2):
        mixed = FRAME[FRAME["protocol"].isin([first, second])].assign(ciou=0.5, mean_reasoning_tokens=10.0)
        with pytest.raises(ValueError):
            charts.accuracy_cost_chart(mixed, "mean_reasoning_tokens", "ciou", "cIoU")
