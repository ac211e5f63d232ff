"""Hugging Face `datasets` copies of the benchmarks (Ricky06662/ReasonSeg_val, lmms-lab/RefCOCO, ...).

A source is a hub id, or a local copy: a folder written by `save_to_disk`, a downloaded hub snapshot (parquet
files, e.g. data/test-00000-of-00001.parquet) or a single parquet file. Rows are read lazily: a Sample keeps
(table, row index) and decodes its image and mask only when asked, so a 779-row split with full-size masks
does not sit in memory. Images are kept as encoded bytes (decode=False) and decoded by ImageSource.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wisebench.data.images import open_image
from wisebench.data.sample import ImageSource, query_problem
from wisebench.errors import BadSampleError, DatasetFormatError, DatasetNotFoundError, WisebenchError
from wisebench.hub import hf_datasets_cache


def _require_datasets():
    try:
        import datasets
    except ImportError as error:  # the core install stays light; HF copies need the extra
        raise WisebenchError(
            "reading Hugging Face dataset copies needs the `datasets` package: pip install 'wisebench[hf]'"
        ) from error
    return datasets


def looks_like_hf_source(source: str) -> bool:
    """True for a local HF copy (save_to_disk folder, parquet snapshot or file) or an `owner/name` hub id."""
    path = Path(source).expanduser()
    if path.is_file():
        return path.suffix == ".parquet"
    if path.is_dir():
        return (path / "dataset_dict.json").exists() or (path / "state.json").exists() or bool(_parquet_files(path))
    parts = source.split("/")
    return len(parts) == 2 and all(parts) and not source.startswith((".", "~"))


def _parquet_files(folder: Path) -> list[Path]:
    """Parquet files of a hub snapshot: at the top, or one or two folders down (data/, data/<split>/).
    Not a full tree walk: a data folder may also hold tens of thousands of images."""
    found: list[Path] = []
    for pattern in ("*.parquet", "*/*.parquet", "*/*/*.parquet"):
        found += folder.glob(pattern)
    return sorted(found)


def _split_files(files: list[Path], split: str) -> list[Path]:
    """A snapshot with several splits names them data/<split>-00000-of-00001.parquet or <split>/...;
    keep the requested split's files. A snapshot of a single split keeps all its files."""
    def split_of(file: Path) -> str:
        return file.name.split("-")[0] if "-" in file.name else file.parent.name

    splits = {split_of(file) for file in files}
    if len(splits) <= 1:
        return files
    chosen = [file for file in files if split_of(file) == split]
    if not chosen:
        raise DatasetFormatError(files[0].parent, f"holds splits {', '.join(sorted(splits))} but not {split!r}")
    return chosen


@dataclass
class HFTable:
    """One split of an HF dataset copy, opened on first use (and re-opened after pickling)."""

    source: str
    split: str
    _dataset: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {"source": self.source, "split": self.split, "_dataset": None}

    def dataset(self):
        if self._dataset is None:
            self._dataset = _open(self.source, self.split)
        return self._dataset

    def __len__(self) -> int:
        return len(self.dataset())

    def column_names(self) -> list[str]:
        return list(self.dataset().column_names)

    def row(self, index: int) -> dict[str, Any]:
        return self.dataset()[index]

    def column(self, name: str) -> list[Any]:
        """A light column (text, ids) for building samples without touching images or masks."""
        return list(self.dataset()[name])

    def origin(self, index: int) -> str:
        return f"{self.source} [{self.split}] row {index}"

    def require_columns(self, required: tuple[str, ...]) -> None:
        missing = [name for name in required if name not in self.column_names()]
        if missing:
            raise DatasetFormatError(
                self.source,
                f"HF copy lacks column(s) {', '.join(missing)}; it has {', '.join(self.column_names())} "
                f"(expected {', '.join(required)})",
            )


def _open(source: str, split: str):
    datasets = _require_datasets()
    path = Path(source).expanduser()
    try:
        if path.is_dir() and ((path / "dataset_dict.json").exists() or (path / "state.json").exists()):
            loaded = datasets.load_from_disk(str(path))
        elif path.is_dir() or path.is_file():
            files = [str(path)] if path.is_file() else [str(p) for p in _split_files(_parquet_files(path), split)]
            if not files:
                raise DatasetNotFoundError(path, "a `save_to_disk` folder or parquet files of the HF copy", "")
            loaded = datasets.load_dataset("parquet", data_files={"data": files}, split="data")
        else:
            loaded = datasets.load_dataset(source)
    except WisebenchError:
        raise
    except FileNotFoundError as error:
        raise DatasetNotFoundError(
            source, "a local copy or a reachable hub dataset", f"Nothing in the HF cache ({hf_datasets_cache()}): {error}"
        ) from error
    except Exception as error:  # datasets raises many types offline (ConnectionError, OfflineModeIsEnabled, ...)
        raise DatasetNotFoundError(
            source,
            "a local copy (save_to_disk folder or parquet snapshot) or a hub id reachable online",
            f"Could not load it ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}); "
            f"the HF cache searched is {hf_datasets_cache()}. Download it where you have network "
            f"(huggingface-cli download --repo-type dataset {source} --local-dir DIR) and pass --data-dir DIR.",
        ) from error
    if isinstance(loaded, datasets.DatasetDict):
        names = list(loaded.keys())
        chosen = split if split in loaded else (names[0] if len(names) == 1 else None)
        if chosen is None:
            raise DatasetFormatError(source, f"has splits {', '.join(names)} but not {split!r}")
        loaded = loaded[chosen]
    if "image" in loaded.column_names:
        loaded = loaded.cast_column("image", datasets.Image(decode=False))
    return loaded


def image_from_cell(cell: Any, origin: str) -> ImageSource:
    """An HF image cell ({"bytes", "path"} with decode=False, raw bytes, or a PIL image) as an ImageSource."""
    if isinstance(cell, dict):
        if cell.get("bytes"):
            return ImageSource(data=bytes(cell["bytes"]), label=origin)
        if cell.get("path") and Path(cell["path"]).exists():
            return ImageSource(path=Path(cell["path"]))
    if isinstance(cell, (bytes, bytearray)):
        return ImageSource(data=bytes(cell), label=origin)
    if hasattr(cell, "save"):  # a decoded PIL image
        buffer = io.BytesIO()
        cell.save(buffer, format="PNG")
        return ImageSource(data=buffer.getvalue(), label=origin)
    raise BadSampleError(origin, f"image cell of type {type(cell).__name__} holds no image bytes")


def mask_from_cell(cell: Any, origin: str) -> np.ndarray:
    """An HF mask cell (nested lists of bool, an array, or an image) as a 0/1 uint8 H x W array.

    In the Seg-Zero conversions ignore pixels already became foreground: the mask is binary. An undecodable cell
    is a BadSampleError naming the row, so --skip-bad can skip it."""
    try:
        return _decode_mask_cell(cell, origin)
    except BadSampleError:
        raise
    except (OSError, ValueError, TypeError) as error:  # bad image bytes, ragged lists
        raise BadSampleError(origin, f"cannot decode the mask: {error}") from error


def query_from_cell(cell: Any, origin: str) -> str:
    """The query of a row: the text itself, or the first of a list of texts; empty or invalid text is a bad sample."""
    text = cell[0] if isinstance(cell, list) and cell else cell
    problem = query_problem(text)
    if problem:
        raise BadSampleError(origin, f"the query text {problem}")
    return text


def query_or_skip(cell: Any, origin: str, sample_id: str, skip_bad: bool, skipped: list[dict]) -> str | None:
    """The row's query; a bad one raises, or under --skip-bad is listed in `skipped` and gives None."""
    try:
        return query_from_cell(cell, origin)
    except BadSampleError as error:
        if not skip_bad:
            raise
        skipped.append({"sample_id": sample_id, "path": error.path, "problem": error.problem})
        return None


def check_named_split(source: str, split: str) -> None:
    """The Seg-Zero HF copies hold one split in a single-split dataset (ReasonSeg_test's split is named "test",
    refcoco_val's too): refuse to score a copy named for one split as another."""
    import re

    match = re.search(r"_(val|test|testa|testb)$", Path(source.rstrip("/")).name, re.IGNORECASE)
    if match and match.group(1).lower() != split.lower():
        raise DatasetFormatError(source, f"holds the {match.group(1)} split, but split {split!r} was asked for")


def _decode_mask_cell(cell: Any, origin: str) -> np.ndarray:
    if isinstance(cell, dict) and (cell.get("bytes") or cell.get("path")):
        cell = ImageSource(data=cell.get("bytes"), path=None if cell.get("bytes") else Path(cell["path"]), label=origin)
    if isinstance(cell, ImageSource):
        with open_image(cell.data or cell.path, origin) as raw:
            array = np.asarray(raw)
        array = array[..., 0] if array.ndim == 3 else array
    elif hasattr(cell, "save"):
        array = np.asarray(cell)
        array = array[..., 0] if array.ndim == 3 else array
    else:
        array = np.asarray(cell)
    if array.ndim != 2:
        raise BadSampleError(origin, f"mask cell has shape {array.shape}, expected H x W")
    return (array != 0).astype(np.uint8)


@dataclass(frozen=True)
class HFImage:
    """The image of one row, fetched from the table on demand."""

    table: HFTable
    index: int
    column: str = "image"

    def origin(self) -> str:
        return self.table.origin(self.index)

    def load(self) -> np.ndarray:
        return image_from_cell(self.table.row(self.index)[self.column], self.origin()).load()


@dataclass(frozen=True)
class HFMask:
    """The mask of one row, fetched from the table on demand."""

    table: HFTable
    index: int
    column: str = "mask"

    def origin(self) -> str:
        return self.table.origin(self.index)

    def load(self) -> np.ndarray:
        return mask_from_cell(self.table.row(self.index)[self.column], self.origin())
