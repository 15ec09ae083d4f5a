"""De-duplication, re-notify interval and resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from genaicost.domain.alert import Alert, AlertState
from genaicost.engine.budgets_dedupe import dedupe

T0 = datetime(2026, 11, 18, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def alert(key: str, at: datetime, severity: str = "warning") -> Alert:
    return Alert(key=key, rule="threshold", budget="b", severity=severity, summary=key,  # type: ignore[arg-type]
                 value=1.0, threshold=1.0, starts_at=at)


def test_new_then_quiet_then_renotified_then_resolved() -> None:
    sent, state = dedupe([alert("a", T0)], AlertState(), T0, DAY)
    assert [a.key for a in sent] == ["a"] and state.entries["a"].last_notified_at == T0
    # 5 min later, still firing: nothing sent, starts_at kept
    sent, state = dedupe([alert("a", T0 + timedelta(minutes=5))], state, T0 + timedelta(minutes=5), DAY)
    assert sent == [] and state.entries["a"].alert.starts_at == T0 and state.entries["a"].last_notified_at == T0
    # 23 h 59 min after the notification: still quiet; at 24 h: re-notified
    sent, state = dedupe([alert("a", T0)], state, T0 + DAY - timedelta(minutes=1), DAY)
    assert sent == []
    sent, state = dedupe([alert("a", T0)], state, T0 + DAY, DAY)
    assert [a.key for a in sent] == ["a"] and state.entries["a"].last_notified_at == T0 + DAY
    # gone: one resolved notification, then nothing
    sent, state = dedupe([], state, T0 + 2 * DAY, DAY)
    assert [(a.key, a.status, a.ends_at, a.starts_at) for a in sent] == [("a", "resolved", T0 + 2 * DAY, T0)]
    assert state.entries == {}
    sent, state = dedupe([], state, T0 + 3 * DAY, DAY)
    assert sent == []


def test_severity_change_notifies_at_once() -> None:
    _, state = dedupe([alert("a", T0)], AlertState(), T0, DAY)
    sent, state = dedupe([alert("a", T0, "critical")], state, T0 + timedelta(hours=1), DAY)
    assert [(a.key, a.severity) for a in sent] == [("a", "critical")]


def test_state_round_trips_json() -> None:
    _, state = dedupe([alert("a", T0), alert("b", T0)], AlertState(), T0, DAY)
    again = AlertState.model_validate_json(state.model_dump_json())
    sent, _ = dedupe([alert("a", T0)], again, T0 + timedelta(hours=1), DAY)
    assert [(a.key, a.status) for a in sent] == [("b", "resolved")]
