"""Cluster bootstrap, cost metrics and the run summary, against expectations computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wisebench.metrics import (
    aes,
    cluster_bootstrap,
    compare_paired,
    distribution,
    latency_distribution,
    oaa_area,
    oaa_at_budgets,
    sample_ious,
    summarize,
)
from wisebench.scoring.record import SampleRecord


def record(
    sample_id: str,
    image_id: str,
    counts: tuple[int, int] | None,
    subsets: tuple[str, ...] = (),
    tokens: dict | None = None,
    seconds: dict | None = None,
    failure: str | None = None,
    finish_reason: str | None = "stop",
    warmup: bool = False,
    skipped: dict | None = None,
    segzero_counts: tuple[int, int] | None = None,
) -> dict:
    """A record in SampleRecord's JSON form; `counts` is (I, U) under lisa (and segzero unless given)."""
    scores = {}
    if counts is not None:
        segzero = segzero_counts or counts
        scores = {
            "lisa": {"intersection": counts[0], "union": counts[1]},
            "segzero": {"intersection": segzero[0], "union": segzero[1]},
        }
    prediction = {
        "failure": failure,
        "finish_reason": finish_reason,
        "tokens": tokens or {"prompt": None, "reasoning": None, "generated": None},
        "seconds": seconds or {},
    }
    return SampleRecord(
        sample_id=sample_id,
        image_id=image_id,
        subsets=list(subsets),
        query="q",
        prompt_hash=None,
        scores=scores,
        prediction=prediction,
        warmup=warmup,
        skipped=skipped,
    ).to_json()


# ---- cluster bootstrap ----------------------------------------------------------------------------------------


def random_scores(n_samples: int, n_images: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    unions = rng.integers(1, 100, size=n_samples)
    intersections = (unions * rng.random(n_samples)).astype(int)
    image_ids = [f"img{index % n_images}" for index in range(n_samples)]
    return intersections, unions, sample_ious(intersections, unions, "lisa"), image_ids


def test_bootstrap_is_deterministic_for_a_seed_and_varies_with_it():
    intersections, unions, ious, image_ids = random_scores(40, 15)
    first = cluster_bootstrap(intersections, unions, ious, image_ids, "lisa", n_resamples=300, seed=7)
    again = cluster_bootstrap(intersections, unions, ious, image_ids, "lisa", n_resamples=300, seed=7)
    other = cluster_bootstrap(intersections, unions, ious, image_ids, "lisa", n_resamples=300, seed=8)
    assert first == again
    assert first["giou"] != other["giou"] and first["ciou"] != other["ciou"]


def test_bootstrap_interval_contains_the_point_estimate():
    intersections, unions, ious, image_ids = random_scores(60, 20)
    intervals = cluster_bootstrap(intersections, unions, ious, image_ids, "lisa", n_resamples=500)
    low, high = intervals["giou"]
    assert low < ious.mean() < high
    low, high = intervals["ciou"]
    assert low < intersections.sum() / (unions.sum() + 1e-10) < high


def test_bootstrap_resamples_images_not_samples():
    # Every image holds one miss (iou 0) and one hit (iou 1): any resample of images has gIoU and cIoU 0.5,
    # while resampling the samples one by one would spread widely.
    intersections = np.array([0, 4] * 10)
    unions = np.array([4, 4] * 10)
    ious = sample_ious(intersections, unions, "segzero")
    paired_images = [f"img{index // 2}" for index in range(20)]
    together = cluster_bootstrap(intersections, unions, ious, paired_images, "segzero", n_resamples=500)
    assert together["giou"] == pytest.approx((0.5, 0.5))
    assert together["ciou"] == pytest.approx((0.5, 0.5))

    one_image_each = [f"img{index}" for index in range(20)]
    apart = cluster_bootstrap(intersections, unions, ious, one_image_each, "segzero", n_resamples=500)
    assert apart["giou"][1] - apart["giou"][0] > 0.2


def test_bootstrap_matches_a_loop_over_the_documented_draws():
    intersections, unions, ious, image_ids = random_scores(25, 9)
    intervals = cluster_bootstrap(intersections, unions, ious, image_ids, "lisa", n_resamples=200, seed=5)
    clusters = sorted(set(image_ids))
    drawn = np.random.default_rng(5).integers(0, len(clusters), size=(200, len(clusters)))
    gious, cious = [], []
    for row in drawn:
        members = [index for cluster in row for index, image in enumerate(image_ids) if image == clusters[cluster]]
        gious.append(ious[members].mean())
        cious.append(intersections[members].sum() / (unions[members].sum() + 1e-10))
    assert intervals["giou"] == pytest.approx(tuple(np.percentile(gious, [2.5, 97.5])))
    assert intervals["ciou"] == pytest.approx(tuple(np.percentile(cious, [2.5, 97.5])))


def test_bootstrap_of_one_image_or_none():
    intervals = cluster_bootstrap(np.array([1, 3]), np.array([2, 4]), np.array([0.5, 0.75]), ["a", "a"], "segzero")
    assert intervals["giou"] == pytest.approx((0.625, 0.625))
    assert intervals["ciou"] == pytest.approx((4 / 6, 4 / 6))
    assert cluster_bootstrap(np.array([]), np.array([]), np.array([]), [], "lisa") is None


# ---- cost metrics ---------------------------------------------------------------------------------------------


def test_distributions_skip_missing_values():
    assert distribution([1, None, 3, 2, 4]) == {"n": 4, "mean": 2.5, "median": 2.5, "p90": pytest.approx(3.7)}
    assert distribution([None, None]) is None
    latency = latency_distribution([float(value) for value in range(101)] + [None])
    assert latency == {"n": 101, "mean": 50.0, "p50": 50.0, "p90": 90.0, "p99": 99.0}
    assert latency_distribution([]) is None


def test_oaa_at_budgets_by_hand():
    correct = np.array([True, True, False, True])
    tokens = np.array([0, 10, 5, 100])
    assert oaa_at_budgets(correct, tokens, (0, 10, 50, 100)) == {0: 0.25, 10: 0.5, 50: 0.5, 100: 0.75}
    # Unknown token counts are over every budget.
    assert oaa_at_budgets(np.array([True]), np.array([np.nan]), (0, 10**9)) == {0: 0.0, 10**9: 0.0}


def test_oaa_area_is_the_exact_area_under_the_step_function():
    correct = np.array([True, True, False, True])
    tokens = np.array([0, 10, 5, 100])
    # Correct samples are within budget for 100, 90 and 0 of the 100 budget units; the wrong one never counts.
    assert oaa_area(correct, tokens, 100) == pytest.approx((100 + 90 + 0 + 0) / 4 / 100)
    riemann = np.mean([np.mean(correct & (tokens <= budget)) for budget in np.linspace(0, 100, 2001)])
    assert oaa_area(correct, tokens, 100) == pytest.approx(riemann, abs=1e-2)
    assert oaa_area(np.array([True, True]), np.array([np.nan, 200]), 100) == 0.0
    with pytest.raises(ValueError):
        oaa_area(correct, tokens, 0)


def test_aes_both_branches_and_undefined():
    # Half the tokens (dL = 0.5), accuracy +20% -> 0.5 + 5 * 0.2.
    assert aes(0.6, 50, 0.5, 100) == pytest.approx(1.5)
    # Half the tokens, accuracy -10% -> 0.5 - 10 * 0.1.
    assert aes(0.45, 50, 0.5, 100) == pytest.approx(-0.5)
    assert aes(0.5, 150, 0.5, 100) == pytest.approx(-0.5)  # same accuracy, 50% more tokens
    assert aes(0.6, 50, 0.5, 0) is None  # baseline without reasoning
    assert aes(0.6, 50, 0.0, 100) is None  # baseline with zero accuracy
    assert aes(None, 50, 0.5, 100) is None


# ---- run summary ----------------------------------------------------------------------------------------------


def run_records() -> list[dict]:
    return [
        record("s1", "img1", (2, 3), ("val", "short"), {"prompt": 100, "reasoning": 10, "generated": 20},
               {"reasoner": 1.0, "segmenter": 0.5, "total": 1.5}, warmup=True, segzero_counts=(2, 4)),
        record("s2", "img1", (3, 4), ("val", "long"), {"prompt": 200, "reasoning": 30, "generated": 40},
               {"reasoner": 1.5, "segmenter": 0.5, "total": 2.0}, finish_reason="length"),
        record("s3", "img2", (0, 5), ("val", "long"), {"prompt": 300, "reasoning": None, "generated": 60},
               {"reasoner": 2.0, "total": 2.5}, failure="unparsable"),
        record("s4", "img3", None, ("val",), skipped={"path": "img3.jpg", "problem": "truncated JPEG"}),
    ]


def test_summary_counts_scores_and_subsets():
    summary = summarize(run_records(), "lisa", n_resamples=200, budgets=(0, 16, 32), t_max=32)
    assert (summary["n_records"], summary["n_scored"], summary["n_skipped"]) == (4, 3, 1)
    assert summary["skipped"] == [{"sample_id": "s4", "path": "img3.jpg", "problem": "truncated JPEG"}]
    assert list(summary["subsets"]) == ["overall", "long", "short", "val"]

    overall = summary["subsets"]["overall"]
    assert overall["n"] == 3
    assert overall["giou"] == pytest.approx((2 / 3.00001 + 3 / 4.00001 + 0.0) / 3)
    assert overall["ciou"] == pytest.approx(5 / 12)
    assert (overall["intersection_sum"], overall["union_sum"]) == (5, 12)
    assert overall["giou_ci"][0] <= overall["giou"] <= overall["giou_ci"][1]

    long = summary["subsets"]["long"]
    assert long["n"] == 2
    assert long["giou"] == pytest.approx((3 / 4.00001 + 0.0) / 2)
    assert long["ciou"] == pytest.approx(3 / 9)
    short = summary["subsets"]["short"]
    assert short["giou_ci"] == pytest.approx([2 / 3.00001] * 2)  # one sample: every resample is the same
    assert summary["subsets"]["val"]["n"] == 3  # the skipped record is in "val" but not scored

    segzero = summarize(run_records(), "segzero", n_resamples=50)
    assert segzero["protocol"] == "segzero"
    assert segzero["subsets"]["overall"]["giou"] == pytest.approx((0.5 + 0.75 + 0.0) / 3)


def test_summary_tokens_failures_latency_and_budget():
    summary = summarize(run_records(), "lisa", n_resamples=50, budgets=(0, 16, 32), t_max=32)
    assert summary["tokens"]["prompt"] == {"n": 3, "mean": 200.0, "median": 200.0, "p90": pytest.approx(280.0)}
    assert summary["tokens"]["reasoning"]["n"] == 2 and summary["tokens"]["reasoning"]["mean"] == 20.0

    assert summary["failures"] == {
        "format_failure_rate": pytest.approx(1 / 3),
        "truncation_rate": pytest.approx(1 / 3),
        "n_format_failures": 1,
        "n_truncated": 1,
        "reasons": {"unparsable": 1},
    }

    # s1 is warm-up: only s2 and s3 are timed, and s3 never reached the segmenter.
    latency = summary["latency"]
    assert sorted(latency) == ["reasoner", "segmenter", "total"]
    assert latency["total"]["n"] == 2 and latency["total"]["mean"] == pytest.approx(2.25)
    assert latency["segmenter"]["n"] == 1
    assert summary["samples_per_second"] == pytest.approx(2 / 4.5)

    # correct: s1 (0.67, 10 tokens), s2 (0.75, 30 tokens); s3 wrong (its unknown tokens count as 0).
    budget = summary["budget"]
    assert budget["oaa"] == {"0": 0.0, "16": pytest.approx(1 / 3), "32": pytest.approx(2 / 3)}
    assert budget["oaa_area"] == pytest.approx(((32 - 10) + (32 - 30) + 0) / 3 / 32)
    assert (budget["correct_threshold"], budget["t_max"]) == (0.5, 32)
    assert summary["aes"] is None


def test_lisa_epsilon_keeps_an_exact_half_below_the_correct_threshold():
    summary = summarize([record("s1", "img1", (1, 2), tokens={"prompt": 1, "reasoning": 0, "generated": 1})],
                        n_resamples=10, budgets=(0,))
    assert summary["budget"]["oaa"] == {"0": 0.0}  # 1 / (2 + 1e-5) < 0.5


def test_summary_is_plain_json():
    summary = summarize(run_records(), "lisa", n_resamples=50)
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    empty = summarize([], "lisa", n_resamples=50)
    assert empty["subsets"]["overall"]["giou"] is None and empty["failures"]["format_failure_rate"] is None
    assert json.loads(json.dumps(empty, allow_nan=False)) == empty


def test_summary_aes_against_a_baseline():
    summary_without = summarize(run_records(), "lisa", n_resamples=50)
    giou, ciou = summary_without["subsets"]["overall"]["giou"], summary_without["subsets"]["overall"]["ciou"]
    baseline = {
        "run_id": "base-run",
        "protocol": "lisa",
        "subsets": {"overall": {"giou": 0.4, "ciou": 0.5}},
        "tokens": {"reasoning": {"n": 3, "mean": 40.0, "median": 40.0, "p90": 40.0}},
    }
    result = summarize(run_records(), "lisa", n_resamples=50, baseline=baseline)["aes"]
    # Mean reasoning 20 vs 40: dL = 0.5. gIoU is above the baseline's 0.4, cIoU (5/12) below its 0.5.
    assert giou > 0.4 and ciou < 0.5
    assert result == {
        "baseline": "base-run",
        "giou": pytest.approx(0.5 + 5 * (giou - 0.4) / 0.4),
        "ciou": pytest.approx(0.5 - 10 * (0.5 - ciou) / 0.5),
    }

    no_reasoning = dict(baseline, tokens={"prompt": None, "reasoning": None, "generated": None})
    undefined = summarize(run_records(), "lisa", n_resamples=50, baseline=no_reasoning)["aes"]
    assert undefined == {"baseline": "base-run", "giou": None, "ciou": None}

    with pytest.raises(ValueError, match="protocol"):
        summarize(run_records(), "segzero", n_resamples=50, baseline=baseline)


def test_summary_rejects_a_record_without_the_protocol():
    bare = record("s1", "img1", (1, 2))
    del bare["scores"]["segzero"]
    with pytest.raises(ValueError, match="'s1'.*segzero"):
        summarize([bare], "segzero")


# ---- paired comparison ----------------------------------------------------------------------------------------


def test_compare_paired_by_hand():
    skipped = {"path": "x.jpg", "problem": "corrupt"}
    run_a = [
        record("s1", "img1", (1, 2)), record("s2", "img1", (2, 4)), record("s3", "img2", (0, 4)),
        record("s7", "img2", (1, 2)), record("s4", "img3", (1, 1)), record("s5", "img4", None, skipped=skipped),
    ]
    run_b = [
        record("s1", "img1", (2, 2)), record("s2", "img1", (1, 4)), record("s3", "img2", (1, 4)),
        record("s7", "img2", (1, 2)), record("s6", "img9", (1, 1)), record("s5", "img4", None, skipped=skipped),
    ]
    result = compare_paired(run_a, run_b, "segzero", n_resamples=300)
    # Per-sample b - a: +0.5, -0.25, +0.25, 0; cIoU 4/12 -> 5/12.
    assert (result["n_paired"], result["only_in_a"], result["only_in_b"]) == (4, 1, 1)
    assert (result["n_better"], result["n_worse"], result["n_equal"]) == (2, 1, 1)
    assert result["giou_delta"] == pytest.approx(0.125)
    assert result["ciou_delta"] == pytest.approx(1 / 12)
    assert result["giou_delta_ci"][0] <= 0.125 <= result["giou_delta_ci"][1]
    assert result["ciou_delta_ci"][0] <= 1 / 12 <= result["ciou_delta_ci"][1]
    assert compare_paired(run_a, run_b, "segzero", n_resamples=300) == result
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_compare_paired_with_itself_and_with_nothing():
    run = [record("s1", "img1", (1, 2)), record("s2", "img2", (3, 4))]
    same = compare_paired(run, run, "lisa", n_resamples=100)
    assert (same["giou_delta"], same["ciou_delta"], same["n_equal"]) == (0.0, 0.0, 2)
    assert same["giou_delta_ci"] == [0.0, 0.0]

    disjoint = compare_paired(run, [record("s9", "img9", (1, 1))], "lisa")
    assert disjoint["n_paired"] == 0 and disjoint["giou_delta"] is None and disjoint["ciou_delta_ci"] is None

    with pytest.raises(ValueError, match="twice"):
        compare_paired(run + run[:1], run, "lisa")
