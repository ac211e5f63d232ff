"""ReasonSeg (LISA): folder ReasonSeg/{train,val,test}/<name>.jpg + <name>.json, or its HF copies.

Facts (shared/reference/datasets.md): val/test use one query per image (text[0]); "is_sentence" defines the
long/short subsets; masks are rasterized from the labelme-style shapes by masks.rasterize_lisa_shapes.
The HF copies (Ricky06662/ReasonSeg_val, ReasonSeg_test) hold a binary mask where ignore pixels became
foreground, and no is_sentence column, so they only give the "overall" subset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wisebench.data import hf
from wisebench.data.images import format_mismatch, open_image
from wisebench.data.lisa_annotation import check_points_near_image, read_annotation_json
from wisebench.data.masks import rasterize_lisa_shapes
from wisebench.data.sample import ImageSource, Sample
from wisebench.data.suite import Suite, SuiteLoad, default_data_root
from wisebench.errors import BadSampleError, DatasetNotFoundError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG")
HF_COPIES = {"val": "Ricky06662/ReasonSeg_val", "test": "Ricky06662/ReasonSeg_test"}


def oriented_size(image_path: Path) -> tuple[int, int]:
    """(height, width) after EXIF orientation, read from the header only (and checked against the pixel limit)."""
    with open_image(image_path, str(image_path)) as image:
        width, height = image.size
        orientation = image.getexif().get(0x0112, 1)
    if orientation in (5, 6, 7, 8):  # rotated by 90 degrees: the annotation tool saw it transposed
        width, height = height, width
    return height, width


@dataclass(frozen=True)
class LisaPolygonMask:
    """Mask of one ReasonSeg annotation, rasterized at the (oriented) image size on demand."""

    json_path: Path
    image_path: Path

    def origin(self) -> str:
        return str(self.json_path)

    def load(self) -> np.ndarray:
        shapes = read_annotation_json(self.json_path)["shapes"]
        height, width = oriented_size(self.image_path)
        check_points_near_image(shapes, height, width, self.json_path)
        return rasterize_lisa_shapes(shapes, height, width)


def find_reasonseg_root(data_dir: str | None, suite: str) -> Path:
    """The ReasonSeg/ folder: --data-dir may name it or the folder holding it."""
    base = Path(data_dir).expanduser() if data_dir else default_data_root()
    for candidate in (base / "ReasonSeg", base):
        if any((candidate / split).is_dir() for split in ("train", "val", "test")):
            return candidate
    raise DatasetNotFoundError(
        base,
        "a ReasonSeg folder (ReasonSeg/{val,test}/<name>.jpg + <name>.json, or the ReasonSeg/ folder itself)",
        f"Get ReasonSeg from LISA's README (dvlab-research/LISA, 'ReasonSeg' download) and pass --data-dir, "
        f"or pass --data-dir {HF_COPIES['val']} (or a local copy of it) for the HF copy. "
        f"The default location is $WISEBENCH_DATA or {default_data_root()}. "
        f"`wisebench run --suite reasonseg-mini` runs offline on the bundled sample suite.",
    )


def load_lisa_folder(root: Path, split: str, skip_bad: bool) -> SuiteLoad:
    """Every <name>.json of root/split with its image; val/test take text[0], train every text. An image without
    its annotation is a bad entry too (it would otherwise vanish from the split unnoticed)."""
    folder = root / split
    if not folder.is_dir():
        raise DatasetNotFoundError(folder, f"the {split} split folder of ReasonSeg (<name>.jpg + <name>.json)", "")
    json_paths = sorted(folder.glob("*.json"))
    if not json_paths:
        raise DatasetNotFoundError(folder, "<name>.json annotations beside <name>.jpg images", "")
    samples: list[Sample] = []
    skipped: list[dict] = []
    notes: list[dict] = []

    def bad_entry(name: str, error: BadSampleError, is_sample: bool = True) -> None:
        if not skip_bad:
            raise error
        skipped.append({"sample_id": name, "path": error.path, "problem": error.problem, **({} if is_sample else {"not_a_sample": True})})

    for image_path in orphan_images(folder, json_paths):  # no annotation: not one of the split's samples
        bad_entry(image_path.stem, BadSampleError(image_path, f"image without its annotation {image_path.stem}.json"), is_sample=False)
    for json_path in json_paths:
        try:
            image_path = _image_beside(json_path)
            annotation = read_annotation_json(json_path)
        except BadSampleError as error:
            bad_entry(json_path.stem, error)
            continue
        mismatch = format_mismatch(image_path)
        if mismatch:  # loads all the same (decoders sniff the bytes, as LISA's cv2.imread does); noted in run.json
            notes.append({"sample_id": json_path.stem, "path": str(image_path), "note": mismatch})
        texts = annotation["text"] if split == "train" else annotation["text"][:1]
        length = "long" if annotation["is_sentence"] else "short"
        for index, text in enumerate(texts):
            samples.append(
                Sample(
                    sample_id=json_path.stem if len(texts) == 1 else f"{json_path.stem}#{index}",
                    image_id=json_path.stem,
                    query=text,
                    image=ImageSource(path=image_path),
                    gt=LisaPolygonMask(json_path=json_path, image_path=image_path),
                    subsets=(length,),
                    is_sentence=annotation["is_sentence"],
                    extra={"image_format_note": mismatch} if mismatch else {},
                )
            )
    return SuiteLoad(samples=samples, skipped=sorted(skipped, key=lambda entry: entry["sample_id"]), source=str(folder), notes=notes)


def orphan_images(folder: Path, json_paths: list[Path]) -> list[Path]:
    """Images of the folder whose stem has no <stem>.json."""
    annotated = {path.stem for path in json_paths}
    return sorted(path for path in folder.iterdir() if path.suffix in IMAGE_SUFFIXES and path.stem not in annotated)


def _image_beside(json_path: Path) -> Path:
    for suffix in IMAGE_SUFFIXES:
        candidate = json_path.with_suffix(suffix)
        if candidate.exists() or candidate.is_symlink():  # a dangling link is reported when read, by name
            return candidate
    raise BadSampleError(json_path, f"no image {json_path.stem}.jpg beside the annotation")


def load_hf_copy(source: str, split: str, skip_bad: bool = False) -> SuiteLoad:
    """Rows of the Seg-Zero HF conversion; sample id = image_id (the image file stem)."""
    table = hf.HFTable(source=source, split=split)
    table.require_columns(("image", "text", "mask", "image_id"))
    columns = table.column_names()
    image_ids = [str(value) for value in table.column("image_id")]
    texts = table.column("text")
    sentence_flags = table.column("is_sentence") if "is_sentence" in columns else [None] * len(texts)
    samples = []
    skipped: list[dict] = []
    seen: set[str] = set()
    for index, (image_id, text, is_sentence) in enumerate(zip(image_ids, texts, sentence_flags)):
        sample_id = image_id if image_id not in seen else f"{image_id}#{index}"
        seen.add(sample_id)
        query = hf.query_or_skip(text, table.origin(index), sample_id, skip_bad, skipped)
        if query is None:
            continue
        subsets = () if is_sentence is None else ("long" if is_sentence else "short",)
        samples.append(
            Sample(
                sample_id=sample_id,
                image_id=image_id,
                query=query,
                image=hf.HFImage(table, index),
                gt=hf.HFMask(table, index),
                subsets=subsets,
                is_sentence=is_sentence,
            )
        )
    return SuiteLoad(samples=samples, skipped=skipped, source=source)


class ReasonSegSuite(Suite):
    name = "reasonseg"
    splits = ("val", "test", "train")
    default_split = "val"
    subsets = ("short", "long")
    description = "ReasonSeg (LISA): 200 val / 779 test images, one implicit query each; subsets short / long"

    def load(self, split: str, data_dir: str | None, skip_bad: bool = False) -> SuiteLoad:
        self.check_split(split)
        if data_dir and not Path(data_dir).expanduser().exists() and not hf.looks_like_hf_source(data_dir):
            raise DatasetNotFoundError(data_dir, "a ReasonSeg folder or an HF copy", self.data_help())
        if data_dir and hf.looks_like_hf_source(data_dir) and not _has_split_folders(data_dir):
            hf.check_named_split(data_dir, split)
            return load_hf_copy(data_dir, split, skip_bad)
        return load_lisa_folder(find_reasonseg_root(data_dir, self.name), split, skip_bad)

    def data_help(self) -> str:
        return (
            "LISA folder layout ReasonSeg/{train,val,test}/<name>.jpg + <name>.json (download from LISA's README), "
            f"or an HF copy: --data-dir {HF_COPIES['val']} / {HF_COPIES['test']} or a local copy of one."
        )


def _has_split_folders(data_dir: str) -> bool:
    """A LISA layout; not a `DatasetDict.save_to_disk` folder, whose test/ or val/ subfolder holds Arrow files."""
    base = Path(data_dir).expanduser()
    if (base / "dataset_dict.json").is_file():
        return False
    return any((base / "ReasonSeg" / s).is_dir() or (base / s).is_dir() for s in ("train", "val", "test"))
