"""Parse `--window` for instant sources: a duration such as 30m, 1h, 24h or 7d (a run-rate window)."""

from __future__ import annotations

import re

from genaicost.domain.errors import InputError

DEFAULT_WINDOW = "1h"
HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
MAX_WINDOW_HOURS = 366 * 24.0
HISTORY_WINDOWS = frozenset({"today", "yesterday", "week", "lastweek", "month", "lastmonth", "thismonth"})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)


def parse_window_hours(text: str) -> float:
    """`"30m"` → 0.5, `"24h"` → 24.0, `"7d"` → 168.0; anything else is an InputError naming `--window`."""
    if text.strip().lower() in HISTORY_WINDOWS:
        raise InputError(
            f"window {text!r} is a calendar window and needs a history source (Prometheus), "
            "which this report cannot use yet; give a duration like 30m, 24h or 7d",
            field="--window",
        )
    match = _DURATION.match(text)
    if match is None:
        raise InputError(f"window {text!r}: expected a duration like 30m, 24h or 7d", field="--window")
    hours = float(match.group(1)) * HOURS_PER_UNIT[match.group(2).lower()]
    if hours <= 0:
        raise InputError(f"window {text!r}: must be longer than zero", field="--window")
    if hours > MAX_WINDOW_HOURS:
        raise InputError(f"window {text!r}: at most 366d", field="--window")
    return hours
