"""reasonseg-mini: the embedded default suite, a small ReasonSeg (LISA) folder drawn by code, so runs need no download.

<root>/ReasonSeg/{val,test}/mini_<split>_<index>.jpg + .json, 32 images per split, one query each. Scenes (kitchen
table, street, desk, living room) are procedural polygon drawings, and each ground-truth polygon is the visible outline
of the very polygons that were painted. Output is byte-identical across runs on the same numpy / OpenCV / Pillow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from wisebench.data.mini.generate import SAMPLES_PER_SPLIT, SPLITS, write_split

MINI_VERSION = "2"  # 2: ReasonSeg-Diff side file (difficulty, reference reasoning); bump whenever the generated files change: cached copies are keyed by it
COMPLETE_MARKER = "COMPLETE"  # written last: a folder without it is unfinished or damaged


def generate_reasonseg_mini(root: Path) -> Path:
    """Write root/ReasonSeg/val and root/ReasonSeg/test; returns root/"ReasonSeg"."""
    dataset = Path(root) / "ReasonSeg"
    for split in SPLITS:
        write_split(dataset, split, SAMPLES_PER_SPLIT)
    return dataset


def ensure_reasonseg_mini(cache_dir: Path) -> Path:
    """cache_dir/reasonseg-mini-<MINI_VERSION> (holding ReasonSeg/), generated if absent.

    Safe when several processes call it at once: each generates into its own temporary sibling and renames it into
    place; a loser of the race discards its copy and uses the winner's.
    """
    cache_dir = Path(cache_dir)
    final = cache_dir / f"reasonseg-mini-{MINI_VERSION}"
    if (final / COMPLETE_MARKER).is_file():
        return final
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=cache_dir))
    try:
        generate_reasonseg_mini(staging)
        (staging / COMPLETE_MARKER).write_text(f"reasonseg-mini {MINI_VERSION}\n", encoding="utf-8")
        _publish(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _publish(staging: Path, final: Path) -> None:
    for _ in range(3):
        try:
            os.rename(staging, final)  # atomic on one file system; fails if final exists and is not empty
            return
        except OSError:
            if (final / COMPLETE_MARKER).is_file():
                return  # another process won the race with a complete copy
            if final.exists():
                # left over from a crashed or tampered run (complete copies always carry the marker): set it aside
                trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".stale", dir=final.parent))
                try:
                    os.rename(final, trash / "old")
                except OSError:
                    pass
                shutil.rmtree(trash, ignore_errors=True)
    if not (final / COMPLETE_MARKER).is_file():
        raise OSError(f"could not move the generated reasonseg-mini into {final}")


__all__ = ["COMPLETE_MARKER", "MINI_VERSION", "ensure_reasonseg_mini", "generate_reasonseg_mini"]
