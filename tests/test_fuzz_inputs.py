"""Fuzzing the ReasonSeg loader through the CLI (issue 17): seeded mutations of one sample's annotation or image
(truncation, byte flips, type swaps, huge and non-finite numbers, deep nesting, hostile image headers). Whatever
the mutation, a run ends in 0 or 2, never in "internal error" (exit 1); with --skip-bad it always finishes, with
at most the mutated sample skipped. Bounded: CASES cases of two in-process runs each, well under a minute."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any, Callable

from test_robustness_inputs import png_header_only, run_args, run_cli, write_split

SEED = 17
CASES = 90
TARGET = "s002"

HOSTILE_NUMBERS = ["1e308", "-1e308", "1e400", "NaN", "Infinity", "-Infinity", "9" * 500, "9" * 5000, "1e6", "-1e12", "1e300", "5e-324", "true", "null"]
HOSTILE_VALUES: list[Any] = ["", "\ud800", 0, -1, 3.5, True, None, [], {}, [[]], {"label": 1}, "target", [1, 2, 3], "x" * 10_000]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    mutated = bytearray(data)
    for _ in range(rng.choice([1, 4, 32])):
        index = rng.randrange(len(mutated)) if rng.random() < 0.5 else rng.randrange(min(64, len(mutated)))  # headers often
        mutated[index] = rng.randrange(256)
    return bytes(mutated)


def json_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document (the root excluded)."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found.append(prefix + (key,))
        found.extend(json_paths(item, prefix + (key,)))
    return found


def replace_at(document: Any, path: tuple, new: Any) -> Any:
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return document


def swap_type(data: bytes, rng: random.Random) -> bytes:
    document = json.loads(data)
    return json.dumps(replace_at(document, rng.choice(json_paths(document)), rng.choice(HOSTILE_VALUES))).encode()


def hostile_number(data: bytes, rng: random.Random) -> bytes:
    document = json.loads(data)
    numbers = [path for path in json_paths(document) if len(path) == 5 and path[2] == "points"]  # shapes/i/points/j/k
    marker = "\u0000NUMBER\u0000"
    replace_at(document, rng.choice(numbers), marker)
    return json.dumps(document).replace(json.dumps(marker), rng.choice(HOSTILE_NUMBERS)).encode()


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    document = json.loads(data)
    depth = rng.choice([50, 2_000, 200_000])
    opener, closer = ('{"a":' , "}") if rng.random() < 0.5 else ("[", "]")
    marker = "\u0000DEEP\u0000"
    replace_at(document, rng.choice(json_paths(document)), marker)
    return json.dumps(document).replace(json.dumps(marker), opener * depth + "0" + closer * depth).encode()


def image_header(data: bytes, rng: random.Random) -> bytes:
    width, height = rng.choice([(20_000, 20_000), (1, 10**9), (0, 0), (2**31 - 1, 2**31 - 1), (40, 30)])
    return png_header_only(width, height)


def other_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b"\x00" * 1000, b"GIF89a" + bytes(20), b"\xff\xd8\xff", b'{"text": ["q"]}', data * 2])


ANNOTATION_MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [truncate, flip_bytes, swap_type, hostile_number, deep_nesting]
IMAGE_MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [truncate, flip_bytes, image_header, other_bytes]


def test_mutated_annotations_and_images_never_end_in_an_internal_error(tmp_path, capsys):
    rng = random.Random(SEED)
    template = tmp_path / "template"
    write_split(template, 4)
    outcomes: dict[str, int] = {}
    for case in range(CASES):
        data = tmp_path / f"case{case}"
        shutil.copytree(template, data)
        folder = data / "ReasonSeg" / "val"
        on_image = rng.random() < 0.4
        target = folder / f"{TARGET}.{'jpg' if on_image else 'json'}"
        mutation = rng.choice(IMAGE_MUTATIONS if on_image else ANNOTATION_MUTATIONS)
        target.write_bytes(mutation(target.read_bytes(), rng))
        label = f"case {case}: {mutation.__name__} on {target.name}"

        code, _, err = run_cli(capsys, *run_args(data, tmp_path / f"runs{case}"))
        assert code in (0, 2) and "internal error" not in err, (label, code, err)
        code, out, err = run_cli(capsys, *run_args(data, tmp_path / f"skip{case}", "--skip-bad"))
        assert code == 0 and "internal error" not in err, (label, code, err)
        assert "skipped:  1 bad sample" in out or "skipped:" not in out, (label, out)
        outcome = f"{mutation.__name__} {'refused' if 'skipped:' in out else 'accepted'}"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        shutil.rmtree(data)
    # The fuzzing reached the error paths it is meant to reach, not only harmless mutations.
    refused = sum(count for name, count in outcomes.items() if name.endswith("refused"))
    assert refused >= CASES // 3, outcomes
    assert any(name.startswith("deep_nesting") for name in outcomes) and any(name.startswith("image_header") for name in outcomes), outcomes
