"""RefCOCO / RefCOCO+ / RefCOCOg suites on fixtures written in the native formats (refer API, COCO, HF copies)."""

from __future__ import annotations

import io
import json
import os
import pickle
import pickletools
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from wisebench.data import refcoco
from wisebench.data.refcoco import RefCOCOgSuite, RefCOCOPlusSuite, RefCOCOSuite
from wisebench.data.safe_pickle import load_plain_data, load_restricted_pickle
from wisebench.data.sample import ImageSource
from wisebench.errors import BadSampleError, DatasetFormatError, DatasetNotFoundError

SIZES = {1: (20, 30), 2: (24, 24), 3: (16, 20)}  # image id -> (height, width)


def file_name(image_id: int) -> str:
    return f"COCO_train2014_{image_id:012d}.jpg"


def compressed_mask() -> np.ndarray:
    mask = np.zeros(SIZES[2], dtype=np.uint8)
    mask[3:9, 4:15] = 1
    return mask


def uncompressed_mask() -> np.ndarray:
    mask = np.zeros(SIZES[3], dtype=np.uint8)
    mask[5:10, 2:6] = 1
    return mask


def uncompressed_rle(mask: np.ndarray) -> dict:
    """COCO's uncompressed RLE: column-major run lengths, starting with a run of zeros."""
    flat = mask.flatten(order="F")
    counts, current, run = [], 0, 0
    for value in flat:
        if value == current:
            run += 1
        else:
            counts.append(run)
            current, run = value, 1
    counts.append(run)
    return {"size": list(mask.shape), "counts": counts}


def instances() -> dict:
    rle = mask_utils.encode(np.asfortranarray(compressed_mask()))
    return {
        "info": {},
        "images": [
            {"id": image_id, "file_name": file_name(image_id), "height": h, "width": w} for image_id, (h, w) in SIZES.items()
        ],
        "annotations": [
            # two overlapping polygons of one annotation: the overlap sums to 2
            {"id": 101, "image_id": 1, "category_id": 18, "iscrowd": 0,
             "segmentation": [[2, 2, 12, 2, 12, 12, 2, 12], [8, 8, 18, 8, 18, 18, 8, 18]]},
            {"id": 102, "image_id": 2, "category_id": 1, "iscrowd": 0,
             "segmentation": {"size": rle["size"], "counts": rle["counts"].decode("ascii")}},
            {"id": 103, "image_id": 3, "category_id": 3, "iscrowd": 1, "segmentation": uncompressed_rle(uncompressed_mask())},
            {"id": 104, "image_id": 1, "category_id": 18, "iscrowd": 0, "segmentation": [[20, 2, 28, 2, 28, 10, 20, 10]]},
        ],
        "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}, {"id": 18, "name": "dog"}],
    }


def sentence(sent_id: int, text: str) -> dict:
    return {"raw": text, "sent": text, "sent_id": sent_id, "tokens": text.strip().lower().split()}


def ref(ref_id: int, ann_id: int, image_id: int, split: str, sentences: list[dict]) -> dict:
    return {
        "ref_id": ref_id, "ann_id": ann_id, "category_id": 18, "image_id": image_id, "split": split,
        "file_name": file_name(image_id).replace(".jpg", f"_{ann_id}.jpg"),  # the refer release's suffixed name
        "sent_ids": [s["sent_id"] for s in sentences], "sentences": sentences,
    }


def unc_refs() -> list[dict]:
    return [
        ref(1, 101, 1, "val", [sentence(11, "  The Left DOG "), sentence(12, "dog on left")]),
        ref(2, 102, 2, "val", [sentence(21, "man in red")]),
        ref(3, 103, 3, "testA", [sentence(31, "car"), sentence(32, "white car"), sentence(33, "the car")]),
        ref(4, 104, 1, "testB", [sentence(41, "right dog")]),
        ref(5, 104, 1, "train", [sentence(51, "training sentence")]),
    ]


def umd_refs() -> list[dict]:
    return [
        ref(7, 101, 1, "val", [sentence(71, "a brown dog lying on the left")]),
        ref(8, 102, 2, "test", [sentence(81, "a man wearing a red shirt"), sentence(82, "man in red shirt")]),
        ref(9, 103, 3, "train", [sentence(91, "train only")]),
    ]


def write_dataset(root: Path, folder: str, split_by: str, refs: list, as_json: bool = False) -> Path:
    dataset_dir = root / folder
    dataset_dir.mkdir(parents=True, exist_ok=True)
    (dataset_dir / "instances.json").write_text(json.dumps(instances()))
    if as_json:
        (dataset_dir / f"refs({split_by}).json").write_text(json.dumps(refs))
    else:
        with open(dataset_dir / f"refs({split_by}).p", "wb") as handle:
            pickle.dump(refs, handle, protocol=2)
    return dataset_dir


def write_images(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for image_id, (h, w) in SIZES.items():
        Image.new("RGB", (w, h), (image_id * 40, 100, 200)).save(folder / file_name(image_id))


@pytest.fixture
def refer_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(refcoco.COCO_IMAGES_ENV, raising=False)
    root = tmp_path / "refer_seg"
    write_dataset(root, "refcoco", "unc", unc_refs())
    write_dataset(root, "refcoco+", "unc", unc_refs())
    write_dataset(root, "refcocog", "umd", umd_refs())
    write_images(root / "images" / "mscoco" / "images" / "train2014")
    return root


# ---------------------------------------------------------------- refer layout


def test_fixture_pickle_needs_no_globals(refer_root: Path) -> None:
    ops = {op.name for op, _, _ in pickletools.genops((refer_root / "refcoco" / "refs(unc).p").read_bytes())}
    assert not ops & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ"}


@pytest.mark.parametrize(
    "suite, split, count", [(RefCOCOSuite, "val", 3), (RefCOCOSuite, "testA", 3), (RefCOCOSuite, "testB", 1),
                            (RefCOCOPlusSuite, "val", 3), (RefCOCOgSuite, "val", 1), (RefCOCOgSuite, "test", 2)]
)
def test_one_sample_per_sentence(refer_root: Path, suite, split: str, count: int) -> None:
    load = suite().load(split, str(refer_root))
    assert len(load.samples) == count
    assert len({s.sample_id for s in load.samples}) == count
    assert load.skipped == []


def test_sample_fields(refer_root: Path) -> None:
    samples = RefCOCOSuite().load("val", str(refer_root)).samples
    first = samples[0]
    assert [s.query for s in samples] == ["the left dog", "dog on left", "man in red"]
    assert [s.sample_id for s in samples] == ["1-11", "1-12", "2-21"]
    assert first.image_id == "1" and first.subsets == ()
    assert all(s.is_sentence is False for s in samples)  # referring phrases: LISA's phrase template
    assert first.extra == {"ref_id": 1, "ann_id": 101, "category_id": 18}
    assert isinstance(first.image, ImageSource)
    assert first.image.path == refer_root / "images/mscoco/images/train2014" / file_name(1)  # instances.json's name
    assert first.load_image().shape == (20, 30, 3)


def test_masks_polygon_overlap_compressed_and_uncompressed_rle(refer_root: Path) -> None:
    val = RefCOCOSuite().load("val", str(refer_root)).samples
    polygon = val[0].load_gt_mask()
    assert polygon.dtype == np.uint8 and polygon.shape == (20, 30)
    assert polygon[5, 5] == 1 and polygon[15, 15] == 1 and polygon[10, 10] == 2  # summed, not merged
    assert polygon[0, 0] == 0 and polygon[5, 25] == 0 and polygon.max() == 2
    np.testing.assert_array_equal(val[2].load_gt_mask(), compressed_mask())
    test_a = RefCOCOSuite().load("testA", str(refer_root)).samples
    np.testing.assert_array_equal(test_a[0].load_gt_mask(), uncompressed_mask())


def test_loading_is_lazy_and_samples_pickle(refer_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_decode = refcoco.decode_coco_segmentation
    monkeypatch.setattr(refcoco, "decode_coco_segmentation", lambda *a: calls.append(1) or real_decode(*a))
    load = RefCOCOSuite().load("val", str(refer_root))
    assert calls == []
    image_path = refer_root / "images/mscoco/images/train2014" / file_name(2)
    image_path.unlink()  # images are read only when asked for
    with pytest.raises(BadSampleError, match=file_name(2)):
        load.samples[2].load_image()
    restored = pickle.loads(pickle.dumps(load.samples[0]))
    assert restored.load_gt_mask().max() == 2 and calls == [1]


def test_dataset_folder_itself_and_default_root(refer_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(RefCOCOgSuite().load("test", str(refer_root / "refcocog")).samples) == 2
    monkeypatch.setenv("WISEBENCH_DATA", str(refer_root.parent))
    assert len(RefCOCOSuite().load("testA", None).samples) == 3
    with pytest.raises(DatasetFormatError, match="refcoco\\+ folder"):
        RefCOCOSuite().load("val", str(refer_root / "refcoco+"))


def test_json_refs_alternative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_dataset(tmp_path, "refcoco", "unc", unc_refs(), as_json=True)
    write_images(tmp_path / "train2014")
    load = RefCOCOSuite().load("testA", str(tmp_path))
    assert [s.query for s in load.samples] == ["car", "white car", "the car"]
    assert load_plain_data(tmp_path / "refcoco" / "refs(unc).json") == unc_refs()
    (tmp_path / "refcoco" / "refs(unc).p").write_bytes(pickle.dumps(CallsEval(), protocol=2))
    assert len(RefCOCOSuite().load("val", str(tmp_path)).samples) == 3  # the JSON wins: the pickle is never opened


def test_coco_images_env_override(refer_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "somewhere"
    write_images(elsewhere)
    monkeypatch.setenv(refcoco.COCO_IMAGES_ENV, str(elsewhere))
    assert RefCOCOSuite().load("val", str(refer_root)).samples[0].image.path == elsewhere / file_name(1)


def test_missing_folder_names_path_and_expected_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DatasetNotFoundError) as error:
        RefCOCOSuite().load("val", str(tmp_path / "nowhere"))
    message = str(error.value)
    assert str(tmp_path / "nowhere" / "refcoco") in message
    assert "refs(unc).p" in message and "instances.json" in message and "LISA" in message
    assert "Ricky06662/refcoco_val" in message
    monkeypatch.setenv("WISEBENCH_DATA", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match="refs\\(umd\\)"):
        RefCOCOgSuite().load("val", None)


def test_missing_instances_and_missing_images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(refcoco.COCO_IMAGES_ENV, raising=False)
    dataset_dir = write_dataset(tmp_path, "refcoco", "unc", unc_refs())
    with pytest.raises(DatasetNotFoundError, match="train2014") as error:
        RefCOCOSuite().load("val", str(tmp_path))
    assert file_name(1) in str(error.value)
    (dataset_dir / "instances.json").unlink()
    with pytest.raises(DatasetNotFoundError, match="instances.json"):
        RefCOCOSuite().load("val", str(tmp_path))


def test_bad_entries_with_and_without_skip_bad(tmp_path: Path) -> None:
    refs = unc_refs()
    refs.append(ref(6, 999, 1, "val", [sentence(61, "ghost")]))  # annotation absent from instances.json
    broken = ref(7, 101, 1, "val", [sentence(71, "broken")])
    del broken["sentences"]
    refs.append(broken)
    write_dataset(tmp_path, "refcoco", "unc", refs)
    write_images(tmp_path / "train2014")
    with pytest.raises(BadSampleError, match="annotation 999") as error:
        RefCOCOSuite().load("val", str(tmp_path))
    assert "instances.json" in str(error.value) and "ref 6" in str(error.value)
    load = RefCOCOSuite().load("val", str(tmp_path), skip_bad=True)
    assert len(load.samples) == 3
    assert [Path(item["path"]).name for item in load.skipped] == ["instances.json", "refs(unc).p"]
    assert "999" in load.skipped[0]["problem"] and "sentences" in load.skipped[1]["problem"]


def test_undecodable_segmentation_names_file_and_annotation(tmp_path: Path) -> None:
    write_dataset(tmp_path, "refcoco", "unc", unc_refs())
    data = instances()
    data["annotations"][0]["segmentation"] = "not a segmentation"
    (tmp_path / "refcoco" / "instances.json").write_text(json.dumps(data))
    write_images(tmp_path / "train2014")
    sample = RefCOCOSuite().load("val", str(tmp_path)).samples[0]
    with pytest.raises(BadSampleError, match="annotation 101") as error:
        sample.load_gt_mask()
    assert "instances.json" in str(error.value)


# ---------------------------------------------------------------- restricted unpickler


class RunsCommand:
    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class CallsEval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


def test_malicious_pickle_is_refused_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    dataset_dir = write_dataset(tmp_path, "refcoco", "unc", [])
    refs_path = dataset_dir / "refs(unc).p"
    refs_path.write_bytes(pickle.dumps([{"ref_id": 1, "x": RunsCommand(f"touch {marker}")}], protocol=2))
    with pytest.raises(DatasetFormatError) as error:
        RefCOCOSuite().load("val", str(tmp_path))
    assert not marker.exists()
    message = str(error.value)
    assert str(refs_path) in message and "system" in message and "JSON" in message
    evil = tmp_path / "eval.p"
    evil.write_bytes(pickle.dumps(CallsEval(), protocol=0))
    with pytest.raises(DatasetFormatError, match=r"(__builtin__|builtins)\.eval"):
        load_restricted_pickle(evil)


def test_corrupt_pickle_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "refs(unc).p"
    path.write_bytes(b"\x80\x02]q\x00(K\x01")  # truncated
    with pytest.raises(DatasetFormatError, match="not a readable pickle"):
        load_restricted_pickle(path)


def py2_pickle(value) -> bytes:
    """A protocol-2 pickle as Python 2 wrote it: `str` as SHORT_BINSTRING/BINSTRING bytes (UTF-8 here)."""
    out = bytearray(b"\x80\x02")

    def emit(item) -> None:
        if isinstance(item, str):
            raw = item.encode("utf-8")
            out.extend((b"U" + bytes([len(raw)])) if len(raw) < 256 else (b"T" + struct.pack("<I", len(raw))))
            out.extend(raw)
        elif isinstance(item, bool):
            out.extend(b"\x88" if item else b"\x89")
        elif isinstance(item, int):
            out.extend(b"J" + struct.pack("<i", item))
        elif item is None:
            out.extend(b"N")
        elif isinstance(item, list):
            out.extend(b"](")
            for element in item:
                emit(element)
            out.extend(b"e")
        elif isinstance(item, dict):
            out.extend(b"}(")
            for key, element in item.items():
                emit(key)
                emit(element)
            out.extend(b"u")
        else:
            raise TypeError(type(item))

    emit(value)
    out.extend(b".")
    return bytes(out)


def test_python2_pickle_loads_as_str(tmp_path: Path) -> None:
    refs = unc_refs()
    refs[0]["sentences"][0]["sent"] = "the café dog"
    path = tmp_path / "refs(unc).p"
    path.write_bytes(py2_pickle(refs))
    assert isinstance(pickle.loads(path.read_bytes(), encoding="bytes")[0][b"split"], bytes)  # really py2-style
    loaded = load_restricted_pickle(path)
    assert loaded == refs


# ---------------------------------------------------------------- HF copies


@pytest.fixture
def hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf_cache")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return datasets


def png_bytes(height: int, width: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def ricky_dataset(datasets):
    masks = [np.zeros((20, 30), bool), compressed_mask().astype(bool)]
    masks[0][2:6, 3:9] = True
    features = datasets.Features({
        "image": datasets.Image(), "text": datasets.Value("string"),
        "mask": datasets.Sequence(datasets.Sequence(datasets.Value("bool"))),
        "image_id": datasets.Value("string"), "ann_id": datasets.Value("string"),
        "img_height": datasets.Value("int64"), "img_width": datasets.Value("int64"),
        "bbox": datasets.Sequence(datasets.Value("int64")),
    })
    return datasets.Dataset.from_dict({
        "image": [{"bytes": png_bytes(20, 30), "path": None}, {"bytes": png_bytes(24, 24), "path": None}],
        "text": ["The Left Dog", "man in red"], "mask": [m.tolist() for m in masks],
        "image_id": ["COCO_train2014_000000000001", "COCO_train2014_000000000002"], "ann_id": ["101", "102"],
        "img_height": [20, 24], "img_width": [30, 24], "bbox": [[3, 2, 9, 6], [4, 3, 15, 9]],
    }, features=features), masks


def lmms_dataset(datasets):
    features = datasets.Features({
        "question_id": datasets.Value("string"), "image": datasets.Image(), "question": datasets.Value("string"),
        "answer": datasets.Sequence(datasets.Value("string")), "segmentation": datasets.Sequence(datasets.Value("float32")),
        "bbox": datasets.Sequence(datasets.Value("float32")), "iscrowd": datasets.Value("int64"),
        "file_name": datasets.Value("string"),
    })
    return datasets.Dataset.from_dict({
        "question_id": ["101", "102"],
        "image": [{"bytes": png_bytes(20, 30), "path": None}, {"bytes": png_bytes(24, 24), "path": None}],
        "question": ["Please carefully observe the area circled in the image and come up with a caption for the area."] * 2,
        "answer": [["The Left Dog", "dog on left"], ["man in red"]],
        "segmentation": [[2, 2, 12, 2, 12, 12, 2, 12], [4, 3, 15, 3, 15, 9, 4, 9]],
        "bbox": [[2, 2, 10, 10], [4, 3, 11, 6]], "iscrowd": [0, 0],
        "file_name": [file_name(1), file_name(2)],
    }, features=features)


@pytest.mark.parametrize("storage", ["save_to_disk", "parquet"])
def test_hf_ricky_layout(hf_env, tmp_path: Path, storage: str) -> None:
    dataset, masks = ricky_dataset(hf_env)
    source = tmp_path / "refcoco_val"
    if storage == "save_to_disk":
        dataset.save_to_disk(str(source))
    else:
        source.mkdir()
        dataset.to_parquet(str(source / "val-00000-of-00001.parquet"))
    load = RefCOCOSuite().load("val", str(source))
    assert [s.sample_id for s in load.samples] == ["COCO_train2014_000000000001-101", "COCO_train2014_000000000002-102"]
    assert [s.query for s in load.samples] == ["the left dog", "man in red"]
    assert all(s.is_sentence is False for s in load.samples)
    for sample, mask in zip(load.samples, masks):
        np.testing.assert_array_equal(sample.load_gt_mask(), mask.astype(np.uint8))
    assert load.samples[0].load_image().shape == (20, 30, 3)
    with pytest.raises(DatasetFormatError, match="val"):
        RefCOCOSuite().load("testA", str(source))  # a single-split copy must not be relabelled


@pytest.mark.parametrize("storage", ["save_to_disk", "parquet"])
def test_hf_lmms_layout(hf_env, tmp_path: Path, storage: str) -> None:
    dataset = lmms_dataset(hf_env)
    source = tmp_path / "RefCOCO"
    if storage == "save_to_disk":
        hf_env.DatasetDict({"val": dataset.select([1]), "testA": dataset}).save_to_disk(str(source))
    else:
        source.mkdir()
        dataset.to_parquet(str(source / "testA-00000-of-00001.parquet"))
    load = RefCOCOSuite().load("testA", str(source))
    assert [s.sample_id for s in load.samples] == ["101-0", "101-1", "102-0"]
    assert [s.query for s in load.samples] == ["the left dog", "dog on left", "man in red"]
    assert all(s.is_sentence is False for s in load.samples)
    assert load.samples[0].image_id == Path(file_name(1)).stem
    first = load.samples[0].load_gt_mask()
    assert first.shape == (20, 30) and first[5, 5] == 1 and first[15, 15] == 0
    np.testing.assert_array_equal(load.samples[2].load_gt_mask(), compressed_mask())
    assert pickle.loads(pickle.dumps(load.samples[2])).load_gt_mask().sum() == compressed_mask().sum()
    if storage == "save_to_disk":
        assert len(RefCOCOSuite().load("val", str(source)).samples) == 1


def test_hf_unknown_layout(hf_env, tmp_path: Path) -> None:
    source = tmp_path / "odd"
    hf_env.Dataset.from_dict({"picture": ["a"], "caption": ["b"]}).save_to_disk(str(source))
    with pytest.raises(DatasetFormatError) as error:
        RefCOCOSuite().load("val", str(source))
    message = str(error.value)
    assert "picture" in message and "caption" in message and "Ricky06662" in message and "lmms-lab" in message


# ---------------------------------------------------------------- hostile refs files (issue 17)


def self_referencing_pickle() -> bytes:
    loop: list = []
    loop.append(loop)
    return pickle.dumps(loop, protocol=2)


def deep_pickle(depth: int = 200_000) -> bytes:
    """A list inside a list ... `depth` times: the unpickler builds it without recursion, a naive walk overflows."""
    return b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."


def huge_length_pickle() -> bytes:
    """BINUNICODE8 announcing 2**60 bytes (four follow)."""
    return b"\x80\x04\x8d" + struct.pack("<Q", 2**60) + b"abcd."


def shared_reference_pickle(levels: int = 40) -> bytes:
    """Each level a list holding the previous one twice: under 300 bytes that mean 2**40 strings if copied."""
    nested: list = [b"a refs file"]
    for _ in range(levels):
        nested = [nested, nested]
    return pickle.dumps(nested, protocol=3)


@pytest.mark.parametrize(
    "payload, problem",
    [
        (self_referencing_pickle(), "contains itself"),
        (deep_pickle(), "nests deeper than 100 levels"),
        (huge_length_pickle(), "pickle data was truncated"),
        (shared_reference_pickle(), "expands to more than 25,000,000 items"),
    ],
    ids=["self-referencing", "200k deep", "huge length", "shared references"],
)
def test_hostile_refs_pickles_are_named_errors(tmp_path: Path, capsys, payload: bytes, problem: str) -> None:
    import tracemalloc

    from wisebench.cli import main

    dataset_dir = write_dataset(tmp_path, "refcoco", "unc", [])
    refs_path = dataset_dir / "refs(unc).p"
    refs_path.write_bytes(payload)
    assert len(payload) < 450_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetFormatError) as error:
            load_restricted_pickle(refs_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refs_path) in str(error.value) and problem in str(error.value)
    assert peak < 200 * 1024**2  # the 219-byte case once reached 3.8 GB
    code = main(["run", "--model", "oracle", "--suite", "refcoco", "--data-dir", str(tmp_path), "--out", str(tmp_path / "runs"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and str(refs_path) in err and problem in err and "internal error" not in err


def test_shared_references_stay_shared_and_legitimate_sharing_loads(tmp_path: Path) -> None:
    """Python 2's pickler memoizes repeated objects (the same split string, the same tokens list): such a file
    loads, and one decoded object stands for each shared one."""
    tokens = [b"the", b"dog"]
    split = b"val"
    refs = [{b"split": split, b"tokens": tokens, b"ref_id": index} for index in range(3)]
    path = tmp_path / "refs(unc).p"
    path.write_bytes(pickle.dumps(refs, protocol=3))
    loaded = load_restricted_pickle(path)
    assert loaded == [{"split": "val", "tokens": ["the", "dog"], "ref_id": index} for index in range(3)]
    assert loaded[0]["tokens"] is loaded[2]["tokens"]


@pytest.mark.parametrize("name", ["instances.json", "refs(unc).json"])
def test_deeply_nested_or_folder_json_files(tmp_path: Path, name: str) -> None:
    dataset_dir = write_dataset(tmp_path, "refcoco", "unc", unc_refs(), as_json=True)
    (dataset_dir / name).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DatasetFormatError, match="nested too deeply") as error:
        RefCOCOSuite().load("val", str(tmp_path))
    assert name in str(error.value)
    (dataset_dir / name).unlink()
    (dataset_dir / name).mkdir()
    with pytest.raises(DatasetNotFoundError) as missing:  # a folder where the file should be: the file is missing
        RefCOCOSuite().load("val", str(tmp_path))
    assert name in str(missing.value) or "refs(unc).p" in str(missing.value)


def test_empty_sentence_and_absurd_image_size_are_bad_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refs = unc_refs()
    refs[0]["sentences"][0]["sent"] = "   "
    write_dataset(tmp_path, "refcoco", "unc", refs)
    write_images(tmp_path / "images" / "mscoco" / "images" / "train2014")
    with pytest.raises(BadSampleError, match=r"sentence .* the text is empty"):
        RefCOCOSuite().load("val", str(tmp_path))
    skipped = RefCOCOSuite().load("val", str(tmp_path), skip_bad=True).skipped
    # One entry per sentence of the skipped ref, each naming its sample: the split's size stays known.
    assert [entry["sample_id"] for entry in skipped] == ["1-11", "1-12"] and all("refs(unc).p" in entry["path"] for entry in skipped)
    huge = instances()
    huge["images"][0].update(height=10**6, width=10**6)
    (tmp_path / "refcoco" / "instances.json").write_text(json.dumps(huge))
    write_dataset(tmp_path, "refcoco", "unc", unc_refs())
    (tmp_path / "refcoco" / "instances.json").write_text(json.dumps(huge))
    with pytest.raises(BadSampleError, match="1000000 x 1000000 pixels, over the pixel limit"):
        RefCOCOSuite().load("val", str(tmp_path))
