"""Accuracy and reasoning tokens per ReasonSeg-Diff difficulty band (easy / medium / hard), per measured run. Plain
data in and out, no Streamlit here.

The bands are subset tags on the records (the suite adds them from PixelThink's side file). A run's summary holds
gIoU and cIoU per band but no token means, so the figures are recomputed here from the records under the protocol
the page shows, by the summary's own record selection and I/U reading (metrics/summary.counted_records, counts_of);
tokens under the run's token convention, uncounted samples left out of the mean.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from wisebench.data.reasonseg_diff import EASY_BELOW, HARD_FROM
from wisebench.metrics.iou import PROTOCOLS, ciou, giou, sample_ious
from wisebench.metrics.summary import counted_records, counts_of
from wisebench.metrics.token_conventions import DEFAULT_CONVENTION, reasoning_count

BANDS = ("easy", "medium", "hard")
BAND_RULE = f"easy < {EASY_BELOW} <= medium < {HARD_FROM} <= hard, on PixelThink's difficulty score (1-10)"
BAND_COLUMNS = ["run", "model", "run_id", "protocol", "token_convention", "band", "n", "giou", "ciou", "mean_reasoning_tokens", "n_with_tokens"]


def has_bands(summary: dict[str, Any]) -> bool:
    """Whether a run's summary lists a difficulty band among its subsets (the suite tagged its samples)."""
    return any(band in (summary.get("subsets") or {}) for band in BANDS)


def band_figures(records: list[dict[str, Any]], protocol: str, token_convention: str) -> list[dict[str, Any]]:
    """One line per band present in the records: n, gIoU, cIoU (fractions), mean reasoning tokens and how many
    samples had a count under `token_convention`."""
    if protocol not in PROTOCOLS:  # text reasoning has no IoU and no difficulty bands
        return []
    scored = counted_records(records, protocol)
    lines = []
    for band in BANDS:
        members = [record for record in scored if band in (record.get("subsets") or [])]
        if not members:
            continue
        intersections, unions = counts_of(members, protocol)
        counts = [reasoning_count((record.get("prediction") or {}).get("tokens") or {}, token_convention) for record in members]
        counted = [float(count) for count in counts if count is not None]
        lines.append(
            {
                "band": band,
                "n": len(members),
                "giou": giou(sample_ious(intersections, unions, protocol)),
                "ciou": ciou(intersections, unions, protocol),
                "mean_reasoning_tokens": float(np.mean(counted)) if counted else None,
                "n_with_tokens": len(counted),
            }
        )
    return lines


def band_table(runs: Iterable[tuple[str, pd.Series, list[dict[str, Any]]]]) -> pd.DataFrame:
    """Run x band for (label, board row, records) of measured runs; the row gives the protocol and token
    convention the figures are computed under."""
    lines = []
    for label, row, records in runs:
        # Rows stored before token conventions existed counted under the default one.
        protocol, convention = str(row["protocol"]), str(row["token_convention"] or "") or DEFAULT_CONVENTION
        for figures in band_figures(records, protocol, convention):
            lines.append({"run": label, "model": row["model"], "run_id": row["run_id"], "protocol": protocol, "token_convention": convention, **figures})
    return pd.DataFrame(lines, columns=BAND_COLUMNS)
