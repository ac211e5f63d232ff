"""What every view of the leaderboard is handed: the rows it may compare (the sidebar's filters and ONE metric
protocol applied), the wider sets a few views need, and the board's cached reads.

The protocol rule lives here so no view can break it: `rows` never holds two metric protocols, so no chart or
ranking built from it mixes them. Views that pair rows across protocols on purpose (the reproduction view) read
`all_protocols` and must show each row's protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from leaderboard import loading, selection
from wisebench.board.rows import MEASURED


def run_label(row: pd.Series) -> str:
    """A run in pickers: model, benchmark, protocol and run id."""
    return f"{row['model']} · {row['benchmark']} · {row['protocol']} · {row['run_id']}"


def short_label(row: pd.Series) -> str:
    """Model and the run id's hash: enough to tell runs apart in chart legends."""
    return f"{row['model']} · {str(row['run_id']).rsplit('_', 1)[-1]}"


@dataclass
class BoardView:
    board_folder: str
    stamp: float
    rows: pd.DataFrame  # filters applied, one protocol (`protocol`), the chosen suite / split (or all of them)
    protocol: str | None  # None only when no row is left
    all_protocols: pd.DataFrame  # filters applied, every protocol: the reproduction view pairs across them
    any_benchmark: pd.DataFrame  # filters and the protocol applied, every suite and split
    benchmark: str | None  # "suite / split", None: all of them

    @property
    def metric(self) -> str:
        """The accuracy the views open on: "cIoU" (segmentation) or "task accuracy" (text reasoning)."""
        return selection.default_metric(self.rows)

    @property
    def caveats(self) -> tuple[str, ...]:
        """What `rows` still mixes (parse policies, token conventions), said in titles."""
        return selection.caveats(self.rows)

    def runs(self) -> dict[str, pd.Series]:
        """Label -> row of every measured run in `rows` (one row per run: the protocol is fixed)."""
        measured = self.rows[self.rows["kind"] == MEASURED] if not self.rows.empty else self.rows
        return {run_label(row): row for _, row in measured.iterrows()}

    def records(self, run_id: str) -> list[dict[str, Any]]:
        return loading.records(self.board_folder, run_id, self.stamp)

    def summary(self, run_id: str) -> dict[str, Any]:
        """The run's summary under the page's protocol (a run re-scored with --protocol has one per protocol)."""
        return loading.summary(self.board_folder, run_id, self.protocol, self.stamp)

    def suite_samples(self, suite: str, split: str) -> dict[str, Any] | str:
        """The split's samples by id, or why they are not available on this machine."""
        return loading.suite_samples(suite, split)

    def title(self, what: str) -> str:
        """A chart or table title that names the protocol (and what else the rows mix)."""
        scope = self.benchmark or "all suites and splits"
        mixed = f" — mixes {'; '.join(self.caveats)}" if self.caveats else ""
        return f"{what} · {scope} · protocol {self.protocol or '-'}{mixed}"


def board_view(board_folder: str, board_stamp: float, frame: pd.DataFrame, benchmark: str | None, protocol: str | None = None) -> BoardView:
    """The view of `frame` (rows_frame of the board, the sidebar's filters applied) for one suite / split (None: all)
    and one protocol (None: the protocol of the most rows there)."""
    scoped = frame if benchmark is None or frame.empty else frame[frame["benchmark"] == benchmark]
    chosen = protocol if protocol is not None else selection.default_protocol(scoped)
    rows = selection.one_protocol(scoped, chosen)
    return BoardView(
        board_folder=board_folder,
        stamp=board_stamp,
        rows=rows,
        protocol=chosen,
        all_protocols=scoped,
        any_benchmark=selection.one_protocol(frame, chosen),
        benchmark=benchmark,
    )
