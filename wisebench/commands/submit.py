"""`wisebench submit RUN [--board DIR]`: check a finished run and add it to the leaderboard's board store."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

NAME = "submit"
HELP = "check a finished run (bounds, schema, identity, scores re-derived from the masks, summary) and add it to the board"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="run folder, or run id under --out")
    parser.add_argument("--out", default="runs", help="folder that holds run folders (default ./runs)")
    parser.add_argument("--board", type=Path, help="board folder (default $WISEBENCH_BOARD, else ~/.cache/wisebench/board)")
    parser.add_argument(
        "--data-dir",
        help="where this machine keeps the suite's data, to check the run holds exactly its samples "
        "(default $WISEBENCH_DATA; the run's own data_dir is never used)",
    )
    parser.add_argument("--replace", action="store_true", help="replace a different run with the same id on the board (atomic: the old run stays until the new one is in place)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")


def run(args: argparse.Namespace) -> int:
    from wisebench.board.store import Board
    from wisebench.board.submission import check_run_folder
    from wisebench.runner.store import resolve_run_folder

    folder = resolve_run_folder(args.run, args.out)
    checked = check_run_folder(folder, args.data_dir)
    board = Board(args.board)
    result = board.add(checked, submitted_from=str(folder.resolve()), replace=args.replace)
    if args.json:
        print(json.dumps({"run_id": result.run_id, "status": result.status, "board": str(board.folder), "row": result.row.to_json(), "notes": checked.notes}, indent=2))
        return 0
    row = result.row
    verb = {"added": "added to", "replaced": "replaced on", "unchanged": "already on"}[result.status]
    print(f"run {result.run_id} {verb} the board at {board.folder}")
    if row.accuracy is not None:  # a text-reasoning run: task accuracy instead of IoU
        scores = f"accuracy ({row.accuracy_metric}) {100 * row.accuracy:.1f}"
    else:
        giou = "-" if row.giou is None else f"{100 * row.giou:.1f}"
        ciou = "-" if row.ciou is None else f"{100 * row.ciou:.1f}"
        scores = f"gIoU {giou}, cIoU {ciou}"
    print(f"  {row.model} on {row.suite}/{row.split} ({row.protocol}): {scores}, {row.n_samples} samples")
    print("  ranked" if row.ranked else f"  not ranked: {row.unranked_reason}")
    for note in checked.notes:
        print(f"  note: {note}")
    return 0
