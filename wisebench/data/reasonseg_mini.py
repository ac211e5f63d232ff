"""The embedded default suite: reasonseg-mini, generated on first use in the exact ReasonSeg (LISA) layout and
then read by the ReasonSeg loader, so the bundled suite exercises the same code path as the real data. Its
ReasonSeg-Diff side file (difficulty and reference reasoning per scene) is read as reasonseg-diff reads its own,
so every sample also carries a difficulty band (easy / medium / hard) and the references to score reasoning against."""

from __future__ import annotations

from pathlib import Path

from wisebench.data.reasonseg import load_lisa_folder
from wisebench.data.reasonseg_diff import find_side_file, with_difficulties
from wisebench.data.suite import Suite, SuiteLoad, cache_root


class ReasonSegMiniSuite(Suite):
    name = "reasonseg-mini"
    splits = ("val", "test")
    default_split = "val"
    subsets = ("short", "long", "easy", "medium", "hard")
    description = "bundled procedural scenes in ReasonSeg format (32 val / 32 test), generated offline"

    def load(self, split: str, data_dir: str | None, skip_bad: bool = False) -> SuiteLoad:
        from wisebench.data.mini import ensure_reasonseg_mini

        self.check_split(split)
        # --data-dir names where to keep the generated copy; by default the wisebench cache.
        folder = ensure_reasonseg_mini(Path(data_dir).expanduser() if data_dir else cache_root() / "suites")
        root = folder / "ReasonSeg"
        return with_difficulties(load_lisa_folder(root, split, skip_bad), find_side_file(root, split), skip_bad)

    def data_help(self) -> str:
        return "generated on first use under $WISEBENCH_CACHE/suites (or --data-dir); nothing to download"
