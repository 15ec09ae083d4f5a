"""Alert state and delivery records in the store, on SQLite and PostgreSQL (migration 0002)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, text

from genaicost.actions.notifiers import DeliveryRecord
from genaicost.domain.alert import Alert, AlertState
from genaicost.engine.budgets_dedupe import dedupe
from genaicost.store import HistoryStore, open_store
from genaicost.store.alerts import load_alert_state, recent_deliveries, record_deliveries, save_alert_state

T0 = datetime(2026, 11, 18, 6, tzinfo=UTC)


def alert(key: str, severity: str = "warning") -> Alert:
    return Alert(key=key, rule="threshold", budget="llm", severity=severity, summary=f"{key} fired",  # type: ignore[arg-type]
                 value=812.5, threshold=800.0, labels={"owner": "llm", "scope": "namespace llm"}, starts_at=T0)


def test_migration_creates_the_tables(store: HistoryStore) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"alert_state", "alert_deliveries", "collected_hours", "rollups"} <= tables
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"


def test_state_round_trip_and_dedupe_across_processes(store: HistoryStore, store_url: str) -> None:
    assert load_alert_state(store) == AlertState()
    sent, state = dedupe([alert("a"), alert("b", "critical")], AlertState(), T0, timedelta(hours=24))
    assert len(sent) == 2
    save_alert_state(store, state)
    again = open_store(store_url)        # another process: same state
    try:
        loaded = load_alert_state(again)
    finally:
        again.close()
    assert loaded == state
    assert loaded.entries["a"].alert.value == 812.5 and loaded.entries["a"].last_notified_at == T0
    sent, state = dedupe([alert("a")], loaded, T0 + timedelta(hours=1), timedelta(hours=24))
    assert [(a.key, a.status) for a in sent] == [("b", "resolved")]
    save_alert_state(store, state)
    assert list(load_alert_state(store).entries) == ["a"]


def test_deliveries_recorded_newest_first(store: HistoryStore) -> None:
    record_deliveries(store, [
        DeliveryRecord(target="ops", alert_keys=["a"], ok=True, attempts=1, at=T0),
        DeliveryRecord(target="slack", alert_keys=["a", "b"], ok=False, attempts=4, error="HTTP 503",
                       at=T0 + timedelta(seconds=7)),
    ])
    rows = recent_deliveries(store)
    assert [(r["target"], r["alert_keys"], r["ok"], r["attempts"], r["error"]) for r in rows] == [
        ("slack", ["a", "b"], False, 4, "HTTP 503"), ("ops", ["a"], True, 1, None)]
    assert rows[0]["at"] == "2026-11-18T06:00:07+00:00"
