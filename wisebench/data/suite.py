"""The Suite interface: a named benchmark that turns a data location and a split into Samples."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from wisebench.data.sample import Sample
from wisebench.errors import WisebenchError


def default_data_root() -> Path:
    """--data-dir, else $WISEBENCH_DATA, else this folder (the suites say what they expect inside it)."""
    env = os.environ.get("WISEBENCH_DATA")
    if env:
        return Path(env).expanduser()
    return cache_root() / "data"


def cache_root() -> Path:
    env = os.environ.get("WISEBENCH_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wisebench"


@dataclass
class SuiteLoad:
    """What a suite produced for one split: the samples, the bad entries it skipped (only with skip_bad),
    where the data came from (recorded in run.json), and notes on entries that loaded but are odd (a PNG named
    .jpg)."""

    samples: list[Sample]
    skipped: list[dict]  # {"path": ..., "problem": ...}
    source: str
    notes: list[dict] = field(default_factory=list)  # loaded but worth knowing: {"sample_id", "path", "note"}


class Suite(ABC):
    """A benchmark. Subclasses set the class attributes and implement `load`."""

    name: str = ""
    splits: tuple[str, ...] = ()
    default_split: str = ""
    subsets: tuple[str, ...] = ()  # subset names a sample may carry besides "overall"
    description: str = ""
    kind: str = "segmentation"  # or "text" for lm-eval suites

    def check_split(self, split: str) -> None:
        if split not in self.splits:
            raise WisebenchError(f"suite {self.name!r} has no split {split!r}; its splits are: {', '.join(self.splits)}")

    @abstractmethod
    def load(self, split: str, data_dir: str | None, skip_bad: bool = False) -> SuiteLoad:
        """Read the split. `data_dir` is the user's --data-dir (None: the default root). A missing or malformed
        dataset raises DatasetNotFoundError / DatasetFormatError; a bad entry raises BadSampleError unless
        `skip_bad`, in which case it is listed in SuiteLoad.skipped."""

    def data_help(self) -> str:
        """How to get the data, shown in errors and `wisebench list suites`."""
        return ""
