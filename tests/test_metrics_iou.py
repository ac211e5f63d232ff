"""Intersection/union and IoU under both protocols, on tiny masks computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from wisebench.errors import WisebenchError
from wisebench.metrics import ciou, giou, intersection_union, sample_iou, sample_ious

IGNORE = 255


def masks(pred_rows: list[list[int]] | None, gt_rows: list[list[int]]) -> tuple[np.ndarray | None, np.ndarray]:
    pred = None if pred_rows is None else np.array(pred_rows, dtype=bool)
    return pred, np.array(gt_rows, dtype=np.uint8)


def test_empty_gt_and_empty_prediction_scores_one_under_lisa_and_zero_under_segzero():
    pred, gt = masks(None, [[0, 0], [0, 0]])
    assert intersection_union(pred, gt, "lisa") == (0, 0)
    assert intersection_union(pred, gt, "segzero") == (0, 0)
    assert sample_iou(0, 0, "lisa") == 1.0
    assert sample_iou(0, 0, "segzero") == 0.0


def test_empty_prediction_against_a_target_scores_zero():
    pred, gt = masks(None, [[1, 1], [0, 0]])
    for protocol in ("lisa", "segzero"):
        assert intersection_union(pred, gt, protocol) == (0, 2)
        assert sample_iou(0, 2, protocol) == 0.0


def test_all_ignore_ground_truth():
    full, gt = masks([[1, 1], [1, 1]], [[IGNORE, IGNORE], [IGNORE, IGNORE]])
    # lisa removes every pixel: nothing is left, so the sample counts as empty-vs-empty.
    assert intersection_union(full, gt, "lisa") == (0, 0)
    assert intersection_union(None, gt, "lisa") == (0, 0)
    # segzero treats ignore as foreground.
    assert intersection_union(full, gt, "segzero") == (4, 4)
    assert intersection_union(None, gt, "segzero") == (0, 4)


def test_ignore_pixels_under_the_prediction():
    pred, gt = masks(
        [[1, 0, 1, 0], [1, 0, 0, 0]],
        [[1, 1, IGNORE, IGNORE], [0, 0, 0, 0]],
    )
    # lisa: I = (0,0); pred area without the ignored (0,2) = 2; gt area 2 -> U = 2 + 2 - 1.
    assert intersection_union(pred, gt, "lisa") == (1, 3)
    # segzero: gt = first row (4 px), pred 3 px, I = (0,0) and (0,2) -> U = 3 + 4 - 2.
    assert intersection_union(pred, gt, "segzero") == (2, 5)
    assert sample_iou(1, 3, "lisa") == pytest.approx(1 / (3 + 1e-5), abs=1e-15)
    assert sample_iou(2, 5, "segzero") == 0.4


def test_overlap_pixels_valued_two():
    pred, gt = masks([[1, 1], [0, 0]], [[1, 2], [2, 0]])
    # lisa: 2 is not ground truth, so the prediction on (0,1) is a false positive: I = 1, U = 2 + 1 - 1.
    assert intersection_union(pred, gt, "lisa") == (1, 2)
    # segzero: every non-zero pixel is ground truth (3 px): I = 2, U = 2 + 3 - 2.
    assert intersection_union(pred, gt, "segzero") == (2, 3)


def test_prediction_only_on_overlap_pixels_is_all_false_positive_under_lisa():
    pred, gt = masks([[0, 1]], [[0, 2]])
    assert intersection_union(pred, gt, "lisa") == (0, 1)
    assert intersection_union(pred, gt, "segzero") == (1, 1)


def test_zero_one_prediction_is_read_like_a_boolean_one():
    gt = np.array([[1, 1], [0, IGNORE]], dtype=np.uint8)
    as_uint8 = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    assert intersection_union(as_uint8, gt, "lisa") == intersection_union(as_uint8.astype(bool), gt, "lisa") == (1, 3)


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 2\)"):
        intersection_union(np.zeros((2, 3), dtype=bool), np.zeros((2, 2), dtype=np.uint8), "lisa")


def test_unknown_protocol_lists_the_known_ones():
    with pytest.raises(ValueError, match="lisa, segzero") as raised:
        intersection_union(None, np.zeros((1, 1), dtype=np.uint8), "refcoco")
    assert isinstance(raised.value, WisebenchError)  # the CLI prints it without a stack trace
    with pytest.raises(ValueError, match="lisa, segzero"):
        sample_iou(1, 2, "mIoU")


def test_vectorized_ious_match_the_scalar_definitions():
    intersections = np.array([1, 0, 3, 0])
    unions = np.array([2, 0, 4, 5])
    lisa = sample_ious(intersections, unions, "lisa")
    np.testing.assert_allclose(lisa, [1 / 2.00001, 1.0, 3 / 4.00001, 0.0], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(sample_ious(intersections, unions, "segzero"), [0.5, 0.0, 0.75, 0.0])
    assert [sample_iou(i, u, "lisa") for i, u in zip(intersections, unions)] == lisa.tolist()


def test_giou_and_ciou_by_hand():
    intersections = np.array([1, 0, 3])
    unions = np.array([2, 0, 4])
    assert giou(sample_ious(intersections, unions, "lisa")) == pytest.approx((1 / 2.00001 + 1.0 + 3 / 4.00001) / 3)
    assert ciou(intersections, unions, "lisa") == pytest.approx(4 / (6 + 1e-10), abs=1e-15)
    assert giou(sample_ious(intersections, unions, "segzero")) == pytest.approx((0.5 + 0.0 + 0.75) / 3)
    assert ciou(intersections, unions, "segzero") == pytest.approx(4 / 6)


def test_ciou_with_nothing_to_measure():
    assert ciou(np.array([0, 0]), np.array([0, 0]), "segzero") == 0.0
    assert ciou(np.array([0, 0]), np.array([0, 0]), "lisa") == 0.0
    assert ciou(np.array([]), np.array([]), "lisa") is None
    assert giou(np.array([])) is None
