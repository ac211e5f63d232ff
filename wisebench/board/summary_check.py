"""Is a submitted summary the one its records give? Recompute it and list every value that differs.

Floats are compared with a tight relative tolerance (summation order may differ across platforms in the last
bits); bootstrap intervals (keys ending in "_ci") must be equal, since the bootstrap is seeded; everything else
(counts, names, structure) must be equal.
"""

from __future__ import annotations

import math
from typing import Any

from wisebench.metrics.summary import summarize_run

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def recompute_summary(run: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary exactly as the run loop computes it (execute_run and execute_text_run both call summarize_run:
    headline protocol, bootstrap seed, and the suite's load-time skips counted as skipped)."""
    return summarize_run(run, records)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(stored: Any, recomputed: Any, exact: bool) -> bool:
    if _is_number(stored) and _is_number(recomputed):
        if exact or (isinstance(stored, int) and isinstance(recomputed, int)):
            return stored == recomputed
        return math.isclose(stored, recomputed, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    return type(stored) is type(recomputed) and stored == recomputed


def summary_differences(stored: Any, recomputed: Any, path: str = "summary", exact: bool = False) -> list[str]:
    """One line per differing value: '<path>: stored X, the records give Y'."""
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        lines = []
        for key in sorted(stored.keys() | recomputed.keys(), key=str):
            where = f"{path}.{key}"
            if key not in recomputed:
                lines.append(f"{where}: stored but not computed from the records")
            elif key not in stored:
                lines.append(f"{where}: missing (the records give {recomputed[key]!r})")
            else:
                lines += summary_differences(stored[key], recomputed[key], where, exact or str(key).endswith("_ci"))
        return lines
    if isinstance(stored, list) and isinstance(recomputed, list) and len(stored) == len(recomputed):
        lines = []
        for index, (left, right) in enumerate(zip(stored, recomputed)):
            lines += summary_differences(left, right, f"{path}[{index}]", exact)
        return lines
    return [] if _same(stored, recomputed, exact) else [f"{path}: stored {stored!r}, the records give {recomputed!r}"]
