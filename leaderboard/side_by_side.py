"""Side by side: 2 to 4 runs of one suite and split, sample by sample. Which runs may be put together, and a table
of the samples they all recorded with each run's score and reasoning tokens, the samples where the runs disagree
most first. Plain DataFrames in and out, no Streamlit here."""

from __future__ import annotations

from typing import Any

import pandas as pd

from leaderboard import samples

MIN_RUNS = 2
MAX_RUNS = 4  # more columns than this no longer fit a page side by side
DEFAULT_RUNS = 3


def score_column(label: str) -> str:
    return f"{label} · score"


def tokens_column(label: str) -> str:
    return f"{label} · reasoning tokens"


def by_benchmark(runs: dict[str, pd.Series]) -> dict[str, list[str]]:
    """Benchmark ("suite / split") -> labels of its runs (in `runs` order); the benchmark with the most runs first,
    ties by name."""
    groups: dict[str, list[str]] = {}
    for label, row in runs.items():
        groups.setdefault(str(row["benchmark"]), []).append(label)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def default_choice(runs: dict[str, pd.Series]) -> list[str]:
    """The first DEFAULT_RUNS runs of the benchmark with the most runs (none if no benchmark has two)."""
    largest = next(iter(by_benchmark(runs).values()), [])
    return largest[:DEFAULT_RUNS] if len(largest) >= MIN_RUNS else []


def choice_problem(chosen: list[pd.Series]) -> str | None:
    """Why these runs cannot be shown side by side, or None. The caller's rows already share one protocol; a
    sample id only means the same sample within one suite and split."""
    if len(chosen) < MIN_RUNS:
        return f"Choose {MIN_RUNS} to {MAX_RUNS} runs of one suite and split to see them side by side."
    if len(chosen) > MAX_RUNS:
        return f"At most {MAX_RUNS} runs fit side by side: {len(chosen)} are chosen. Remove {len(chosen) - MAX_RUNS}."
    if len({str(row["benchmark"]) for row in chosen}) > 1:
        return "The chosen runs are on different suites or splits: choose runs of one suite and split."
    if len({str(row["protocol"]) for row in chosen}) > 1:
        return "The chosen runs are scored under different metric protocols: choose runs of one protocol."
    return None


def disagreement_table(records_by_run: dict[str, list[dict[str, Any]]], protocol: str) -> pd.DataFrame:
    """One line per sample that EVERY run recorded: sample_id, disagreement, then per run (label) its score (IoU
    under `protocol`, or lm-eval accuracy for the text protocol: samples.record_score) and reasoning tokens.

    disagreement = max score - min score across the runs, where a sample a run skipped or could not score counts as
    0 (a run that failed it disagrees with one that got it right); its score column stays empty (NaN). Sorted by
    disagreement, largest first; ties by sample id.
    """
    by_run = {label: {str(record["sample_id"]): record for record in records} for label, records in records_by_run.items()}
    shared = sorted(set.intersection(*(set(by_id) for by_id in by_run.values()))) if by_run else []
    frame = pd.DataFrame({"sample_id": shared})
    scores = []
    for label, by_id in by_run.items():
        frame[score_column(label)] = pd.Series([samples.record_score(by_id[sample_id], protocol) for sample_id in shared], dtype=float)
        frame[tokens_column(label)] = pd.Series([samples.token_count(by_id[sample_id], "reasoning") for sample_id in shared], dtype=float)
        scores.append(frame[score_column(label)].fillna(0.0))
    counted = pd.concat(scores, axis=1) if scores else pd.DataFrame(index=frame.index)
    # Rounded so that float noise (0.6 - 0.5 vs 0.4 - 0.3) never breaks a tie the page shows as equal.
    frame.insert(1, "disagreement", (counted.max(axis=1) - counted.min(axis=1)).astype(float).round(9))
    # Already in sample-id order: a stable sort keeps it among equal disagreements.
    return frame.sort_values("disagreement", ascending=False, kind="stable").reset_index(drop=True)


def most_disagreeing(table: pd.DataFrame, count: int | None) -> pd.DataFrame:
    """The first `count` lines of a disagreement_table (all of them for None)."""
    return table if count is None else table.head(max(0, count))
