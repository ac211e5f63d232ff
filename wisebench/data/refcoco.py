"""RefCOCO, RefCOCO+ and RefCOCOg (refer API layout), or their HF copies.

Facts (shared/reference/datasets.md): <root>/<dataset>/refs(<splitBy>).p + instances.json, images from COCO
train2014; every sentence of every ref of the split is one sample with query sent.strip().lower(); the mask is
the ref's annotation decoded by pycocotools and summed over polygons (overlaps give 2). The refs pickle is read
with a restricted unpickler (safe_pickle) or as its JSON conversion. The same query normalization is applied to
the HF copies so all sources of one benchmark give the same text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wisebench.data import hf
from wisebench.data.images import max_image_pixels, open_image
from wisebench.data.json_files import read_json_file
from wisebench.data.masks import decode_coco_segmentation
from wisebench.data.safe_pickle import load_plain_data
from wisebench.data.sample import ImageSource, Sample, query_problem
from wisebench.data.suite import Suite, SuiteLoad, default_data_root
from wisebench.errors import BadSampleError, DatasetFormatError, DatasetNotFoundError

COCO_IMAGES_ENV = "WISEBENCH_COCO_IMAGES"
REFER_DATA_URL = "https://github.com/lichengunc/refer (data: bvisionweb1.cs.unc.edu/licheng/referit/data/)"
RICKY_COLUMNS = ("image", "text", "mask", "image_id", "ann_id")  # Seg-Zero conversion, one row per ref
LMMS_COLUMNS = ("image", "answer", "segmentation")  # lmms-lab conversion, answer = list of sentences


def coco_image_candidates(root: Path) -> list[Path]:
    """Where COCO train2014 may sit relative to the folder holding refcoco/ (LISA's layout first)."""
    return [
        root / "images" / "mscoco" / "images" / "train2014",
        root / "images" / "train2014",
        root / "train2014",
        root.parent / "coco" / "train2014",
        root / "coco" / "train2014",
    ]


def _decode(segmentation: Any, height: int, width: int, path: object, what: str) -> np.ndarray:
    try:
        mask = decode_coco_segmentation(segmentation, height, width)
    except Exception as error:  # pycocotools raises bare Exception / TypeError / ValueError on bad input
        problem = f"{what}: cannot decode its segmentation ({type(error).__name__}: {error})"
        raise BadSampleError(path, problem) from error
    if mask.shape != (height, width):  # an RLE whose "size" disagrees with the image
        raise BadSampleError(path, f"{what}: segmentation decodes to {mask.shape}, the image is {(height, width)}")
    return mask


@dataclass(frozen=True)
class CocoAnnotationMask:
    """One instances.json annotation, decoded on demand at the image size recorded in instances.json."""

    instances_path: Path
    ann_id: Any
    height: int
    width: int
    segmentation: Any = field(compare=False, repr=False)

    def origin(self) -> str:
        return f"{self.instances_path} annotation {self.ann_id}"

    def load(self) -> np.ndarray:
        return _decode(self.segmentation, self.height, self.width, self.instances_path, f"annotation {self.ann_id}")


@dataclass(frozen=True)
class HFPolygonMask:
    """A polygon of an lmms-lab row, rasterized at the size of the row's image (read from its header)."""

    table: hf.HFTable
    index: int
    polygon: Any = field(compare=False, repr=False)

    def origin(self) -> str:
        return self.table.origin(self.index)

    def load(self) -> np.ndarray:
        image = hf.image_from_cell(self.table.row(self.index)["image"], self.origin())
        # raw (not EXIF-rotated) size: COCO polygons are in stored-pixel coordinates
        with open_image(image.path if image.path is not None else image.data, self.origin()) as opened:
            width, height = opened.size
        return _decode(self.polygon, height, width, self.origin(), "segmentation")


# ---------------------------------------------------------------- refer layout


def _refs_file(dataset_dir: Path, split_by: str) -> Path | None:
    for suffix in (".json", ".p"):  # the JSON conversion first: it needs no unpickling at all
        candidate = dataset_dir / f"refs({split_by}){suffix}"
        if candidate.is_file():
            return candidate
    return None


def find_dataset_dir(data_dir: str | None, folder: str, split_by: str, how_to_get: str) -> tuple[Path, Path]:
    """(dataset folder, root holding it): --data-dir may name the root (LISA's refer_seg/) or the dataset folder."""
    base = Path(data_dir).expanduser() if data_dir else default_data_root() / "refer_seg"
    expected = f"refs({split_by}).p (or refs({split_by}).json) and instances.json"
    if (base / folder).is_dir():
        dataset_dir, root = base / folder, base
    elif _refs_file(base, split_by) or (base / "instances.json").is_file():
        if base.name in ("refcoco", "refcoco+", "refcocog") and base.name != folder:  # the wrong benchmark's folder
            raise DatasetFormatError(base, f"is the {base.name} folder; this suite reads {folder}/ ({expected})")
        dataset_dir, root = base, base.parent
    else:
        raise DatasetNotFoundError(base / folder, f"a folder {folder}/ holding {expected}", how_to_get)
    for needed in (_refs_file(dataset_dir, split_by), dataset_dir / "instances.json"):
        if needed is None or not needed.is_file():
            missing = needed or dataset_dir / f"refs({split_by}).p"
            raise DatasetNotFoundError(missing, f"{expected} in {dataset_dir}", how_to_get)
    return dataset_dir, root


def find_coco_images(root: Path, probe_file: str, how_to_get: str) -> Path:
    """The COCO train2014 folder: $WISEBENCH_COCO_IMAGES, else the first candidate holding `probe_file`,
    else the first existing candidate (a single missing image is then one bad sample, not a missing dataset)."""
    env = os.environ.get(COCO_IMAGES_ENV)
    candidates = [Path(env).expanduser()] if env else coco_image_candidates(root)
    for candidate in candidates:
        if (candidate / probe_file).is_file():
            return candidate
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise DatasetNotFoundError(
        " or ".join(str(candidate) for candidate in candidates),
        f"the COCO train2014 images (e.g. {probe_file})",
        f"Download train2014 from cocodataset.org (LISA's README puts it in refer_seg/images/mscoco/images/train2014) "
        f"or point ${COCO_IMAGES_ENV} at the folder. {how_to_get}",
    )


def _read_instances(path: Path) -> tuple[dict[Any, dict], dict[Any, dict]]:
    """instances.json as (images by id, annotations by id)."""
    data = read_json_file(path, DatasetFormatError)
    if not isinstance(data, dict) or not all(isinstance(data.get(key), list) for key in ("images", "annotations")):
        raise DatasetFormatError(path, 'expected a COCO object with "images" and "annotations" lists')
    return _by_id(data["images"]), _by_id(data["annotations"])


def _by_id(entries: list) -> dict[Any, dict]:
    return {entry["id"]: entry for entry in entries if isinstance(entry, dict) and "id" in entry}


def _ref_entries(
    ref: Any, index: int, refs_path: Path, instances_path: Path, images: dict, annotations: dict
) -> list[dict]:
    """One validated entry per sentence of a ref; a malformed ref or a missing annotation raises BadSampleError."""
    if not isinstance(ref, dict):
        raise BadSampleError(refs_path, f"entry {index}: expected a dict, found {type(ref).__name__}")
    ref_id = ref.get("ref_id", f"#{index}")
    missing = [key for key in ("ref_id", "ann_id", "image_id", "split", "sentences") if key not in ref]
    if missing:
        raise BadSampleError(refs_path, f"ref {ref_id}: missing key(s) {', '.join(missing)}")
    sentences = ref["sentences"]
    if not isinstance(sentences, list) or not all(
        isinstance(s, dict) and isinstance(s.get("sent"), str) and "sent_id" in s for s in sentences
    ):
        raise BadSampleError(refs_path, f'ref {ref_id}: "sentences" must be a list of {{"sent": str, "sent_id": id}}')
    for sentence in sentences:
        problem = query_problem(sentence["sent"])
        if problem:
            raise BadSampleError(refs_path, f"ref {ref_id} sentence {sentence['sent_id']}: the text {problem}")
    ann = annotations.get(ref["ann_id"])
    if ann is None:
        problem = f"annotation {ref['ann_id']} (used by ref {ref_id} in {refs_path.name}) is absent"
        raise BadSampleError(instances_path, problem)
    if "segmentation" not in ann:
        raise BadSampleError(instances_path, f"annotation {ref['ann_id']} (ref {ref_id}) has no segmentation")
    image = images.get(ref["image_id"])
    sized = image is not None and all(
        isinstance(image.get(key), int) and not isinstance(image[key], bool) and image[key] > 0
        for key in ("height", "width")
    )
    if not sized or not isinstance(image.get("file_name"), str):
        problem = f"image {ref['image_id']} (ref {ref_id}) is absent or lacks file_name/height/width"
        raise BadSampleError(instances_path, problem)
    if image["height"] * image["width"] > max_image_pixels():  # the mask is decoded at this size
        problem = f"image {ref['image_id']} (ref {ref_id}) claims {image['width']} x {image['height']} pixels, over the pixel limit"
        raise BadSampleError(instances_path, problem)
    return [{"ref": ref, "sentence": sentence, "ann": ann, "image": image} for sentence in sentences]


def load_refer_folder(
    folder: str, split_by: str, split: str, data_dir: str | None, skip_bad: bool, how_to_get: str
) -> SuiteLoad:
    dataset_dir, root = find_dataset_dir(data_dir, folder, split_by, how_to_get)
    refs_path = _refs_file(dataset_dir, split_by)
    assert refs_path is not None  # find_dataset_dir checked it
    instances_path = dataset_dir / "instances.json"
    refs = load_plain_data(refs_path)
    if not isinstance(refs, list):
        raise DatasetFormatError(refs_path, f"expected a list of refs, found {type(refs).__name__}")
    images, annotations = _read_instances(instances_path)
    entries: list[dict] = []
    skipped: list[dict] = []
    seen: set[str] = set()
    for index, ref in enumerate(refs):
        if isinstance(ref, dict) and ref.get("split", split) != split:  # a ref without a split is reported as bad
            continue
        try:
            ref_entries = _ref_entries(ref, index, refs_path, instances_path, images, annotations)
            ids = [f"{ref['ref_id']}-{entry['sentence']['sent_id']}" for entry in ref_entries]
            if len(set(ids)) != len(ids) or seen.intersection(ids):
                raise BadSampleError(refs_path, f"ref {ref['ref_id']}: a sent_id repeats, sample ids must be unique")
        except BadSampleError as error:
            if not skip_bad:
                raise
            skipped.extend(_skipped_sentences(ref, {"path": error.path, "problem": error.problem}))
            continue
        seen.update(ids)
        entries.extend(ref_entries)
    splits_found = {str(ref["split"]) for ref in refs if isinstance(ref, dict) and "split" in ref}
    if split not in splits_found:
        raise DatasetFormatError(refs_path, f"has no refs of split {split!r}; its splits are {sorted(splits_found)}")
    samples: list[Sample] = []
    if entries:
        image_folder = find_coco_images(root, entries[0]["image"]["file_name"], how_to_get)
        for entry in entries:
            ref, ann, image = entry["ref"], entry["ann"], entry["image"]
            category_id = ref.get("category_id", ann.get("category_id"))
            size = (image["height"], image["width"])
            samples.append(Sample(
                sample_id=f"{ref['ref_id']}-{entry['sentence']['sent_id']}", image_id=str(ref["image_id"]),
                query=entry["sentence"]["sent"].strip().lower(), is_sentence=False,  # referring phrases
                image=ImageSource(path=image_folder / image["file_name"]),
                gt=CocoAnnotationMask(instances_path, ref["ann_id"], *size, ann["segmentation"]),
                extra={"ref_id": ref["ref_id"], "ann_id": ref["ann_id"], "category_id": category_id},
            ))
    return SuiteLoad(samples=samples, skipped=skipped, source=str(dataset_dir))


# ---------------------------------------------------------------- HF copies


def load_hf_copy(source: str, split: str, skip_bad: bool) -> SuiteLoad:
    """A Seg-Zero conversion (Ricky06662/refcoco_val ...) or an lmms-lab one (lmms-lab/RefCOCO ...)."""
    table = hf.HFTable(source=source, split=split)
    columns = table.column_names()
    if all(name in columns for name in RICKY_COLUMNS):
        return _load_ricky(table, skip_bad)
    if all(name in columns for name in LMMS_COLUMNS):
        return _load_lmms(table, skip_bad)
    raise DatasetFormatError(
        source,
        f"unknown RefCOCO HF layout: it has columns {', '.join(columns)}; accepted are "
        f"(a) Ricky06662/refcoco_val-style: {', '.join(RICKY_COLUMNS)} (+ img_height, img_width, bbox) or "
        f"(b) lmms-lab/RefCOCO-style: question_id, {', '.join(LMMS_COLUMNS)} (+ bbox, iscrowd, file_name)",
    )


def _load_ricky(table: hf.HFTable, skip_bad: bool) -> SuiteLoad:
    samples: list[Sample] = []
    skipped: list[dict] = []
    seen: set[str] = set()
    rows = zip(table.column("image_id"), table.column("ann_id"), table.column("text"))
    for index, (image_id, ann_id, text) in enumerate(rows):
        sample_id = f"{image_id}-{ann_id}"
        sample_id = sample_id if sample_id not in seen else f"{sample_id}#{index}"
        seen.add(sample_id)
        query = hf.query_or_skip(text, table.origin(index), sample_id, skip_bad, skipped)
        if query is None:
            continue
        samples.append(Sample(
            sample_id=sample_id, image_id=str(image_id), query=query.strip().lower(), is_sentence=False,
            image=hf.HFImage(table, index), gt=hf.HFMask(table, index), extra={"ann_id": ann_id},
        ))
    return SuiteLoad(samples=samples, skipped=skipped, source=table.source)


def _skipped_sentences(ref: Any, entry: dict) -> list[dict]:
    """One skip entry per sentence of a bad ref, each with the sample id the sentence would have had, so the split's
    size stays known (the board's published-split check counts them); one entry without ids when even the
    sentences cannot be read."""
    sentences = ref.get("sentences") if isinstance(ref, dict) else None
    if isinstance(sentences, list) and sentences and all(isinstance(sentence, dict) and "sent_id" in sentence for sentence in sentences) and "ref_id" in ref:
        return [{**entry, "sample_id": f"{ref['ref_id']}-{sentence['sent_id']}"} for sentence in sentences]
    return [entry]


def _load_lmms(table: hf.HFTable, skip_bad: bool) -> SuiteLoad:
    columns = table.column_names()
    count = len(table)
    question_ids = table.column("question_id") if "question_id" in columns else list(range(count))
    file_names = table.column("file_name") if "file_name" in columns else [None] * count
    samples: list[Sample] = []
    skipped: list[dict] = []
    seen: set[str] = set()
    rows = zip(question_ids, file_names, table.column("answer"), table.column("segmentation"))
    for index, (question_id, file_name, answer, polygon) in enumerate(rows):
        sentences = [answer] if isinstance(answer, str) else answer
        if not isinstance(sentences, list) or not sentences or any(query_problem(s) for s in sentences):
            if not skip_bad:
                raise BadSampleError(table.origin(index), '"answer" must be a non-empty list of sentences')
            skipped.append({"path": table.origin(index), "problem": '"answer" is not a non-empty list of sentences'})
            continue
        image_id = Path(file_name).stem if file_name else str(question_id)
        row_id = str(question_id) if str(question_id) not in seen else f"{question_id}#{index}"
        seen.add(row_id)
        for number, sentence in enumerate(sentences):
            samples.append(Sample(
                sample_id=f"{row_id}-{number}", image_id=image_id, query=sentence.strip().lower(), is_sentence=False,
                image=hf.HFImage(table, index), gt=HFPolygonMask(table, index, polygon),
                extra={"question_id": question_id},
            ))
    return SuiteLoad(samples=samples, skipped=skipped, source=table.source)


# ---------------------------------------------------------------- suites


class _ReferSuite(Suite):
    default_split = "val"
    folder: str = ""
    split_by: str = ""
    hf_copies: tuple[str, ...] = ()

    def load(self, split: str, data_dir: str | None, skip_bad: bool = False) -> SuiteLoad:
        self.check_split(split)
        if data_dir and self._is_hf_source(data_dir):
            hf.check_named_split(data_dir, split)
            return load_hf_copy(data_dir, split, skip_bad)
        return load_refer_folder(self.folder, self.split_by, split, data_dir, skip_bad, self.data_help())

    def _is_hf_source(self, data_dir: str) -> bool:
        base = Path(data_dir).expanduser()
        native = (base / self.folder).is_dir() or _refs_file(base, self.split_by) or (base / "instances.json").is_file()
        return not native and hf.looks_like_hf_source(data_dir)  # native first: rglob over COCO images is slow

    def data_help(self) -> str:
        return (
            f"Expected the refer layout <data-dir>/{self.folder}/refs({self.split_by}).p (or .json) + instances.json "
            f"(default data dir {default_data_root() / 'refer_seg'}; "
            f"see LISA's README, 'refer_seg', or {REFER_DATA_URL}) "
            f"plus COCO train2014 images (refer_seg/images/mscoco/images/train2014 or ${COCO_IMAGES_ENV}); "
            f"or an HF copy via --data-dir: {', '.join(self.hf_copies)} (or a local save_to_disk/parquet copy)."
        )


class RefCOCOSuite(_ReferSuite):
    name = "refcoco"
    splits = ("val", "testA", "testB")
    description = "RefCOCO (UNC splits): every referring sentence of val / testA / testB is one sample"
    folder, split_by = "refcoco", "unc"
    hf_copies = ("Ricky06662/refcoco_val", "Ricky06662/refcoco_testA", "lmms-lab/RefCOCO")


class RefCOCOPlusSuite(_ReferSuite):
    name = "refcoco+"
    splits = ("val", "testA", "testB")
    description = "RefCOCO+ (UNC splits, no location words): every referring sentence of val / testA / testB"
    folder, split_by = "refcoco+", "unc"
    hf_copies = ("Ricky06662/refcocoplus_val", "Ricky06662/refcocoplus_testA", "lmms-lab/RefCOCOplus")


class RefCOCOgSuite(_ReferSuite):
    name = "refcocog"
    splits = ("val", "test")
    description = "RefCOCOg (UMD splits): every referring sentence of val / test is one sample"
    folder, split_by = "refcocog", "umd"
    hf_copies = ("Ricky06662/refcocog_val", "Ricky06662/refcocog_test", "lmms-lab/RefCOCOg")
