"""PixelThink's per-sample difficulty scores, read from its JSON (songw-zju/PixelThink verl/utils/rl_dataset.py:104-112).

The file is a JSON list of objects; each names a sample by "image_id" (the training dataset's "id") and scores it
in "difficulty_score_model" (PixelThink's refcoco_train_labeled_merged.json). Upstream keeps the last score of an
id and uses 3.0 for an id that has none (rl_dataset.py:179-184). Ids are compared as strings here, so an id stored
as 7 in one file and "7" in the other still match. The file is parsed with json only: nothing is executed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from wisebench.errors import DatasetFormatError, DatasetNotFoundError

ID_KEY, SCORE_KEY = "image_id", "difficulty_score_model"
FLAG = "--set data.difficulty_file=FILE"


def load_difficulties(path: str | Path) -> dict[str, float]:
    """{sample id: difficulty}; entries whose score is null are left out (they get the default, as upstream)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DatasetNotFoundError(file, f"PixelThink's difficulty JSON (a list of {{{ID_KEY!r}, {SCORE_KEY!r}}} objects)", f"Set it with {FLAG}.")
    try:
        items = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise DatasetFormatError(file, f"is not valid JSON ({error}); set PixelThink's difficulty file with {FLAG}") from error
    if not isinstance(items, list):
        raise DatasetFormatError(file, f"holds a JSON {type(items).__name__}, not the list of {{{ID_KEY!r}, {SCORE_KEY!r}}} objects PixelThink writes")
    scores: dict[str, float] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or ID_KEY not in item:
            raise DatasetFormatError(file, f"item {index} is not an object with an {ID_KEY!r} key: {str(item)[:80]}")
        score = item.get(SCORE_KEY)
        if score is None:
            continue
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            raise DatasetFormatError(file, f"item {index} ({ID_KEY} {item[ID_KEY]!r}) has {SCORE_KEY} {score!r}, not a finite number")
        scores[str(item[ID_KEY])] = float(score)
    return scores
