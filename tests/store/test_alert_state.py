"""Alert state and delivery records in the store, on SQLite and PostgreSQL (migration 0002)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from genaicost.actions.notifiers import DeliveryRecord
from genaicost.cli.main import app
from genaicost.domain.alert import Alert, AlertState
from genaicost.engine.budgets_dedupe import dedupe
from genaicost.store import HistoryStore, HourMeta, open_store
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


BUDGETS = """\
notifiers:
  log: {type: log, settings: {level: info}}
budgets:
  - name: llm-sprint
    scope: {kind: namespace, value: llm}
    period: custom
    starts_on: START
    period_days: 30
    amount_usd: 500
    thresholds: [{percent: 10}, {percent: 100, of: forecast, severity: critical}]
    notify: [log]
"""


def test_budgets_check_on_the_store_keeps_its_state_there(store: HistoryStore, store_url: str,
                                                          tmp_path: Path) -> None:
    """The 3 UTC days before today: namespace llm $1/h. Custom 30-day period from the first of them."""
    day0 = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=3)
    rows = pl.DataFrame([{"kind": "namespace", "key": "llm", "namespace": "llm", "total_usd": 1.0}])
    for hour in range(72):
        store.write_hour("c1", int((day0 + timedelta(hours=hour)).timestamp()), rows,
                         HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=1.0))
    path = tmp_path / "budgets.yaml"
    path.write_text(BUDGETS.replace("START", day0.date().isoformat()))
    args = ["budgets", "check", str(path), "--store", store_url, "--format", "json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    (status,) = data["budgets"]
    # 3 × 24 h × $1 = $72 = 14.4 % of $500; constant → 72 + 27 × $24 = $720 = 144 %
    assert data["as_of"] == (day0 + timedelta(days=2)).date().isoformat()
    assert status["actual_usd"] == pytest.approx(72.0) and status["forecast_usd"] == pytest.approx(720.0)
    assert sorted(a["key"] for a in data["notified"]) == ["budget:llm-sprint:threshold:100:forecast",
                                                          "budget:llm-sprint:threshold:10:actual"]
    assert not (tmp_path / "budgets.alert-state.json").exists()          # the state is in the store
    assert sorted(load_alert_state(store).entries) == sorted(a["key"] for a in data["notified"])
    [delivery] = recent_deliveries(store)
    assert delivery["target"] == "log" and delivery["ok"] and len(delivery["alert_keys"]) == 2
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.stdout)["notified"] == []
    assert len(recent_deliveries(store)) == 1
