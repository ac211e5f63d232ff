"""A demo board with every kind of row the app shows, for the screenshots and the browser test:

    build_demo_board(folder) -> folder/board

Every run goes through the same checks as `wisebench submit` (check_run_folder, then Board.add). Next to the
published rows (reported) it holds:
  - scripted runs (wisebench.board.synthetic) of seg-zero, wise and wise-s on reasonseg-mini val: smoke rows
    (scripted predictions, no weight fingerprint) with difficulty bands, reasoning and format failures;
  - two real runs of the `oracle` adapter (GrabCut) on reasonseg-mini val and test: measured predictions, never
    ranked (the oracle reads the ground truth);
  - scripted seg-zero and wise-s runs on a native-layout `reasonseg` val folder of a few images copied from the mini
    suite: the split's official size is 200 images, so the board marks them custom data, and they pair with the
    published reasonseg / val rows in the reproduction view (scored under the segzero protocol, as the published
    Seg-Zero and WISE-S figures are);
  - one text-reasoning run of the tests' scripted stand-in reasoner (tests/text_standin.py, registered here as
    `scripted-stand-in` so the board says what it is) on an 8-question local lm-eval task: text.
No run here has pinned weights, so the ranked section stays empty; the mini suite and the toy task have no official
split either, so the board calls all of them custom data too.
About 20 s on 2 idle CPU cores (the mini suite, generated once into the wisebench cache, adds its first time): the
oracle's GrabCut is 10 s of it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = "scripted-stand-in"
SMOKE_MODELS = ("seg-zero", "wise", "wise-s")
CUSTOM_MODELS = ("seg-zero", "wise-s")
CUSTOM_IMAGES = 6  # of the 200 in the real reasonseg val: few enough to be fast, and plainly not the official split
CUSTOM_PROTOCOL = "segzero"
# The benchmarks ("suite / split", as the app's selectbox names them) that hold each kind of demo row.
SMOKE_BENCHMARK = "reasonseg-mini / val"  # smoke and measured (oracle) rows
CUSTOM_BENCHMARK = "reasonseg / val"  # custom-data and reported rows
TEXT_BENCHMARK = "lm-eval:toy.yaml / test"  # the text run (its suite is named by the task YAML's file name)


def text_stand_in_run(folder: Path) -> tuple[Path, Path]:
    """The stand-in's run folder and the task folder it was checked against. The suite is named by the YAML's path
    relative to the task folder (lm-eval:toy.yaml), so the board shows no temporary path."""
    sys.path.insert(0, str(ROOT / "tests"))  # the stand-in and its tokenizer helper live with the tests
    import text_standin

    from dataclasses import replace

    from wisebench.registry import MODELS
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # a local JSON task: nothing to fetch
    # Registered under its own name, and describing itself by it (the board checks that the two agree).
    text_standin.DEMO_STANDIN = replace(text_standin.STANDIN, name=STAND_IN)
    MODELS.register(STAND_IN, "text_standin:DEMO_STANDIN")
    task = text_standin.write_task(folder / "task")
    previous = Path.cwd()
    os.chdir(task.parent)  # (contextlib.chdir is Python 3.11+; the project supports 3.10)
    try:
        config = RunConfig(model=STAND_IN, suite=f"lm-eval:{task.name}", split="test", out=str(folder / "runs"))
        result = execute_run(config, progress=False)
    finally:
        os.chdir(previous)
    return result.folder, task.parent


def custom_reasonseg_folder(folder: Path, images: int = CUSTOM_IMAGES) -> Path:
    """folder/ReasonSeg/val holding the first `images` of reasonseg-mini val (already the LISA layout); returns
    `folder`, the --data-dir of runs on it."""
    from wisebench.data.mini import ensure_reasonseg_mini
    from wisebench.data.suite import cache_root

    source = ensure_reasonseg_mini(cache_root() / "suites") / "ReasonSeg" / "val"
    target = folder / "ReasonSeg" / "val"
    target.mkdir(parents=True, exist_ok=True)
    for annotation in sorted(source.glob("*.json"))[:images]:
        shutil.copy(annotation, target)
        shutil.copy(annotation.with_suffix(".jpg"), target)
    return folder


def build_demo_board(folder: Path) -> Path:
    """Runs under folder/runs, the board in folder/board (returned); see the module's docstring for what it holds."""
    from wisebench.board.store import Board
    from wisebench.board.submission import check_run_folder
    from wisebench.board.synthetic import make_synthetic_run
    from wisebench.runner.config import RunConfig
    from wisebench.runner.run import execute_run

    board = Board(folder / "board")
    runs = folder / "runs"

    def submit(run_folder: Path, data_dir: str | None = None) -> None:
        board.add(check_run_folder(run_folder, data_dir), submitted_from=str(run_folder))
        print(f"demo run {run_folder.name} submitted", file=sys.stderr)

    for model in SMOKE_MODELS:
        submit(make_synthetic_run(runs, model))
    for split in ("val", "test"):
        submit(execute_run(RunConfig(model="oracle", suite="reasonseg-mini", split=split, out=str(runs)), progress=False).folder)
    data_dir = str(custom_reasonseg_folder(folder / "reasonseg-data"))
    for model in CUSTOM_MODELS:
        submit(make_synthetic_run(runs, model, suite="reasonseg", protocol=CUSTOM_PROTOCOL, data_dir=data_dir), data_dir)
    text_folder, task_folder = text_stand_in_run(folder)
    submit(text_folder, str(task_folder))
    return board.folder
