"""Metric protocols and reasoning-token conventions as the upstream scripts compute them.

Empty-union samples under every protocol: LISA's validate() scores them 1.0; Seg-Zero's and WISE's evaluation.py
drop an answered one (compute_iou returns a bare 0 and the unpacking raises) but keep a failed one at IoU 0;
VisionReasoner's evaluation_segmentation.py keeps every sample, an empty union at IoU 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from tiny_models import qwen_tokenizer
from wisebench.adapters.prediction import Prediction, TokenCounts
from wisebench.data.sample import ArrayMask, ImageSource, Sample
from wisebench.metrics import token_conventions
from wisebench.metrics.summary import compare_paired, summarize
from wisebench.scoring.score import score_prediction


def sample(index: int, gt: np.ndarray) -> Sample:
    return Sample(f"s{index}", f"img{index}", "q", ImageSource(data=b""), ArrayMask(gt))


def record(index: int, gt: np.ndarray, mask: np.ndarray | None, failure: str | None = None, tokens: TokenCounts | None = None) -> dict:
    prediction = Prediction(mask=mask, failure=failure, tokens=tokens or TokenCounts(0, 0, 0))
    return score_prediction(sample(index, gt), prediction, gt).to_json()


def square(size: int, x1: int, y1: int, x2: int, y2: int) -> np.ndarray:
    mask = np.zeros((size, size), dtype=bool)
    mask[y1:y2, x1:x2] = True
    return mask


EMPTY = np.zeros((8, 8), dtype=np.uint8)
GT = square(8, 0, 0, 4, 4).astype(np.uint8)  # 16 px


def fixture_records() -> list[dict]:
    return [
        record(0, EMPTY, np.zeros((8, 8), dtype=bool)),  # answered, empty gt, empty mask: union 0
        record(1, EMPTY, None, failure="json_error:JSONDecodeError"),  # failed on an empty gt: union 0
        record(2, GT, square(8, 0, 0, 4, 2)),  # I 8, U 16: IoU 0.5
        record(3, GT, square(8, 0, 0, 4, 4)),  # IoU 1
        record(4, GT, None, failure="no_json_object"),  # I 0, U 16
    ]


def upstream_segzero_giou(rows: list[tuple[int, int, bool]]) -> tuple[float, int]:
    """Seg-Zero/WISE evaluation.py + calculate_iou.py over (I, U, answered), written out from the scripts."""
    kept = [(i, u) for i, u, answered in rows if not (answered and u == 0)]
    return float(np.mean([i / u if u > 0 else 0 for i, u in kept])), len(kept)


def upstream_visionreasoner_giou(rows: list[tuple[int, int, bool]]) -> tuple[float, int]:
    return float(np.mean([i / u if u > 0 else 0 for i, u, _ in rows])), len(rows)


def test_empty_union_under_every_protocol():
    records = fixture_records()
    assert records[0]["scores"]["segzero"] == {"intersection": 0, "union": 0, "dropped": True}
    assert records[1]["scores"]["segzero"]["dropped"] is False  # a failure stays in, at IoU 0
    rows = [(r["scores"]["segzero"]["intersection"], r["scores"]["segzero"]["union"], r["prediction"]["failure"] is None) for r in records]

    lisa = summarize(records, "lisa", n_resamples=50)
    assert lisa["n_scored"] == 5 and lisa["n_dropped"] == 0
    assert lisa["subsets"]["overall"]["giou"] == pytest.approx((1 + 1 + 0.5 + 1 + 0) / 5, abs=1e-5)

    segzero = summarize(records, "segzero", n_resamples=50)
    expected, n = upstream_segzero_giou(rows)
    assert segzero["n_scored"] == n == 4 and segzero["n_dropped"] == 1
    assert segzero["subsets"]["overall"]["giou"] == pytest.approx(expected) == pytest.approx((0 + 0.5 + 1 + 0) / 4)
    assert segzero["subsets"]["overall"]["ciou"] == pytest.approx(24 / 48)

    visionreasoner = summarize(records, "visionreasoner", n_resamples=50)
    expected, n = upstream_visionreasoner_giou(rows)
    assert visionreasoner["n_scored"] == n == 5 and visionreasoner["n_dropped"] == 0
    assert visionreasoner["subsets"]["overall"]["giou"] == pytest.approx(expected) == pytest.approx(1.5 / 5)
    assert visionreasoner["subsets"]["overall"]["ciou"] == segzero["subsets"]["overall"]["ciou"]


def test_a_mask_of_the_wrong_shape_is_dropped_by_segzero_and_counted_by_the_others():
    wrong = record(5, GT, np.ones((4, 4), dtype=bool))
    assert wrong["prediction"]["failure"].startswith("mask_shape_mismatch")
    assert wrong["scores"]["segzero"]["dropped"] is True  # compute_iou raises on the shapes: `continue`
    assert summarize([wrong], "visionreasoner", n_resamples=10)["subsets"]["overall"]["giou"] == 0.0  # except: I 0, U |gt|
    assert summarize([wrong], "lisa", n_resamples=10)["n_scored"] == 1


def test_records_without_the_newer_fields_still_summarize():
    records = fixture_records()
    for r in records:  # as written before the visionreasoner protocol and the dropped flag existed
        r["scores"].pop("visionreasoner")
        r["scores"]["segzero"].pop("dropped")
    assert summarize(records, "segzero", n_resamples=20)["n_dropped"] == 1
    assert summarize(records, "visionreasoner", n_resamples=20)["n_scored"] == 5


def test_paired_comparison_under_segzero_leaves_dropped_samples_out():
    records = fixture_records()
    comparison = compare_paired(records, records, protocol="segzero", n_resamples=20)
    assert comparison["n_paired"] == 4 and comparison["only_in_a"] == 0


@pytest.mark.parametrize(
    "think, wise_text",
    [
        (" the red cup ", " the red cup "),  # leading and trailing spaces count for WISE
        ("the red cup", "the red cup"),
        ("  spaced  out  ", "  spaced  out  "),
        ("\nnew line\n", "\nnew line\n"),
    ],
)
def test_wise_token_convention_counts_the_match_unstripped(think, wise_text):
    from wise.adapters import WISE_S
    from wisebench.reasoner.answer_policy import parse_with_policies

    tokenizer = qwen_tokenizer()
    text = f'<think>{think}</think><answer>{{"bbox": [1,1,9,9], "points_1": [2,2], "points_2": [3,3]}}</answer>'
    parsed, _ = parse_with_policies(text, "stop", WISE_S, "upstream", (840, 840))
    assert parsed.think_match == wise_text
    assert token_conventions.count(tokenizer, parsed.think_match) == len(tokenizer.encode(wise_text, add_special_tokens=False))
    assert token_conventions.count(tokenizer, parsed.reasoning_text) == len(tokenizer.encode(think.strip(), add_special_tokens=False))
    if think != think.strip():
        assert token_conventions.count(tokenizer, parsed.think_match) > token_conventions.count(tokenizer, parsed.reasoning_text)


def test_wise_convention_leaves_samples_without_a_match_out_of_the_mean():
    records = [
        record(2, GT, square(8, 0, 0, 4, 2), tokens=TokenCounts(10, 4, 20, conventions={"wisebench": 4, "wise": 5})),
        record(3, GT, square(8, 0, 0, 4, 4), tokens=TokenCounts(10, 0, 20, conventions={"wisebench": 0, "wise": None})),  # no match
        record(4, GT, None, failure="x", tokens=TokenCounts(10, 6, 20, conventions={"wisebench": 6, "wise": 7})),
    ]
    wise = summarize(records, "segzero", n_resamples=20, token_convention="wise")
    assert wise["token_convention"] == "wise"
    assert wise["tokens"]["reasoning"]["n"] == 2 and wise["tokens"]["reasoning"]["mean"] == 6.0
    default = summarize(records, "segzero", n_resamples=20)
    assert default["token_convention"] == "wisebench" and default["tokens"]["reasoning"]["mean"] == pytest.approx(10 / 3)
    assert set(default["tokens"]["reasoning_by_convention"]) == {"wisebench", "wise"}
    assert default["tokens"]["reasoning_by_convention"]["wise"]["mean"] == 6.0


def test_summary_counts_samples_the_other_policy_parses_differently():
    records = fixture_records()
    records[2]["prediction"].update(parse_policy="upstream", other_policy=None)
    records[3]["prediction"].update(parse_policy="upstream", other_policy={"policy": "robust", "failure": "bbox_inverted", "objects": []})
    records[4]["prediction"].update(parse_policy="upstream", other_policy={"policy": "robust", "failure": None, "objects": []})
    parse = summarize(records, "lisa", n_resamples=20)["parse"]
    assert parse["policy"] == "upstream" and parse["n_differ"] == 2
    assert parse["n_only_this_parses"] == 1 and parse["n_only_other_parses"] == 1 and parse["n_other_prompts"] == 0


def test_list_protocols_says_which_paper_used_which(capsys):
    from wisebench.cli import main

    assert main(["list", "protocols"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert "Seg-Zero, WISE" in lines["segzero"] and "seg-zero, wise, wise-s" in lines["segzero"]
    assert "VisionReasoner" in lines["visionreasoner"] and "every sample counts" in lines["visionreasoner"]
    assert "LISA" in lines["lisa"] and "oracle" in lines["lisa"]


def test_run_default_protocol_is_the_papers(tmp_path):
    from wisebench.cli import paper_protocol

    assert paper_protocol("seg-zero", "reasonseg") == "segzero" and paper_protocol("wise-s", "reasonseg") == "segzero"
    assert paper_protocol("visionreasoner", "reasonseg") == "visionreasoner"
    assert paper_protocol("lisa", "reasonseg") == "lisa" and paper_protocol("oracle", "reasonseg-mini") == "lisa"
