"""ReasonSeg loaders against fixtures in the native formats: LISA folders and the Seg-Zero HF copies."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from PIL import Image

from lisa_fixtures import shape, square, write_sample, write_small_reasonseg
from wisebench.data.reasonseg import ReasonSegSuite
from wisebench.data.reasonseg_diff import ReasonSegDiffSuite, difficulty_band
from wisebench.errors import BadSampleError, DatasetFormatError, DatasetNotFoundError


def test_lisa_folder_samples_subsets_and_lazy_masks(tmp_path):
    root = write_small_reasonseg(tmp_path)
    loaded = ReasonSegSuite().load("val", str(tmp_path))
    by_id = {sample.sample_id: sample for sample in loaded.samples}
    assert sorted(by_id) == ["img_a", "img_b", "img_c"]
    assert by_id["img_a"].subsets == ("long",) and by_id["img_b"].subsets == ("short",)
    assert by_id["img_b"].query == "red cup" and by_id["img_b"].image_id == "img_b"
    assert loaded.source == str(root / "val")
    # The folder itself (ReasonSeg/) is accepted as --data-dir too.
    assert len(ReasonSegSuite().load("val", str(root)).samples) == 3


def test_ignore_painted_after_larger_target_and_flag_skipped(tmp_path):
    folder = tmp_path / "ReasonSeg" / "val"
    # The ignore polygon comes first in the file; sorting by area (largest first) paints it last.
    write_sample(
        folder,
        "img",
        ["q"],
        False,
        [shape("ignore", square(20, 15, 30, 25)), shape("target", square(5, 5, 25, 20)), shape("flag", square(0, 0, 39, 29))],
    )
    mask = ReasonSegSuite().load("val", str(tmp_path)).samples[0].load_gt_mask()
    expected = np.zeros((30, 40), np.uint8)
    expected[5:21, 5:26] = 1
    expected[15:26, 20:31] = 255
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, expected)


def test_points_truncated_to_int32(tmp_path):
    write_small_reasonseg(tmp_path)
    sample = [s for s in ReasonSegSuite().load("val", str(tmp_path)).samples if s.sample_id == "img_b"][0]
    expected = np.zeros((30, 40), np.uint8)
    expected[3:13, 10:19] = 1  # 10.7 -> 10, 3.2 -> 3, 18.9 -> 18, 12.6 -> 12
    np.testing.assert_array_equal(sample.load_gt_mask(), expected)


def test_two_target_polygons(tmp_path):
    write_small_reasonseg(tmp_path)
    sample = [s for s in ReasonSegSuite().load("val", str(tmp_path)).samples if s.sample_id == "img_c"][0]
    mask = sample.load_gt_mask()
    assert mask[2:9, 2:9].all() and mask[20:28, 30:37].all()
    assert int(mask.sum()) == 49 + 56


def test_cp1252_annotation(tmp_path):
    folder = tmp_path / "ReasonSeg" / "val"
    write_sample(folder, "cafe", ["the caf\u00e9\u2019s sign"], True, [shape("target", square(1, 1, 9, 9))], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        (folder / "cafe.json").read_bytes().decode("utf-8")
    assert ReasonSegSuite().load("val", str(tmp_path)).samples[0].query == "the caf\u00e9\u2019s sign"


def test_exif_orientation_applied_to_image_and_mask_size(tmp_path):
    folder = tmp_path / "ReasonSeg" / "val"
    write_sample(folder, "rotated", ["q"], False, [shape("target", square(1, 1, 9, 9))], width=40, height=30)
    image = Image.open(folder / "rotated.jpg")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees when displayed
    image.save(folder / "rotated.jpg", exif=exif.tobytes())
    sample = ReasonSegSuite().load("val", str(tmp_path)).samples[0]
    assert sample.load_image().shape == (40, 30, 3)
    assert sample.load_gt_mask().shape == (40, 30)


def test_train_split_one_sample_per_text(tmp_path):
    write_sample(tmp_path / "ReasonSeg" / "train", "t", ["first", "second"], True, [shape("target", square(1, 1, 9, 9))])
    samples = ReasonSegSuite().load("train", str(tmp_path)).samples
    assert [s.sample_id for s in samples] == ["t#0", "t#1"] and [s.query for s in samples] == ["first", "second"]


def test_missing_dataset_names_path_and_how_to_get_it(tmp_path):
    with pytest.raises(DatasetNotFoundError) as error:
        ReasonSegSuite().load("val", str(tmp_path / "nowhere"))
    message = str(error.value)
    assert str(tmp_path / "nowhere") in message and "ReasonSeg" in message and "LISA" in message


def test_missing_split_folder(tmp_path):
    write_small_reasonseg(tmp_path, split="val")
    with pytest.raises(DatasetNotFoundError, match="test"):
        ReasonSegSuite().load("test", str(tmp_path))


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"is_sentence": True, "shapes": []}, '"text"'),
        ({"text": ["q"], "is_sentence": "yes", "shapes": []}, "is_sentence"),
        ({"text": ["q"], "is_sentence": True}, '"shapes"'),
        ({"text": ["q"], "is_sentence": True, "shapes": [{"label": "target", "points": [[1, "x"]]}]}, "point"),
        ({"text": ["q"], "is_sentence": True, "shapes": [{"points": [[1, 2]]}]}, "label"),
    ],
)
def test_malformed_annotation_named_and_skippable(tmp_path, payload, problem):
    write_small_reasonseg(tmp_path)
    bad = tmp_path / "ReasonSeg" / "val" / "img_b.json"
    bad.write_text(json.dumps(payload))
    with pytest.raises(BadSampleError) as error:
        ReasonSegSuite().load("val", str(tmp_path))
    assert str(bad) in str(error.value) and problem in str(error.value)
    loaded = ReasonSegSuite().load("val", str(tmp_path), skip_bad=True)
    assert [s.sample_id for s in loaded.samples] == ["img_a", "img_c"]
    assert loaded.skipped[0]["path"] == str(bad)


def test_invalid_json_and_missing_image(tmp_path):
    write_small_reasonseg(tmp_path)
    (tmp_path / "ReasonSeg" / "val" / "img_a.json").write_text("{not json")
    (tmp_path / "ReasonSeg" / "val" / "img_c.jpg").unlink()
    loaded = ReasonSegSuite().load("val", str(tmp_path), skip_bad=True)
    problems = sorted(item["problem"] for item in loaded.skipped)
    assert problems[0].startswith("no image img_c.jpg") and problems[1].startswith("not valid JSON")


def test_corrupt_image_raises_named_error_lazily(tmp_path):
    write_small_reasonseg(tmp_path)
    (tmp_path / "ReasonSeg" / "val" / "img_a.jpg").write_bytes(b"\xff\xd8 definitely not a jpeg")
    sample = ReasonSegSuite().load("val", str(tmp_path)).samples[0]
    with pytest.raises(BadSampleError, match="img_a.jpg"):
        sample.load_image()


def test_samples_are_picklable(tmp_path):
    write_small_reasonseg(tmp_path)
    samples = ReasonSegSuite().load("val", str(tmp_path)).samples
    restored = pickle.loads(pickle.dumps(samples))
    np.testing.assert_array_equal(restored[0].load_gt_mask(), samples[0].load_gt_mask())


# --- the HF copies (Ricky06662/ReasonSeg_val / _test column layout) ---------------------------------------

def _hf_reasonseg(tmp_path):
    datasets = pytest.importorskip("datasets")
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)) for _ in range(2)]
    masks = [np.zeros((12, 16), bool), np.zeros((12, 16), bool)]
    masks[0][2:6, 3:9] = True
    masks[1][0:12, 0:4] = True
    features = datasets.Features(
        {
            "image": datasets.Image(),
            "text": datasets.Value("string"),
            "mask": datasets.Sequence(datasets.Sequence(datasets.Value("bool"))),
            "image_id": datasets.Value("string"),
            "ann_id": datasets.Value("string"),
            "img_height": datasets.Value("int64"),
            "img_width": datasets.Value("int64"),
        }
    )
    return datasets.Dataset.from_dict(
        {
            "image": images,
            "text": ["what would you sit on", "the lamp"],
            "mask": [m.tolist() for m in masks],
            "image_id": ["1234_abc", "5678_def"],
            "ann_id": ["1234_abc", "5678_def"],
            "img_height": [12, 12],
            "img_width": [16, 16],
        },
        features=features,
    ), masks


@pytest.mark.parametrize("layout", ["save_to_disk", "parquet"])
def test_hf_copy_layouts(tmp_path, layout):
    dataset, masks = _hf_reasonseg(tmp_path)
    if layout == "save_to_disk":
        location = tmp_path / "ReasonSeg_val"
        dataset.save_to_disk(str(location))
    else:
        location = tmp_path / "snapshot" / "data"
        location.mkdir(parents=True)
        dataset.to_parquet(str(location / "test-00000-of-00001.parquet"))
        location = location.parent
    loaded = ReasonSegSuite().load("val", str(location))
    assert [s.sample_id for s in loaded.samples] == ["1234_abc", "5678_def"]
    assert loaded.samples[0].query == "what would you sit on" and loaded.samples[0].subsets == ()
    np.testing.assert_array_equal(loaded.samples[0].load_gt_mask(), masks[0].astype(np.uint8))
    assert loaded.samples[1].load_image().shape == (12, 16, 3)
    restored = pickle.loads(pickle.dumps(loaded.samples[1]))
    np.testing.assert_array_equal(restored.load_gt_mask(), masks[1].astype(np.uint8))


def test_hf_copy_missing_columns(tmp_path):
    datasets = pytest.importorskip("datasets")
    datasets.Dataset.from_dict({"text": ["q"], "image_id": ["x"]}).save_to_disk(str(tmp_path / "bad"))
    with pytest.raises(DatasetFormatError, match="image, mask"):
        ReasonSegSuite().load("val", str(tmp_path / "bad"))


def test_hf_hub_id_offline_gives_clear_error(tmp_path):
    pytest.importorskip("datasets")
    with pytest.raises(DatasetNotFoundError) as error:
        ReasonSegSuite().load("val", "Ricky06662/ReasonSeg_val")
    assert "Ricky06662/ReasonSeg_val" in str(error.value) and "--data-dir" in str(error.value)


# --- ReasonSeg-Diff --------------------------------------------------------------------------------------

@pytest.mark.parametrize("difficulty, band", [(1.0, "easy"), (3.49, "easy"), (3.5, "medium"), (4.99, "medium"), (5.0, "hard"), (10, "hard")])
def test_difficulty_bands(difficulty, band):
    assert difficulty_band(difficulty) == band


@pytest.mark.parametrize("form", ["json_object", "jsonl"])
def test_reasonseg_diff_side_file(tmp_path, form):
    write_small_reasonseg(tmp_path, split="test")
    side = tmp_path / "ReasonSeg-Diff"
    side.mkdir()
    entries = {"img_a.jpg": 2.0, "img_b": 4.0, "img_c": 7.5}
    if form == "json_object":
        payload = {name: {"difficulty": d, "short_reasoning": "s", "long_reasoning": "l"} for name, d in entries.items()}
        (side / "test.json").write_text(json.dumps(payload))
    else:
        lines = [json.dumps({"image_name": name, "difficulty_score": d}) for name, d in entries.items()]
        (side / "test.jsonl").write_text("\n".join(lines) + "\n")
    samples = {s.sample_id: s for s in ReasonSegDiffSuite().load("test", str(tmp_path)).samples}
    assert samples["img_a"].subsets == ("long", "easy")
    assert samples["img_b"].subsets == ("short", "medium")
    assert samples["img_c"].subsets == ("long", "hard")
    assert samples["img_c"].extra["difficulty"] == 7.5


def test_reasonseg_diff_rejects_unknown_layout_and_missing_entries(tmp_path):
    write_small_reasonseg(tmp_path, split="test")
    side = tmp_path / "ReasonSeg-Diff"
    side.mkdir()
    (side / "test.json").write_text(json.dumps([{"picture": "img_a", "hardness": 3}]))
    with pytest.raises(DatasetFormatError, match="accepted: an image key"):
        ReasonSegDiffSuite().load("test", str(tmp_path))
    (side / "test.json").write_text(json.dumps({"img_a": {"difficulty": 3}}))
    with pytest.raises(BadSampleError, match="no difficulty entry for image img_b"):
        ReasonSegDiffSuite().load("test", str(tmp_path))
    assert len(ReasonSegDiffSuite().load("test", str(tmp_path), skip_bad=True).samples) == 1
    (side / "test.json").unlink()
    with pytest.raises(DatasetNotFoundError, match="ReasonSeg-Diff"):
        ReasonSegDiffSuite().load("test", str(tmp_path))


def test_hf_snapshot_with_several_splits_reads_only_the_requested_one(tmp_path):
    dataset, _ = _hf_reasonseg(tmp_path)
    data = tmp_path / "snapshot" / "data"
    data.mkdir(parents=True)
    dataset.select([0]).to_parquet(str(data / "val-00000-of-00001.parquet"))
    dataset.select([1]).to_parquet(str(data / "test-00000-of-00001.parquet"))
    assert [s.sample_id for s in ReasonSegSuite().load("val", str(tmp_path / "snapshot")).samples] == ["1234_abc"]
    assert [s.sample_id for s in ReasonSegSuite().load("test", str(tmp_path / "snapshot")).samples] == ["5678_def"]
    with pytest.raises(DatasetFormatError, match="not 'train'"):
        ReasonSegSuite().load("train", str(tmp_path / "snapshot"))


def test_polygon_order_counts_pixels_inside_the_image_as_lisa():
    from wisebench.data.masks import rasterize_lisa_shapes

    # The target's geometric area (mostly outside the image) is larger than the ignore's, but inside the 30 x 40
    # image it covers fewer pixels: LISA orders by covered pixels, so the target is painted last and wins.
    shapes = [shape("target", square(30, 0, 200, 29)), shape("ignore", square(20, 0, 35, 29))]
    mask = rasterize_lisa_shapes(shapes, 30, 40)
    assert (mask[:, 30:] == 1).all() and (mask[:, 20:30] == 255).all()
    # Equal coverage: np.argsort(...)[::-1] draws the later shape first, so the earlier one ends on top.
    tie = rasterize_lisa_shapes([shape("target", square(5, 5, 15, 15)), shape("ignore", square(5, 5, 15, 15))], 30, 40)
    assert (tie[5:16, 5:16] == 1).all()


def test_hf_copy_named_for_another_split_is_refused(tmp_path):
    dataset, _ = _hf_reasonseg(tmp_path)
    dataset.save_to_disk(str(tmp_path / "ReasonSeg_test"))
    with pytest.raises(DatasetFormatError, match="holds the test split"):
        ReasonSegSuite().load("val", str(tmp_path / "ReasonSeg_test"))
    assert len(ReasonSegSuite().load("test", str(tmp_path / "ReasonSeg_test")).samples) == 2


def test_hf_corrupt_mask_is_a_bad_sample(tmp_path):
    from wisebench.data.hf import mask_from_cell

    with pytest.raises(BadSampleError, match="row 3"):
        mask_from_cell({"bytes": b"not a png", "path": None}, "copy row 3")
    with pytest.raises(BadSampleError, match="row 4"):
        mask_from_cell([[True, False], [True]], "copy row 4")


def test_hf_dataset_dict_saved_to_disk_loads(tmp_path, capsys):
    """`load_dataset("Ricky06662/ReasonSeg_val").save_to_disk(D)` writes a DatasetDict: D/dataset_dict.json and a
    test/ subfolder (the split is named "test"). It is an HF copy, not a LISA folder with a test split."""
    datasets = pytest.importorskip("datasets")
    from wisebench.cli import main

    dataset, masks = _hf_reasonseg(tmp_path)
    location = tmp_path / "ReasonSeg_val"
    datasets.DatasetDict({"test": dataset}).save_to_disk(str(location))
    assert (location / "dataset_dict.json").is_file() and (location / "test").is_dir()
    loaded = ReasonSegSuite().load("val", str(location))
    assert [s.sample_id for s in loaded.samples] == ["1234_abc", "5678_def"]
    np.testing.assert_array_equal(loaded.samples[0].load_gt_mask(), masks[0].astype(np.uint8))
    code = main(["run", "--model", "oracle", "--suite", "reasonseg", "--data-dir", str(location), "--out", str(tmp_path / "runs"), "--no-progress"])
    assert code == 0, capsys.readouterr().err


def test_hf_empty_query_is_a_bad_sample(tmp_path):
    pytest.importorskip("datasets")
    dataset, _ = _hf_reasonseg(tmp_path)
    texts = dataset["text"]
    dataset = dataset.remove_columns("text").add_column("text", ["", texts[1]])
    dataset.save_to_disk(str(tmp_path / "copy"))
    with pytest.raises(BadSampleError, match=r"row 0: the query text is empty"):
        ReasonSegSuite().load("val", str(tmp_path / "copy"))
    loaded = ReasonSegSuite().load("val", str(tmp_path / "copy"), skip_bad=True)
    assert [s.sample_id for s in loaded.samples] == ["5678_def"]
    assert loaded.skipped == [{"sample_id": "1234_abc", "path": f"{tmp_path / 'copy'} [val] row 0", "problem": "the query text is empty"}]
