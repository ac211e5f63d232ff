"""The leaderboard table: sections (ranked, published, custom data, smoke and unranked), ranks per benchmark, search,
default columns, widths, the average over suites; and the Leaderboard tab itself under Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")
pytest.importorskip("jsonschema")

from streamlit.testing.v1 import AppTest  # noqa: E402

from leaderboard import table  # noqa: E402
from wisebench.board.rows import MEASURED, REPORTED, BoardRow  # noqa: E402
from wisebench.board.store import Board  # noqa: E402
from wisebench.board.submission import check_run_folder  # noqa: E402
from wisebench.board.synthetic import make_synthetic_run  # noqa: E402

VAL, TEST = "reasonseg-mini / val", "reasonseg-mini / test"
MARKUP_MODEL = "[click](http://example.invalid) **bold**"
TIMEOUT = 60


def measured(model: str, split: str = "val", ciou: float | None = 0.5, ranked: bool = True, **fields) -> BoardRow:
    defaults = dict(
        kind=MEASURED, model=model, family=model, suite="reasonseg-mini", split=split, protocol="lisa", giou=ciou, ciou=ciou,
        mean_reasoning_tokens=40.0, latency_p50=0.5, n_samples=32, checkpoint=f"org/{model} @ 0123456789ab",
        ranked=ranked, unranked_reason="" if ranked else "unverified: no data here", data_scope="official", source=f"wisebench run {model}-{split}",
    )
    return BoardRow(**{**defaults, **fields})


def text_row(model: str, task: str, accuracy: float, ranked: bool = True, **fields) -> BoardRow:
    return measured(model, "test", None, ranked, suite=f"lm-eval:{task}", protocol="lm-eval", accuracy=accuracy, **fields)


def reported(model: str, ciou: float) -> BoardRow:
    return BoardRow(kind=REPORTED, model=model, family=model, suite="reasonseg-mini", split="val", protocol="lisa", giou=ciou, ciou=ciou, source="a paper (2025)")


ROWS = [
    measured("alpha", ciou=0.60),
    measured("beta", ciou=0.70, note="trained on the longer queries"),
    measured("alpha", "test", ciou=0.50),
    measured("gamma", "test", ciou=0.40),
    reported("paper-model", 0.65),
    measured("custom-run", ciou=0.90, ranked=False, data_scope="custom", unranked_reason="custom data: 6 of 200 samples"),
    measured("smoky", ciou=0.95, ranked=False, smoke=True, data_scope="custom", unranked_reason="smoke: random weights"),
    measured("unchecked", ciou=0.30, ranked=False, data_scope=""),
    # A row that says it is ranked but runs on random weights: smoke wins, it is never ranked.
    measured("random-but-flagged", ciou=0.99, ranked=True, smoke=True),
]


def frame_of(rows: list[BoardRow]) -> pd.DataFrame:
    return table.rows_frame(rows)


def models(frame: pd.DataFrame) -> list[str]:
    return list(frame["model"])


def test_every_row_falls_in_one_section_and_empty_sections_are_left_out():
    sections = table.split_sections(frame_of(ROWS))
    assert list(sections) == list(table.SECTIONS)
    assert sorted(models(sections[table.RANKED])) == ["alpha", "alpha", "beta", "gamma"]
    assert models(sections[table.PUBLISHED]) == ["paper-model"]
    # Another sample set is custom data whatever the weights (the reason says smoke too).
    assert models(sections[table.CUSTOM_DATA]) == ["custom-run", "smoky"]
    assert sorted(models(sections[table.UNRANKED])) == ["random-but-flagged", "unchecked"]
    only_ranked = table.split_sections(frame_of(ROWS[:2]))
    assert list(only_ranked) == [table.RANKED]
    assert table.split_sections(frame_of([])) == {}


def test_ranks_are_counted_afresh_in_each_benchmark():
    ranked = table.split_sections(frame_of(ROWS))[table.RANKED]
    ordered = table.sort_rows(ranked, table.default_sort("cIoU"), group_by_benchmark=True)
    shown = table.section_frame(ordered, table.RANKED, table.default_columns(ranked), all_benchmarks=True)
    assert list(zip(shown[table.BENCHMARK], shown["model"], shown[table.RANK])) == [
        (VAL, "beta", 1), (VAL, "alpha", 2), (TEST, "alpha", 1), (TEST, "gamma", 2),
    ]
    # The suite / split comes after the scores, so a phone still shows model and scores first.
    assert list(shown.columns[:5]) == [table.RANK, "model", "gIoU", "cIoU", table.BENCHMARK]
    by_tokens = table.sort_rows(ranked.assign(mean_reasoning_tokens=[30.0, 10.0, 20.0, 5.0]), "reasoning tokens (few first)", group_by_benchmark=True)
    assert list(table.rank_numbers(by_tokens)) == [1, 2, 1, 2] and models(by_tokens) == ["beta", "alpha", "gamma", "alpha"]


def test_unranked_sections_say_why_and_published_ones_name_the_paper():
    sections = table.split_sections(frame_of(ROWS))
    columns = table.default_columns(frame_of(ROWS))
    unranked = table.section_frame(sections[table.UNRANKED], table.UNRANKED, columns, all_benchmarks=False)
    assert table.RANK not in unranked.columns and all(unranked[table.WHY_NOT_RANKED] != "")
    custom = table.section_frame(sections[table.CUSTOM_DATA], table.CUSTOM_DATA, columns, all_benchmarks=False)
    assert dict(zip(custom["model"], custom[table.WHY_NOT_RANKED]))["smoky"] == "smoke: random weights"
    published = table.section_frame(sections[table.PUBLISHED], table.PUBLISHED, columns, all_benchmarks=False)
    # Papers state no latency, n or checkpoint: columns empty in every row of a section are left out of it.
    assert list(published.columns) == ["model", "gIoU", "cIoU", "protocol", "source"]
    assert published.loc[0, "source"] == "a paper (2025)"


def test_search_is_a_case_insensitive_substring_of_model_checkpoint_source_family_or_note():
    frame = frame_of(ROWS)
    assert set(models(table.search_rows(frame, "ALPHA"))) == {"alpha"}
    assert models(table.search_rows(frame, "org/gamma @ 0123")) == ["gamma"]
    assert models(table.search_rows(frame, "LONGER queries")) == ["beta"]
    assert models(table.search_rows(frame, "a paper")) == ["paper-model"]
    assert models(table.search_rows(frame, "run smoky-val")) == ["smoky"]
    assert len(table.search_rows(frame, "  ")) == len(frame)
    assert table.search_rows(frame, "(no such thing").empty  # taken literally, not as a pattern


def test_default_columns_keep_the_scores_the_rows_have():
    segmentation = table.default_columns(frame_of(ROWS))
    assert segmentation == ["model", "gIoU", "cIoU", "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint"]
    text = table.default_columns(frame_of([text_row("r1", "gsm8k", 0.8)]))
    assert text == ["model", "accuracy", "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint"]
    no_giou = table.default_columns(frame_of([measured("alpha", giou=None)]))
    assert "gIoU" not in no_giou and "cIoU" in no_giou
    assert table.default_sort("task accuracy") == "task accuracy (high first)"
    assert table.SORT_CHOICES[table.default_sort("cIoU")][0] == ("ciou", "accuracy")


def test_the_default_columns_fit_1400_px_and_a_phone_shows_the_scores():
    def width(columns: list[str]) -> int:
        return sum(table.COLUMN_WIDTHS[label] for label in columns)

    segmentation = table.default_columns(frame_of(ROWS))
    assert width([table.RANK, *segmentation]) <= table.TABLE_PIXELS
    assert width([*segmentation, table.WHY_NOT_RANKED]) <= table.TABLE_PIXELS
    assert width([table.RANK, "model", "gIoU", "cIoU"]) <= table.PHONE_PIXELS


def test_average_over_suites_by_hand():
    rows = [
        measured("alpha", ciou=0.60),
        measured("alpha", ciou=0.70, source="second run"),  # two runs of one benchmark count once: 0.65
        measured("alpha", "test", ciou=0.55),
        measured("beta", ciou=0.80),
        measured("alpha", "test", ciou=0.10, ranked=False, smoke=True, checkpoint="local (folder 1234)"),
        measured("alpha", ciou=0.20, ranked=False, checkpoint="local (folder 1234)"),
        measured("beta", ciou=0.30, ranked=False, data_scope="custom"),
        reported("alpha", 0.99),  # published figures are never averaged in
    ]
    averages = table.suite_averages(frame_of(rows))
    assert list(averages.columns) == table.AVERAGE_COLUMNS
    lines = [tuple(line) for line in averages[["model", "checkpoint", "mean (%)", "benchmarks", "ranked"]].itertuples(index=False)]
    assert lines == [
        ("beta", "org/beta @ 0123456789ab", 80.0, 1, True),
        ("alpha", "org/alpha @ 0123456789ab", 60.0, 2, True),  # (0.65 + 0.55) / 2
        ("beta", "org/beta @ 0123456789ab", 30.0, 1, False),
        ("alpha", "local (folder 1234)", 15.0, 2, False),
    ]
    assert averages.loc[1, "suites / splits"] == f"{VAL}; {TEST}"
    assert set(averages["metric"]) == {"cIoU"}


def test_segmentation_and_text_are_never_averaged_together():
    rows = [
        measured("alpha", ciou=0.60, accuracy=None),
        text_row("alpha", "gsm8k", 0.90, checkpoint="org/alpha @ 0123456789ab"),
        text_row("alpha", "math500", 0.50, checkpoint="org/alpha @ 0123456789ab"),
    ]
    averages = table.suite_averages(frame_of(rows)).set_index("metric")
    assert averages.loc["cIoU", "mean (%)"] == 60.0 and averages.loc["cIoU", "benchmarks"] == 1
    assert averages.loc["task accuracy", "mean (%)"] == 70.0 and averages.loc["task accuracy", "benchmarks"] == 2
    assert table.suite_averages(frame_of([reported("x", 0.5)])).empty


def test_display_frame_names_the_checkpoint():
    shown = table.display_frame(frame_of(ROWS[:1]))
    assert shown.loc[0, "checkpoint"] == "org/alpha @ 0123456789ab"
    assert list(shown.columns) == list(table.DISPLAY_COLUMNS.values())


# --- the tab under AppTest ---------------------------------------------------------------------------------------

def table_app() -> None:
    """The Leaderboard tab alone, on rows read from $TABLE_TEST_SPEC (AppTest runs this function's source)."""
    import json
    import os
    from pathlib import Path

    from leaderboard import context, table
    from leaderboard.views import table_view
    from wisebench.board.rows import BoardRow

    spec = json.loads(Path(os.environ["TABLE_TEST_SPEC"]).read_text())
    frame = table.rows_frame([BoardRow.from_json(row) for row in spec["rows"]])
    table_view.show(context.board_view(spec["board"], 0.0, frame, spec["benchmark"], spec["protocol"]))


@pytest.fixture(scope="module")
def synthetic_rows(tmp_path_factory) -> tuple[str, list[BoardRow]]:
    """A synthetic run submitted to a board (scripted predictions: never ranked), with the published rows."""
    with pytest.MonkeyPatch.context() as patch:  # module scope: the shared cache conftest uses, set by hand
        patch.setenv("WISEBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "shared-cache"))
        out = tmp_path_factory.mktemp("table-runs")
        board = Board(tmp_path_factory.mktemp("table-board"))
        folder = make_synthetic_run(out, "seg-zero")  # one: a synthetic run takes a while
        board.add(check_run_folder(folder), str(folder))
        return str(board.folder), board.rows()


def start(tmp_path: Path, monkeypatch, board: str, rows: list[BoardRow], benchmark: str | None, protocol: str | None = None) -> AppTest:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"board": board, "benchmark": benchmark, "protocol": protocol, "rows": [row.to_json() for row in rows]}))
    monkeypatch.setenv("TABLE_TEST_SPEC", str(spec))
    test = AppTest.from_function(table_app, default_timeout=TIMEOUT).run()
    assert not test.exception
    return test


def headings(test: AppTest) -> list[str]:
    return [heading.value for heading in test.subheader]


def shown_models(test: AppTest, index: int) -> list[str]:
    return list(test.dataframe[index].value["model"])


RANKED_HERE = [measured("alpha", ciou=0.60), measured("beta", ciou=0.70), measured(MARKUP_MODEL, ciou=0.10), measured("alpha", "test", ciou=0.50)]


def test_the_tab_shows_ranked_custom_and_smoke_sections(synthetic_rows, tmp_path, monkeypatch):
    board, rows = synthetic_rows
    custom = measured("custom-run", ciou=0.2, ranked=False, data_scope="custom", unranked_reason="custom data: 6 of 200 samples")
    smoke_row = measured("random-weights", ciou=0.1, ranked=False, smoke=True, data_scope="official", unranked_reason="smoke: random weights")
    test = start(tmp_path, monkeypatch, board, rows + RANKED_HERE + [custom, smoke_row], VAL)
    assert headings(test) == [f"{name} · {VAL} · protocol lisa" for name in (table.RANKED, table.CUSTOM_DATA, table.UNRANKED)]
    ranked = test.dataframe[0].value
    assert list(ranked.columns) == [table.RANK, "model", "gIoU", "cIoU", "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint"]
    assert list(ranked["model"]) == ["beta", "alpha", MARKUP_MODEL] and list(ranked[table.RANK]) == [1, 2, 3]
    assert ranked.loc[0, "checkpoint"] == "org/beta @ 0123456789ab"
    # The synthetic seg-zero run is on the bundled mini suite: custom data, and smoke, as its reason says.
    custom_shown = test.dataframe[1].value
    assert set(custom_shown["model"]) == {"custom-run", "seg-zero"}
    assert "smoke" in dict(zip(custom_shown["model"], custom_shown[table.WHY_NOT_RANKED]))["seg-zero"]
    smoke = test.dataframe[2].value
    assert list(smoke["model"]) == ["random-weights"] and list(smoke[table.WHY_NOT_RANKED]) == ["smoke: random weights"]
    assert test.multiselect(key="table_columns").value == table.default_columns(table.rows_frame(rows + RANKED_HERE + [custom, smoke_row]).query("benchmark == @VAL"))
    assert test.selectbox(key="sort").value == table.default_sort("cIoU")
    # Model names are board text: shown in the table, never as Markdown.
    page_text = [element.value for element in (*test.markdown, *test.caption, *test.subheader)]
    assert not any("example.invalid" in text for text in page_text)


def test_search_and_the_column_picker_narrow_the_table(synthetic_rows, tmp_path, monkeypatch):
    board, rows = synthetic_rows
    test = start(tmp_path, monkeypatch, board, rows + RANKED_HERE, VAL)
    test.text_input(key="table_search").input("SEG-zero").run()
    assert headings(test) == [f"{table.CUSTOM_DATA} · {VAL} · protocol lisa"]
    assert shown_models(test, 0) == ["seg-zero"]
    test.text_input(key="table_search").input("org/beta").run()
    assert headings(test) == [f"{table.RANKED} · {VAL} · protocol lisa"] and shown_models(test, 0) == ["beta"]
    test.multiselect(key="table_columns").set_value(["cIoU", "model"]).run()
    assert list(test.dataframe[0].value.columns) == [table.RANK, "model", "cIoU"]
    test.text_input(key="table_search").input("nothing like this").run()
    assert not headings(test) and "No row matches" in test.info[0].value
    assert not test.exception


def test_all_benchmarks_rank_each_apart_and_show_papers_and_averages(synthetic_rows, tmp_path, monkeypatch):
    board, rows = synthetic_rows
    test = start(tmp_path, monkeypatch, board, rows + RANKED_HERE + [reported("paper-model", 0.65)], None, "lisa")
    shown = headings(test)
    assert [heading.split(" — ")[0] for heading in shown[:2]] == [f"{name} · all suites and splits · protocol lisa" for name in (table.RANKED, table.PUBLISHED)]
    assert "mixes parse policies" in shown[0]  # what the rows still mix is said in the heading (view.title)
    ranked = test.dataframe[0].value
    assert list(zip(ranked[table.BENCHMARK], ranked[table.RANK])) == [(VAL, 1), (VAL, 2), (VAL, 3), (TEST, 1)]
    assert "paper-model" in shown_models(test, 1)
    expander = test.expander[0]
    ranked_average, unranked_average = (element.value for element in expander.dataframe)
    alpha = ranked_average.set_index("model").loc["alpha"]
    assert (alpha["mean (%)"], alpha["benchmarks"]) == (55.0, 2)
    assert list(unranked_average["model"]) == ["seg-zero"]
    assert not test.exception


def test_a_text_suite_opens_on_task_accuracy(tmp_path, monkeypatch):
    rows = [text_row("r1", "gsm8k", 0.8), text_row("r2", "gsm8k", 0.9), text_row("r3", "gsm8k", 0.7, ranked=False)]
    test = start(tmp_path, monkeypatch, "unused", rows, "lm-eval:gsm8k / test")
    assert test.selectbox(key="sort").value == "task accuracy (high first)"
    ranked = test.dataframe[0].value
    assert list(ranked.columns) == [table.RANK, "model", "accuracy", "reasoning tokens (mean)", "latency p50 (s)", "n", "protocol", "checkpoint"]
    assert list(ranked["model"]) == ["r2", "r1"]
    assert headings(test)[0] == f"{table.RANKED} · lm-eval\\:gsm8k / test · protocol lm-eval"  # the colon escaped for Markdown


def test_the_picker_and_sort_follow_the_view_until_the_reader_picks(tmp_path, monkeypatch):
    segmentation = [measured("alpha", ciou=0.6), measured("beta", ciou=0.7)]
    text = [text_row("r1", "gsm8k", 0.8)]
    test = start(tmp_path, monkeypatch, "unused", segmentation, VAL)
    assert "cIoU" in test.multiselect(key="table_columns").value
    spec = tmp_path / "spec.json"  # another benchmark chosen in the sidebar: a text suite
    spec.write_text(json.dumps({"board": "unused", "benchmark": "lm-eval:gsm8k / test", "protocol": None, "rows": [row.to_json() for row in text]}))
    test.run()
    assert "accuracy" in test.multiselect(key="table_columns").value and "cIoU" not in test.multiselect(key="table_columns").value
    assert test.selectbox(key="sort").value == "task accuracy (high first)"
    test.multiselect(key="table_columns").set_value(["model", "accuracy", "family"]).run()
    spec.write_text(json.dumps({"board": "unused", "benchmark": VAL, "protocol": None, "rows": [row.to_json() for row in segmentation]}))
    test.run()
    assert test.multiselect(key="table_columns").value == ["model", "accuracy", "family"]  # the reader's pick stays
    assert test.selectbox(key="sort").value == table.default_sort("cIoU")
    assert list(test.dataframe[0].value.columns) == [table.RANK, "model", "family"]  # accuracy: empty on these rows
    assert not test.exception
