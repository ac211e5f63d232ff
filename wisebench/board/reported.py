"""Published results (leaderboard/reported.json, transcribed from shared/reference/reported.md) as board rows.

They are figures from papers, not runs: kind "reported", the paper as source, the paper's metric protocol. The
file keeps the papers' percentages so it can be checked against them by eye; rows carry fractions like measured ones.
Segmentation papers give gIoU / cIoU; text-reasoning papers (VeriThinker, CoT-Valve) a task accuracy, under the
suite name a measured lm-eval run of that benchmark would have (lm-eval:gsm8k ...), with protocol "paper".
`reproduces` names the registry model whose measured runs reproduce a figure ("" where none does); an optional
`reproduces_note` says what that pairing does not establish and is shown in the row's note.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from wisebench.board.rows import REPORTED, BoardRow
from wisebench.errors import WisebenchError

REQUIRED_FIELDS = ("model", "family", "suite", "split", "protocol", "source")


def default_reported_file() -> Path:
    return Path(str(resources.files("leaderboard").joinpath("reported.json")))


def _fraction(value: Any, scale: float, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WisebenchError(f"{where}: expected a number or null, got {value!r}")
    return float(value) / scale


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    """An optional string field; anything else is an error, not a silent str() of it."""
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise WisebenchError(f"{where}: {key!r} must be a string, got {value!r}")
    return value.strip()


def reported_rows(path: Path | None = None) -> list[BoardRow]:
    file = path or default_reported_file()
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise WisebenchError(f"cannot read reported results {file}: {error}") from error
    scale = {"percent": 100.0, "fraction": 1.0}.get(document.get("unit"))
    if scale is None:
        raise WisebenchError(f"{file}: 'unit' must be 'percent' or 'fraction'")
    rows = []
    for number, entry in enumerate(document.get("rows", [])):
        where = f"{file} row {number}"
        missing = [name for name in REQUIRED_FIELDS if not entry.get(name)]
        if missing:
            raise WisebenchError(f"{where}: missing {', '.join(missing)}")
        if entry.get("kind", REPORTED) != REPORTED:
            raise WisebenchError(f"{where}: kind must be {REPORTED!r}; measured rows come from submitted runs")
        tokens = entry.get("mean_reasoning_tokens")
        reproduces, reproduces_note = _text(entry, "reproduces", where), _text(entry, "reproduces_note", where)
        note = "; ".join(part for part in (str(entry.get("note", "")), reproduces_note) if part)
        rows.append(
            BoardRow(
                kind=REPORTED,
                model=str(entry["model"]),
                family=str(entry["family"]),
                suite=str(entry["suite"]),
                split=str(entry["split"]),
                protocol=str(entry["protocol"]),
                parse_policy="paper's script",
                token_convention=str(entry.get("token_convention", "not stated")),
                giou=_fraction(entry.get("giou"), scale, where),
                ciou=_fraction(entry.get("ciou"), scale, where),
                accuracy=_fraction(entry.get("accuracy"), scale, where),
                accuracy_metric=str(entry.get("accuracy_metric", "")),
                mean_reasoning_tokens=_fraction(tokens, 1.0, where),
                source=str(entry["source"]),
                note=note,
                reproduces=reproduces,
            )
        )
    return rows
