"""Shards for scheduler arrays (Slurm and the like): `--shard K/N` runs the K-th of N disjoint parts of a split.

The split is deterministic and balanced by image: all samples of one image go to the same shard (so the
bootstrap's clusters stay whole), images are taken largest group first (ties by a hash of the image id) and each
goes to the shard with the fewest samples so far. Every shard computes the same assignment from the same list.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from wisebench.data.sample import Sample
from wisebench.errors import WisebenchError

SHARD_PATTERN = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text: str) -> tuple[int, int]:
    match = SHARD_PATTERN.match(text.strip())
    if not match:
        raise WisebenchError(f"--shard takes K/N with 0 <= K < N (e.g. 0/4), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 0 <= index < count:
        raise WisebenchError(f"--shard {text}: need 0 <= K < N")
    return index, count


def shard_assignment(samples: list[Sample], count: int) -> dict[str, int]:
    """sample id -> shard index."""
    by_image: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        by_image[sample.image_id].append(sample.sample_id)
    order = sorted(by_image, key=lambda image: (-len(by_image[image]), hashlib.sha256(image.encode()).hexdigest()))
    loads = [0] * count
    assignment: dict[str, int] = {}
    for image in order:
        target = min(range(count), key=lambda shard: (loads[shard], shard))
        loads[target] += len(by_image[image])
        for sample_id in by_image[image]:
            assignment[sample_id] = target
    return assignment


def select_shard(samples: list[Sample], index: int, count: int) -> list[Sample]:
    """The samples of shard `index` of `count`, in the suite's order."""
    assignment = shard_assignment(samples, count)
    return [sample for sample in samples if assignment[sample.sample_id] == index]
