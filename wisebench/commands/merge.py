"""`wisebench merge RUN... --out DIR`: shard runs (`--shard K/N`) become one run."""

from __future__ import annotations

import argparse

NAME = "merge"
HELP = "merge shard runs (--shard K/N) into one run"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", help="shard run folders (or run ids under --runs-dir)")
    parser.add_argument("--out", required=True, help="folder that will hold the merged run folder")
    parser.add_argument("--runs-dir", default="runs", help="where run ids are looked up (default ./runs)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wisebench.runner.merge import merge_shards
    from wisebench.runner.store import read_run_json, resolve_run_folder

    folders = [resolve_run_folder(name, args.runs_dir) for name in args.runs]
    merged = merge_shards(folders, Path(args.out))
    run = read_run_json(merged)
    overall = run["summary"]["subsets"]["overall"]
    if "accuracy" in overall:  # a text run
        scores = "" if overall["accuracy"] is None else f", accuracy {100 * overall['accuracy']:.1f}"
    else:
        scores = "" if overall["giou"] is None else f", gIoU {100 * overall['giou']:.1f}, cIoU {100 * overall['ciou']:.1f}"
    print(f"merged {len(folders)} shards into {merged}: {overall['n']} samples{scores}")
    return 0
