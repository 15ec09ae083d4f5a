"""Parse the OpenCost-style query parameters of the API (window, step, booleans) into typed values.

Errors are InputErrors naming the parameter (the API answers 400 with the message).
Windows are whole hours (the store's resolution): a window that ends "now" (durations, today, week, month)
ends at the END of the current hour, so the current hour's run-rate row is included; START,END (RFC3339 or Unix
seconds) selects the hours that start in [START, END).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from genaicost.app.window import floor_to_step, parse_window
from genaicost.domain.errors import InputError
from genaicost.domain.window import Window

HOUR_S = 3600
_UNIX_PAIR = re.compile(r"^\s*(\d{9,11})\s*,\s*(\d{9,11})\s*$")
_STEP = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_STEP_HOURS = {"h": 1, "d": 24, "w": 168}
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no", ""})


def api_window(text: str, now: datetime) -> Window:
    """OpenCost's `window` forms → a Window aligned to whole hours."""
    unix = _UNIX_PAIR.match(text)
    if unix:
        start, end = (datetime.fromtimestamp(int(v), tz=UTC) for v in unix.groups())
        text = f"{start.isoformat()},{end.isoformat()}"
    horizon = floor_to_step(now, HOUR_S) + timedelta(hours=1)
    try:
        window = parse_window(text, now=horizon, history=True, resolution_s=HOUR_S)
    except InputError as err:
        message = str(err).removeprefix("field --window: ")
        raise InputError(message.replace("--resolution", "hour") + " (the store keeps whole hours)",
                         field="window") from None
    start = floor_to_step(window.start, HOUR_S)
    end = window.end if window.end == floor_to_step(window.end, HOUR_S) else \
        floor_to_step(window.end, HOUR_S) + timedelta(hours=1)
    return Window(start=start, end=end)


def api_step(text: str | None, window: Window) -> int:
    """`step` (e.g. 1h, 6h, 1d, 1w) in seconds, a whole number of hours; None → the whole window."""
    whole = int(window.hours) * HOUR_S
    if text is None or not text.strip():
        return whole
    match = _STEP.match(text)
    if match is None or int(match.group(1)) == 0:
        raise InputError(f"{text!r}: expected a whole number of hours, days or weeks like 1h, 6h, 1d or 1w "
                         "(the store keeps hourly rollups)", field="step")
    return int(match.group(1)) * _STEP_HOURS[match.group(2).lower()] * HOUR_S


def api_bool(text: str | None, name: str, default: bool) -> bool:
    if text is None:
        return default
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InputError(f"{text!r}: expected true or false", field=name)


def window_json(start_s: int, end_s: int) -> dict[str, str]:
    return {"start": iso(start_s), "end": iso(end_s)}


def iso(epoch_s: int) -> str:
    return datetime.fromtimestamp(epoch_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
