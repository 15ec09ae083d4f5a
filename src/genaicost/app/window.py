"""Parse `--window` and `--resolution`.

Instant sources (kubectl JSON, live API, demo) take a duration only (`parse_window_hours`, or `parse_window`
with `history=False`): a run-rate window ending at `now`.
History sources (Prometheus, `history=True`) also take calendar windows and an explicit `START,END` pair.
All times are UTC; every window is half-open [start, end).

Rounding (history): a window that ends "now" (durations, `today`, `week`, `month`) ends at `now` floored to
a multiple of the resolution since the Unix epoch, so every step is complete and step-aligned (Prometheus
aligns subquery steps the same way); the start is then end − duration for durations, or the calendar
boundary. `yesterday`, `lastweek` and `lastmonth` end at midnight; `START,END` is used exactly as given.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from genaicost.domain.errors import InputError
from genaicost.domain.window import Window

DEFAULT_WINDOW = "1h"
DEFAULT_RESOLUTION = "5m"
DEFAULT_RESOLUTION_S = 300.0
MIN_RESOLUTION_S = 15.0
MAX_RESOLUTION_S = 86400.0
HOURS_PER_UNIT = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}
SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_WINDOW_HOURS = 366 * 24.0
HISTORY_WINDOWS = frozenset({"today", "yesterday", "week", "thisweek", "lastweek", "month", "thismonth",
                             "lastmonth"})
WINDOW_FORMS = ("a duration (30m, 24h, 7d, 2w), today, yesterday, week (since Monday), lastweek, "
                "month (since the 1st), lastmonth, or START,END in RFC3339 "
                "(e.g. 2026-11-01T00:00:00Z,2026-11-08T00:00:00Z)")
RESOLUTION_FORMS = ("a duration like 30s, 1m, 5m, 15m or 1h between 15s and 1d that divides an hour "
                    "or is whole hours")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_RESOLUTION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$", re.IGNORECASE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_Span = tuple[datetime, datetime]


def parse_window_hours(text: str) -> float:
    """`"30m"` → 0.5, `"24h"` → 24.0, `"7d"` → 168.0; anything else is an InputError naming `--window`."""
    if text.strip().lower() in HISTORY_WINDOWS or "," in text:
        raise InputError(
            f"window {text!r} covers calendar time and needs a history source: add --prometheus URL, "
            "or give a duration like 30m, 24h or 7d",
            field="--window",
        )
    hours = _duration_hours(text)
    if hours is None:
        raise InputError(f"window {text!r}: expected a duration like 30m, 24h or 7d", field="--window")
    return hours


def parse_resolution(text: str) -> float:
    """`"5m"` → 300.0 seconds; between 15 s and 1 d, dividing an hour or whole hours, else an InputError naming
    `--resolution`."""
    match = _RESOLUTION.match(text)
    if match is None:
        raise InputError(f"resolution {text!r}: expected {RESOLUTION_FORMS}", field="--resolution")
    seconds = float(int(match.group(1)) * SECONDS_PER_UNIT[match.group(2).lower()])
    if not MIN_RESOLUTION_S <= seconds <= MAX_RESOLUTION_S:
        raise InputError(f"resolution {text!r} is out of range: expected {RESOLUTION_FORMS}", field="--resolution")
    if 3600 % seconds and seconds % 3600:
        raise InputError(f"resolution {text!r} neither divides an hour nor is whole hours (CPU and memory are billed "
                         f"per hour, so every hour must hold whole steps): expected {RESOLUTION_FORMS}",
                         field="--resolution")
    return seconds


def parse_window(text: str, *, now: datetime, history: bool,
                 resolution_s: float = DEFAULT_RESOLUTION_S) -> Window:
    """`--window` text → Window in UTC (see the module docstring for the forms and the rounding)."""
    now = _utc(now, "now")
    if not history:
        return Window.ending_at(now, parse_window_hours(text))
    key = text.strip().lower()
    if "," in key:
        span = _explicit(text, now)
    elif key in HISTORY_WINDOWS:
        span = _calendar(key, now, resolution_s)
    else:
        span = _duration_window(text, now, resolution_s)
    return _window(text, span, resolution_s)


def format_step(seconds: float) -> str:
    """300.0 → `5m`, 3600.0 → `1h`, 90.0 → `90s`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def floor_to_step(moment: datetime, step_s: float) -> datetime:
    """`moment` rounded down to a multiple of `step_s` since the Unix epoch."""
    micros = (moment - _EPOCH) // timedelta(microseconds=1)
    step_us = round(step_s * 1_000_000)
    return _EPOCH + timedelta(microseconds=micros - micros % step_us)


def _duration_hours(text: str) -> float | None:
    match = _DURATION.match(text)
    if match is None:
        return None
    hours = float(match.group(1)) * HOURS_PER_UNIT[match.group(2).lower()]
    if hours <= 0:
        raise InputError(f"window {text!r}: must be longer than zero", field="--window")
    if hours > MAX_WINDOW_HOURS:
        raise InputError(f"window {text!r}: at most 366d", field="--window")
    return hours


def _duration_window(text: str, now: datetime, resolution_s: float) -> _Span:
    hours = _duration_hours(text)
    if hours is None:
        raise InputError(f"window {text!r}: expected {WINDOW_FORMS}", field="--window")
    end = floor_to_step(now, resolution_s)
    return end - timedelta(hours=hours), end


def _calendar(key: str, now: datetime, resolution_s: float) -> _Span:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = midnight - timedelta(days=midnight.weekday())
    first = midnight.replace(day=1)
    end_now = floor_to_step(now, resolution_s)
    spans: dict[str, _Span] = {
        "today": (midnight, end_now),
        "yesterday": (midnight - timedelta(days=1), midnight),
        "week": (monday, end_now),
        "thisweek": (monday, end_now),
        "lastweek": (monday - timedelta(days=7), monday),
        "month": (first, end_now),
        "thismonth": (first, end_now),
        "lastmonth": ((first - timedelta(days=1)).replace(day=1), first),
    }
    return spans[key]


def _explicit(text: str, now: datetime) -> _Span:
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"window {text!r}: expected START,END (two RFC3339 times); or {WINDOW_FORMS}",
                         field="--window")
    start, end = (_rfc3339(part, text) for part in parts)
    if end <= start:
        raise InputError(f"window {text!r}: END {end.isoformat()} must be after START {start.isoformat()}",
                         field="--window")
    if end > now:
        raise InputError(f"window {text!r}: END {end.isoformat()} is in the future (now is {now.isoformat()})",
                         field="--window")
    if (end - start) > timedelta(hours=MAX_WINDOW_HOURS):
        raise InputError(f"window {text!r}: at most 366d", field="--window")
    return start, end


def _rfc3339(part: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(part.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(
            f"window {text!r}: {part.strip()!r} is not an RFC3339 time with a zone, like 2026-11-01T00:00:00Z "
            "or 2026-11-01T02:00:00+02:00",
            field="--window",
        )
    return moment.astimezone(UTC)


def _window(text: str, span: _Span, resolution_s: float) -> Window:
    start, end = span
    if (end - start).total_seconds() < resolution_s:
        raise InputError(
            f"window {text!r} is [{start.isoformat()}, {end.isoformat()}), shorter than one --resolution step "
            f"({format_step(resolution_s)}); use a longer window or a finer --resolution",
            field="--window",
        )
    return Window(start=start, end=end)


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)
