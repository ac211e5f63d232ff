"""ReasonSeg-Diff (PixelThink): ReasonSeg images and masks plus a difficulty score and reference reasoning.

PixelThink published it only on a file-sharing drive, with no text description of its layout, so wisebench
accepts one documented layout and rejects anything else with a message saying what it accepts:

  <data-dir>/ReasonSeg/{val,test}/...            the ReasonSeg folder (as for the `reasonseg` suite)
  <data-dir>/ReasonSeg-Diff/<split>.json|.jsonl  the side file, keyed by image name

The side file is either a JSON object {"<image name>": {fields}} or a list / JSONL of {fields} objects that
name their image. Image key: one of IMAGE_KEYS (with or without the .jpg suffix); difficulty: one of
DIFFICULTY_KEYS (a number in [1, 10]); reference reasoning: SHORT_REASONING_KEYS / LONG_REASONING_KEYS
(optional strings). Bands: easy < 3.5 <= medium < 5.0 <= hard.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from wisebench.data.json_files import read_json_file, read_json_lines
from wisebench.data.lisa_annotation import is_plain_number
from wisebench.data.reasonseg import find_reasonseg_root, load_lisa_folder
from wisebench.data.suite import Suite, SuiteLoad
from wisebench.errors import BadSampleError, DatasetFormatError, DatasetNotFoundError

IMAGE_KEYS = ("image", "image_name", "image_id", "img_name", "file_name", "name")
DIFFICULTY_KEYS = ("difficulty", "difficulty_score", "score")
SHORT_REASONING_KEYS = ("short_reasoning", "reasoning_short", "short_reference_reasoning")
LONG_REASONING_KEYS = ("long_reasoning", "reasoning_long", "long_reference_reasoning", "reasoning")
EASY_BELOW = 3.5
HARD_FROM = 5.0


def difficulty_band(difficulty: float) -> str:
    if difficulty < EASY_BELOW:
        return "easy"
    return "medium" if difficulty < HARD_FROM else "hard"


def _first(entry: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in entry:
            return entry[key]
    return None


def _read_side_file(path: Path) -> list[dict]:
    rows = read_json_lines(path, DatasetFormatError) if path.suffix == ".jsonl" else read_json_file(path, DatasetFormatError)
    if isinstance(rows, dict):  # keyed by image name
        rows = [{"image": name, **fields} for name, fields in rows.items() if isinstance(fields, dict)]
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        raise DatasetFormatError(path, "expected a JSON object keyed by image name, or a list / JSONL of objects")
    return rows


def load_difficulties(path: Path) -> dict[str, dict]:
    """image stem -> {"difficulty", "short_reasoning", "long_reasoning"}; unknown layouts are rejected."""
    table: dict[str, dict] = {}
    for index, row in enumerate(_read_side_file(path)):
        image = _first(row, IMAGE_KEYS)
        difficulty = _first(row, DIFFICULTY_KEYS)
        if image is None or difficulty is None:
            raise DatasetFormatError(
                path,
                f"entry {index} has keys {sorted(row)}; accepted: an image key ({', '.join(IMAGE_KEYS)}) and a "
                f"difficulty key ({', '.join(DIFFICULTY_KEYS)}), optional reasoning keys "
                f"({', '.join(SHORT_REASONING_KEYS + LONG_REASONING_KEYS)})",
            )
        if not is_plain_number(difficulty) or not 1 <= difficulty <= 10:
            raise DatasetFormatError(path, f"entry {index} ({image}): difficulty {difficulty!r} is not a number in [1, 10]")
        table[Path(str(image)).stem] = {
            "difficulty": float(difficulty),
            "short_reasoning": _first(row, SHORT_REASONING_KEYS),
            "long_reasoning": _first(row, LONG_REASONING_KEYS),
        }
    return table


def find_side_file(reasonseg_root: Path, split: str) -> Path:
    folder = reasonseg_root.parent / "ReasonSeg-Diff"
    for candidate in (folder / f"{split}.jsonl", folder / f"{split}.json"):
        if candidate.exists():
            return candidate
    raise DatasetNotFoundError(
        folder / f"{split}.json",
        f"the ReasonSeg-Diff side file ReasonSeg-Diff/{split}.json or {split}.jsonl beside the ReasonSeg folder, "
        "keyed by image name with a difficulty score and reference reasoning",
        "Get ReasonSeg-Diff from PixelThink's README (songw-zju/PixelThink) and convert it to that layout "
        "(field names in `wisebench list suites` and the README).",
    )


def with_difficulties(base: SuiteLoad, side_file: Path, skip_bad: bool) -> SuiteLoad:
    """The ReasonSeg samples with their difficulty band as a subset and the side file's fields in `extra`
    (difficulty, short_reasoning, long_reasoning: what the reasoning-quality scorer reads)."""
    difficulties = load_difficulties(side_file)
    samples, skipped = [], list(base.skipped)
    for sample in base.samples:
        entry = difficulties.get(sample.image_id)
        if entry is None:
            error = BadSampleError(side_file, f"no difficulty entry for image {sample.image_id}")
            if not skip_bad:
                raise error
            skipped.append({"sample_id": sample.sample_id, "path": error.path, "problem": error.problem})
            continue
        samples.append(replace(sample, subsets=sample.subsets + (difficulty_band(entry["difficulty"]),), extra={**sample.extra, **entry}))
    return SuiteLoad(samples=samples, skipped=skipped, source=f"{base.source} + {side_file}")


class ReasonSegDiffSuite(Suite):
    name = "reasonseg-diff"
    splits = ("val", "test")
    default_split = "test"
    subsets = ("easy", "medium", "hard", "short", "long")
    description = "ReasonSeg-Diff (PixelThink): ReasonSeg + difficulty in [1, 10]; subsets easy / medium / hard"

    def load(self, split: str, data_dir: str | None, skip_bad: bool = False) -> SuiteLoad:
        self.check_split(split)
        root = find_reasonseg_root(data_dir, self.name)
        side_file = find_side_file(root, split)
        base = load_lisa_folder(root, split, skip_bad)
        return with_difficulties(base, side_file, skip_bad)

    def data_help(self) -> str:
        return (
            "ReasonSeg folder + ReasonSeg-Diff/<split>.json(l) beside it; side-file fields: image "
            f"({'/'.join(IMAGE_KEYS)}), difficulty ({'/'.join(DIFFICULTY_KEYS)}), reasoning "
            f"({'/'.join(SHORT_REASONING_KEYS + LONG_REASONING_KEYS)})."
        )
