from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from genaicost.app.window import floor_to_step, format_step, parse_resolution, parse_window, parse_window_hours
from genaicost.domain.errors import InputError
from genaicost.domain.window import Window

NOW = datetime(2026, 11, 28, 15, 4, 31, tzinfo=UTC)  # a Saturday


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


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
        ("today", "needs a history source: add --prometheus URL"),
        ("lastmonth", "needs a history source"),
        ("2026-11-01T00:00:00Z,2026-11-02T00:00:00Z", "needs a history source"),
    ],
)
def test_rejects(text: str, message: str) -> None:
    with pytest.raises(InputError, match="--window") as info:
        parse_window_hours(text)
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "resolution_s", "start", "end"), [
    # windows ending now end at now floored to the resolution
    ("30m", 300, "2026-11-28T14:30", "2026-11-28T15:00"),
    ("24h", 300, "2026-11-27T15:00", "2026-11-28T15:00"),
    ("7d", 60, "2026-11-21T15:04", "2026-11-28T15:04"),
    ("2w", 3600, "2026-11-14T15:00", "2026-11-28T15:00"),
    ("today", 300, "2026-11-28T00:00", "2026-11-28T15:00"),
    ("today", 60, "2026-11-28T00:00", "2026-11-28T15:04"),
    ("TODAY", 15, "2026-11-28T00:00", "2026-11-28T15:04:30"),
    ("week", 300, "2026-11-23T00:00", "2026-11-28T15:00"),        # since Monday
    ("month", 3600, "2026-11-01T00:00", "2026-11-28T15:00"),
    # completed calendar windows end at midnight
    ("yesterday", 300, "2026-11-27T00:00", "2026-11-28T00:00"),
    ("lastweek", 300, "2026-11-16T00:00", "2026-11-23T00:00"),
    ("lastmonth", 300, "2026-10-01T00:00", "2026-11-01T00:00"),
    # explicit pairs, used as given, offsets converted to UTC
    ("2026-11-01T00:00:00Z,2026-11-08T00:00:00Z", 300, "2026-11-01T00:00", "2026-11-08T00:00"),
    ("2026-11-01T02:00:00+02:00, 2026-11-01T12:07:00+00:00", 300, "2026-11-01T00:00", "2026-11-01T12:07"),
    ("2026-11-28T14:00:00Z,2026-11-28T15:04:31Z", 300, "2026-11-28T14:00", "2026-11-28T15:04:31"),
])
def test_history_windows(text: str, resolution_s: float, start: str, end: str) -> None:
    window = parse_window(text, now=NOW, history=True, resolution_s=resolution_s)
    assert window == Window(utc(start), utc(end))
    assert window.start.tzinfo is not None and window.start.utcoffset() == timedelta(0)


def test_lastmonth_across_a_year_boundary() -> None:
    january = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    window = parse_window("lastmonth", now=january, history=True)
    assert window == Window(utc("2026-12-01T00:00"), utc("2027-01-01T00:00"))


def test_now_in_another_zone_is_converted_to_utc() -> None:
    tokyo_now = NOW.astimezone(ZoneInfo("Asia/Tokyo"))  # 2026-11-29 00:04:31+09:00: already the 29th there
    window = parse_window("today", now=tokyo_now, history=True)
    assert window == Window(utc("2026-11-28T00:00"), utc("2026-11-28T15:00"))


def test_instant_sources_end_exactly_at_now() -> None:
    assert parse_window("24h", now=NOW, history=False) == Window(NOW - timedelta(hours=24), NOW)


@pytest.mark.parametrize(("text", "now", "message"), [
    ("today", NOW, "needs a history source: add --prometheus URL"),
    ("week", NOW, "needs a history source"),
    ("2026-11-01T00:00:00Z,2026-11-08T00:00:00Z", NOW, "needs a history source"),
])
def test_calendar_windows_need_history(text: str, now: datetime, message: str) -> None:
    with pytest.raises(InputError, match="--window") as info:
        parse_window(text, now=now, history=False)
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "now", "message"), [
    ("fortnight", NOW, "expected a duration (30m, 24h, 7d, 2w), today, yesterday, week"),
    ("fortnight", NOW, "or START,END in RFC3339"),
    ("0m", NOW, "must be longer than zero"),
    ("400d", NOW, "at most 366d"),
    ("2026-11-08T00:00:00Z,2026-11-01T00:00:00Z", NOW, "END 2026-11-01T00:00:00+00:00 must be after START"),
    ("2026-11-01T00:00:00Z,2026-11-01T00:00:00Z", NOW, "must be after START"),
    ("2026-11-01T00:00:00Z,2026-11-30T00:00:00Z", NOW, "is in the future (now is 2026-11-28T15:04:31+00:00)"),
    ("2026-11-01T00:00:00,2026-11-02T00:00:00Z", NOW, "'2026-11-01T00:00:00' is not an RFC3339 time with a zone"),
    ("yesterday,today", NOW, "'yesterday' is not an RFC3339 time"),
    ("2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,2026-11-03T00:00:00Z", NOW, "expected START,END"),
    ("2024-01-01T00:00:00Z,2026-11-01T00:00:00Z", NOW, "at most 366d"),
    ("today", utc("2026-11-28T00:02"), "shorter than one --resolution step (5m)"),
    ("week", utc("2026-11-23T00:00"), "is [2026-11-23T00:00:00+00:00, 2026-11-23T00:00:00+00:00)"),
    ("2m", NOW, "shorter than one --resolution step (5m)"),
    ("2026-11-28T14:00:00Z,2026-11-28T14:04:00Z", NOW, "shorter than one --resolution step"),
])
def test_history_window_errors(text: str, now: datetime, message: str) -> None:
    with pytest.raises(InputError, match="--window") as info:
        parse_window(text, now=now, history=True)
    assert message in str(info.value)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_window("1h", now=datetime(2026, 11, 28), history=True)


@pytest.mark.parametrize(("text", "seconds"), [
    ("15s", 15.0), ("30s", 30.0), ("1m", 60.0), ("5m", 300.0), (" 1H ", 3600.0), ("1d", 86400.0), ("90s", 90.0),
    ("45s", 45.0), ("12m", 720.0), ("30m", 1800.0), ("2h", 7200.0), ("5h", 18000.0),
])
def test_resolutions(text: str, seconds: float) -> None:
    assert parse_resolution(text) == seconds


@pytest.mark.parametrize(("text", "message"), [
    ("10s", "out of range: expected a duration like 30s, 1m, 5m, 15m or 1h between 15s and 1d"),
    ("7m", "neither divides an hour nor is whole hours"),
    ("90m", "neither divides an hour nor is whole hours"),
    ("2d", "out of range"),
    ("0m", "out of range"),
    ("5", "expected a duration like 30s"),
    ("1.5m", "expected a duration like 30s"),
    ("fast", "resolution 'fast'"),
])
def test_resolution_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match="--resolution") as info:
        parse_resolution(text)
    assert message in str(info.value)


@pytest.mark.parametrize(("seconds", "text"), [(300, "5m"), (3600, "1h"), (86400, "1d"), (90, "90s"), (15, "15s")])
def test_format_step(seconds: float, text: str) -> None:
    assert format_step(seconds) == text


def test_floor_to_step_is_epoch_aligned() -> None:
    assert floor_to_step(NOW, 300) == utc("2026-11-28T15:00")
    assert floor_to_step(NOW, 420).timestamp() % 420 == 0
    assert floor_to_step(utc("2026-11-28T15:00"), 300) == utc("2026-11-28T15:00")
