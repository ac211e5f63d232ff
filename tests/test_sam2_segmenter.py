"""SAM2Segmenter on a random tiny SAM2 (hiera_t config, CPU): no weights needed. SAM2 embeds every image at
1024 x 1024, so each test keeps its set_image calls to one or two."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sam2")
pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:FutureWarning")  # inside sam2

from wisebench.adapters.prediction import ObjectPrompt
from wisebench.errors import WeightsNotFoundError
from wisebench.segmenters.sam2 import SAM2Segmenter

TINY = "random:configs/sam2.1/sam2.1_hiera_t.yaml"


@pytest.fixture(scope="module")
def segmenter() -> SAM2Segmenter:
    return SAM2Segmenter(TINY, device="cpu")


def _image(height: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


BOX_AND_POINTS = ObjectPrompt(box=(5, 5, 40, 30), points=((12, 10), (30, 25)), point_labels=(1, 1))
BOX_ONLY = ObjectPrompt(box=(40, 20, 60, 44))
POINTS_ONLY = ObjectPrompt(box=None, points=((8, 8),), point_labels=(1,))


def test_describe(segmenter: SAM2Segmenter) -> None:
    described = segmenter.describe()
    assert described["name"] == "sam2"
    assert described["random_weights"] is True
    assert described["config"] == "configs/sam2.1/sam2.1_hiera_t.yaml"
    assert described["device"] == "cpu" and described["dtype"] == "float32"
    assert described["multimask_output"] is True and described["sam2_version"]


def test_no_usable_objects_give_an_empty_mask(segmenter: SAM2Segmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segmenter.predictor, "set_image", lambda image: pytest.fail("nothing to segment, no embedding"))
    for objects in ([], [ObjectPrompt(box=None)]):
        mask = segmenter.segment(_image(48, 64, 0), objects)
        assert mask.shape == (48, 64) and mask.dtype == bool and not mask.any()


def test_best_mask_per_object_and_or_across_objects(segmenter: SAM2Segmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[dict, np.ndarray, np.ndarray]] = []
    predict = segmenter.predictor.predict

    def spy(**kwargs):
        masks, scores, low_res = predict(**kwargs)
        calls.append((kwargs, masks, scores))
        return masks, scores, low_res

    monkeypatch.setattr(segmenter.predictor, "predict", spy)
    mask = segmenter.segment(_image(48, 64, 1), [BOX_AND_POINTS, ObjectPrompt(box=None), BOX_ONLY])

    assert mask.shape == (48, 64) and mask.dtype == bool
    assert len(calls) == 2  # the prompt-less object is skipped
    first, second = calls[0][0], calls[1][0]
    assert first["multimask_output"] is True
    np.testing.assert_array_equal(first["point_coords"], [[12, 10], [30, 25]])
    np.testing.assert_array_equal(first["point_labels"], [1, 1])
    np.testing.assert_array_equal(first["box"], [5, 5, 40, 30])
    assert second["point_coords"] is None and second["point_labels"] is None
    best = []
    for _, masks, scores in calls:
        assert masks.shape == (3, 48, 64)
        best.append(masks[int(np.argmax(scores))] > 0.5)
    np.testing.assert_array_equal(mask, best[0] | best[1])


def test_batch_equals_per_image(segmenter: SAM2Segmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segmenter, "max_batch", 2)  # the CPU default (1) would not batch
    batch_calls: list[int] = []
    set_image_batch = segmenter.predictor.set_image_batch
    monkeypatch.setattr(segmenter.predictor, "set_image_batch", lambda images: batch_calls.append(len(images)) or set_image_batch(images))
    images = [_image(48, 64, 2), _image(40, 30, 3), _image(36, 52, 4)]
    objects = [[BOX_AND_POINTS, POINTS_ONLY], [], [BOX_ONLY]]  # different sizes and object counts
    batched = segmenter.segment_batch(images, objects)
    assert batch_calls == [2]  # one encoder pass; the image without objects is not embedded
    single = [segmenter.segment(image, prompts) for image, prompts in zip(images, objects)]
    assert len(batched) == 3
    for got, expected, image in zip(batched, single, images):
        assert got.shape == image.shape[:2] and got.dtype == bool
        np.testing.assert_array_equal(got, expected)
    assert not batched[1].any()


def test_offline_hub_id_names_the_id_and_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    with pytest.raises(WeightsNotFoundError) as caught:
        SAM2Segmenter("facebook/sam2.1-hiera-tiny", device="cpu")
    message = str(caught.value)
    assert "facebook/sam2.1-hiera-tiny" in message
    assert str(tmp_path / "hf" / "hub") in message
    assert "--segmenter-checkpoint" in message and "::" in message
    assert caught.value.__cause__ is None  # one message, no chained hub traceback


def test_default_checkpoint_is_seg_zeros(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(WeightsNotFoundError, match="facebook/sam2-hiera-large") as caught:
        SAM2Segmenter(device="cpu")
    assert str(tmp_path / "cache") in str(caught.value)


def test_missing_local_checkpoint(tmp_path) -> None:
    missing = tmp_path / "sam2.1_hiera_tiny.pt"
    with pytest.raises(WeightsNotFoundError, match="sam2.1_hiera_tiny.pt"):
        SAM2Segmenter(f"configs/sam2.1/sam2.1_hiera_t.yaml::{missing}", device="cpu")
    with pytest.raises(WeightsNotFoundError, match="sam2_hiera_large.pt"):
        SAM2Segmenter(str(tmp_path), device="cpu")  # a folder without a known .pt says what it looked for


def test_local_checkpoint_round_trip(segmenter: SAM2Segmenter, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights saved from the random model load back through CONFIG::CHECKPOINT, the folder form and, offline,
    a hub id whose file sits in the HF cache."""
    import torch

    folder = tmp_path / "weights"
    folder.mkdir()
    saved = folder / "sam2.1_hiera_tiny.pt"
    state = {key: value.clone() for key, value in segmenter.predictor.model.state_dict().items()}
    state["no_mem_embed"].fill_(0.5)  # differs from the seeded random init, so loading is visible
    torch.save({"model": state}, saved)
    cache = tmp_path / "hub"
    snapshot = cache / "models--facebook--sam2.1-hiera-tiny" / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / saved.name).write_bytes(saved.read_bytes())
    (cache / "models--facebook--sam2.1-hiera-tiny" / "refs").mkdir()
    (cache / "models--facebook--sam2.1-hiera-tiny" / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))

    for spec, recorded in (
        (f"sam2.1_hiera_t.yaml::{saved}", str(saved)),
        (str(folder), str(saved)),
        ("facebook/sam2.1-hiera-tiny", "facebook/sam2.1-hiera-tiny"),
    ):
        loaded = SAM2Segmenter(spec, device="cpu")
        assert bool((loaded.predictor.model.no_mem_embed == 0.5).all())
        described = loaded.describe()
        assert described["config"] == "configs/sam2.1/sam2.1_hiera_t.yaml"
        assert described["random_weights"] is False
        assert described["checkpoint"] == recorded
