"""reasonseg-mini: the generated folders follow the ReasonSeg (LISA) format exactly, hold the promised mix of samples,
are byte-identical across runs, and are published safely when several workers ask for them at once."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wisebench.data import mini
from wisebench.data.masks import polygon_area, rasterize_lisa_shapes
from wisebench.data.mini import COMPLETE_MARKER, MINI_VERSION, ensure_reasonseg_mini, generate_reasonseg_mini

SPLITS = ("val", "test")
TOP_KEYS = {"text", "is_sentence", "shapes"}
SHAPE_KEYS = {"label", "labels", "shape_type", "image_name", "group_id", "flags", "points"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_reasonseg_mini(tmp_path_factory.mktemp("mini-a"))


def _records(dataset: Path, split: str) -> list[tuple[Path, dict]]:
    return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted((dataset / split).glob("*.json"))]


def _labelled(record: dict, label: str) -> list[dict]:
    return [shape for shape in record["shapes"] if shape["label"] == label]


def test_layout_and_counts(dataset: Path) -> None:
    assert dataset.name == "ReasonSeg"
    assert sorted(p.name for p in dataset.iterdir()) == ["test", "val"]
    stems: list[str] = []
    for split in SPLITS:
        files = sorted(p.name for p in (dataset / split).iterdir())
        jpgs = [f[:-4] for f in files if f.endswith(".jpg")]
        jsons = [f[:-5] for f in files if f.endswith(".json")]
        assert len(files) == 64 and jpgs == jsons and len(jpgs) == 32
        stems += jpgs
    assert len(set(stems)) == 64  # unique across splits


def test_json_is_lisa_labelme(dataset: Path) -> None:
    for split in SPLITS:
        for path, record in _records(dataset, split):
            assert set(record) == TOP_KEYS
            assert isinstance(record["text"], list) and len(record["text"]) == 1 and record["text"][0].strip()
            assert isinstance(record["is_sentence"], bool)
            for shape in record["shapes"]:
                assert set(shape) == SHAPE_KEYS
                assert shape["label"] in ("target", "ignore", "flag")
                assert shape["labels"] == [shape["label"]]
                assert shape["shape_type"] == "polygon"
                assert shape["image_name"] == path.stem + ".jpg"
                assert shape["group_id"] is None and shape["flags"] == {}
                for x, y in shape["points"]:
                    assert isinstance(x, float) and isinstance(y, float)
                    assert x != int(x) and y != int(y)  # sub-pixel coordinates, as annotators' clicks are


def test_query_mix(dataset: Path) -> None:
    for split in SPLITS:
        records = [record for _, record in _records(dataset, split)]
        sentences = [r for r in records if r["is_sentence"]]
        assert 12 <= len(sentences) <= 20  # about half long sentences, half short phrases
        assert all(len(r["text"][0].split()) >= 6 for r in sentences)
        assert all(len(r["text"][0].split()) <= 5 for r in records if not r["is_sentence"])
        assert len({r["text"][0] for r in records}) >= 20  # varied wording


def test_special_shapes(dataset: Path) -> None:
    for split in SPLITS:
        records = [record for _, record in _records(dataset, split)]
        with_ignore = [r for r in records if _labelled(r, "ignore")]
        assert len(with_ignore) >= 4
        assert sum(1 for r in records if _labelled(r, "flag")) >= 2
        assert sum(1 for r in records if len(_labelled(r, "target")) == 2) >= 2
        assert all(1 <= len(_labelled(r, "target")) <= 2 for r in records)
        assert any(_ignore_overlaps_target(r) for r in with_ignore)


def _ignore_overlaps_target(record: dict) -> bool:
    points = np.concatenate([s["points"] for s in record["shapes"]])
    height, width = int(points[:, 1].max()) + 2, int(points[:, 0].max()) + 2
    target = rasterize_lisa_shapes(_labelled(record, "target"), height, width) > 0
    ignore = rasterize_lisa_shapes(_labelled(record, "ignore"), height, width) > 0
    return bool((target & ignore).any())


def test_polygons_inside_and_masks(dataset: Path) -> None:
    for split in SPLITS:
        for path, record in _records(dataset, split):
            with Image.open(path.with_suffix(".jpg")) as image:
                assert image.format == "JPEG" and image.mode == "RGB"
                width, height = image.size
            assert 480 <= width <= 800 and 360 <= height <= 800
            for shape in record["shapes"]:
                points = np.asarray(shape["points"])
                assert len(points) >= 3 and polygon_area(shape["points"]) >= 20
                assert (points >= 0).all() and (points[:, 0] < width).all() and (points[:, 1] < height).all()
            mask = rasterize_lisa_shapes(record["shapes"], height, width)
            assert set(np.unique(mask)) <= {0, 1, 255}
            assert np.count_nonzero(mask == 1) >= 200, path.name
            if _labelled(record, "flag"):  # loaders skip flags: painting them would change the mask
                unskipped = [dict(s, label="target") if s["label"] == "flag" else s for s in record["shapes"]]
                assert not np.array_equal(rasterize_lisa_shapes(unskipped, height, width), mask)


def test_generation_is_byte_identical(dataset: Path, tmp_path: Path) -> None:
    again = generate_reasonseg_mini(tmp_path / "mini-b")
    first = sorted(p.relative_to(dataset) for p in dataset.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for relative in first:
        assert (dataset / relative).read_bytes() == (again / relative).read_bytes(), relative


def test_ensure_concurrent_callers_share_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mini, "SAMPLES_PER_SPLIT", 2)  # the race, not the drawing, is under test
    barrier, results, errors = threading.Barrier(3), [], []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(ensure_reasonseg_mini(tmp_path))
        except Exception as error:  # noqa: BLE001 - surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    expected = tmp_path / f"reasonseg-mini-{MINI_VERSION}"
    assert results == [expected] * 3
    assert (expected / COMPLETE_MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [expected.name]  # no staging folders left behind
    assert len(list((expected / "ReasonSeg" / "val").glob("*.jpg"))) == 2


def test_ensure_reuses_and_repairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mini, "SAMPLES_PER_SPLIT", 1)
    stale = tmp_path / f"reasonseg-mini-{MINI_VERSION}"
    (stale / "ReasonSeg" / "val").mkdir(parents=True)  # an interrupted copy: no marker
    (stale / "ReasonSeg" / "val" / "junk.json").write_text("{")
    root = ensure_reasonseg_mini(tmp_path)
    assert root == stale and (root / COMPLETE_MARKER).is_file()
    assert not (root / "ReasonSeg" / "val" / "junk.json").exists()
    marker_time = (root / COMPLETE_MARKER).stat().st_mtime_ns

    def fail(_: Path) -> Path:
        raise AssertionError("a complete folder must be reused, not regenerated")

    monkeypatch.setattr(mini, "generate_reasonseg_mini", fail)
    assert ensure_reasonseg_mini(tmp_path) == root
    assert (root / COMPLETE_MARKER).stat().st_mtime_ns == marker_time
    assert sorted(p.name for p in tmp_path.iterdir()) == [root.name]
