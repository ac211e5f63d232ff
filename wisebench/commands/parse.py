"""`wisebench parse --model NAME --size WxH [--policy upstream|robust]`: raw model outputs in, object prompts out.

Reads JSON lines {"id": ..., "text": ..., "finish_reason": optional} on stdin and prints one JSON line per input:
the boxes and points in original-image pixels (what the segmenter would be given), or the failure reason, under
the chosen parse policy, plus what the other policy would have made of it where that differs. This is how raw
outputs saved by another codebase (Seg-Zero's output_*.json "output_txt", say) are re-scored the way each paper's
script read them. Lines already printed stand when a later line is malformed (exit 2, naming the line).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Iterable, Iterator, TextIO

from wisebench.errors import WisebenchError

NAME = "parse"
HELP = "parse raw reasoner outputs (JSON lines on stdin) into boxes and points, as a spec's evaluation would"


def _size(text: str) -> tuple[int, int]:
    width, separator, height = text.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if not separator or size[0] < 1 or size[1] < 1:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, e.g. 1024x768; got {text!r}")
    return size


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a reasoner spec (seg-zero, pixelthink, wise, wise-s, visionreasoner, ...)")
    parser.add_argument("--size", required=True, type=_size, metavar="WxH", help="the original image size in pixels")
    parser.add_argument("--policy", choices=("upstream", "robust"), help="parse policy (default: the spec's, upstream for published specs)")


def load_spec(model: str) -> Any:
    from wisebench.registry import MODELS

    loaded = MODELS.load(model)
    spec = getattr(loaded, "spec", None)
    if spec is None or not hasattr(spec, "answer_schema"):
        raise WisebenchError(f"{model} has no answer parser (it is not a reasoner + segmenter spec): `wisebench parse` takes seg-zero, pixelthink, wise, wise-s, visionreasoner or a plugin spec")
    return spec


def parse_line(line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise WisebenchError(f"stdin line {number}: not JSON ({error})") from None
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise WisebenchError(f'stdin line {number}: expected an object {{"id": ..., "text": "..."}} with a string "text"')
    if item.get("finish_reason") not in (None, "stop", "length"):
        raise WisebenchError(f"stdin line {number}: finish_reason must be \"stop\", \"length\" or absent, got {item['finish_reason']!r}")
    return item


def parse_stream(spec: Any, policy: str, size: tuple[int, int], lines: Iterable[str], out: TextIO) -> int:
    from wisebench.reasoner.answer_policy import parse_with_policies

    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = parse_line(line, number)
        parsed, other = parse_with_policies(item["text"], item.get("finish_reason"), spec, policy, size)
        result = {
            "id": item.get("id"),
            "policy": parsed.policy,
            "ok": parsed.failure is None,
            "failure": parsed.failure,
            "objects": [obj.to_json() for obj in parsed.objects],
            "reasoning_text": parsed.reasoning_text,
            "think_match": parsed.think_match,
            "other_policy": other,
        }
        out.write(json.dumps(result) + "\n")  # ASCII escapes: a lone surrogate in a model's text cannot break the output
        out.flush()  # a later bad line must not take finished results with it
        count += 1
    return count


def run(args: argparse.Namespace) -> int:
    from wisebench.reasoner.answer_policy import check_policy

    spec = load_spec(args.model)
    policy = check_policy(args.policy or spec.parse_policy, spec.upstream_parser, args.model)
    parse_stream(spec, policy, args.size, _utf8_lines(sys.stdin.buffer), sys.stdout)
    return 0


def _utf8_lines(stream: Any) -> Iterator[str]:
    for number, raw in enumerate(stream, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WisebenchError(f"stdin line {number}: not UTF-8 ({error.reason} at byte {error.start})") from None
