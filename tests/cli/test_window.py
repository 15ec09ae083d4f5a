from __future__ import annotations

import pytest

from genaicost.app.window import parse_window_hours
from genaicost.domain.errors import InputError


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("30m", 0.5),
        ("90m", 1.5),
        ("1h", 1.0),
        ("24h", 24.0),
        ("7d", 168.0),
        ("1w", 168.0),
        ("1.5h", 1.5),
        (" 2H ", 2.0),
        ("366d", 8784.0),
    ],
)
def test_durations(text: str, hours: float) -> None:
    assert parse_window_hours(text) == pytest.approx(hours)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x", "window '3x': expected a duration like 30m, 24h or 7d"),
        ("", "expected a duration"),
        ("h", "expected a duration"),
        ("-1h", "expected a duration"),
        ("1h30m", "expected a duration"),
        ("0h", "must be longer than zero"),
        ("367d", "at most 366d"),
        ("today", "needs a history source"),
        ("lastmonth", "needs a history source"),
    ],
)
def test_rejects(text: str, message: str) -> None:
    with pytest.raises(InputError, match="--window") as info:
        parse_window_hours(text)
    assert message in str(info.value)
