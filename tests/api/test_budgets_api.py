"""/budgets and /alerts over a hand-made store (8 complete days), and serve's evaluation after a collection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import polars as pl
import pytest
from fastapi import FastAPI

from genaicost.api.app import create_app
from genaicost.app.budgets_monitor import BudgetsMonitor, collector_thread
from genaicost.app.collect import Collector
from genaicost.app.serve_settings import CollectSettings, ServeSettings
from genaicost.app.serve_state import ServeState
from genaicost.domain.errors import InputError
from genaicost.store import HistoryStore, HourMeta, open_store

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DAY0 = datetime(2026, 11, 10, tzinfo=UTC)
NOW = datetime(2026, 11, 18, 6, tzinfo=UTC)
META = HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=3.5)

BUDGETS = """\
notifiers:
  log: {type: log, settings: {level: info}}
budgets:
  - name: llm-monthly
    scope: {kind: namespace, value: llm}
    period: monthly
    amount_usd: 1000
    thresholds:
      - {percent: 30}
      - {percent: 50}
      - {percent: 100, of: forecast, severity: critical}
    notify: [log]
rules:
  - {name: idle-gpus, type: idle-gpu, max_daily_usd: 20, notify: [log]}
  - {name: llama-price, type: token-price, model: llama, target_usd_per_1m_tokens: 0.4, window_days: 2}
"""


def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(run())


def day_store(path: Path) -> HistoryStore:
    """Nov 10..17, every hour: llm $2, web $0.50, cluster idle $1 (all GPU), model llm/llama $1 for 2M tokens."""
    store = open_store(f"sqlite:///{path}")
    rows = pl.DataFrame([
        {"kind": "namespace", "key": "llm", "namespace": "llm", "total_usd": 2.0},
        {"kind": "namespace", "key": "web", "namespace": "web", "total_usd": 0.5},
        {"kind": "idle", "key": "__idle__", "gpu_usd": 1.0, "total_usd": 1.0},
        {"kind": "model", "key": "llm/llama", "namespace": "llm", "model": "llama", "total_usd": 1.0,
         "input_tokens": 1.5e6, "output_tokens": 0.5e6},
    ], infer_schema_length=None)
    for hour in range(8 * 24):
        store.write_hour("c1", int((DAY0 + timedelta(hours=hour)).timestamp()), rows, META)
    return store


@pytest.fixture
def served(tmp_path: Path) -> tuple[FastAPI, BudgetsMonitor]:
    store = day_store(tmp_path / "h.db")
    (tmp_path / "budgets.yaml").write_text(BUDGETS)
    monitor = BudgetsMonitor(tmp_path / "budgets.yaml", store)
    app = create_app(ServeSettings(store_url=f"sqlite:///{tmp_path / 'h.db'}", api_token=TOKEN), store=store)
    app.state.budgets = monitor
    return app, monitor


def test_budgets_and_alerts_by_hand(served: tuple[FastAPI, BudgetsMonitor]) -> None:
    app, monitor = served
    before = get(app, "/budgets", AUTH).json()
    assert before["budgets"] == [] and before["evaluated_at"] is None
    monitor.evaluate(NOW)
    body = get(app, "/budgets", AUTH).json()
    assert body["as_of"] == "2026-11-17"          # Nov 18 is not complete
    assert body["warnings"] == []                 # namespace llm and model llama are in the store
    (llm,) = body["budgets"]
    # Nov 10..17: 8 days × 24 h × $2 = $384 = 38.4 % of $1,000; constant → forecast 384 + 13 × $48 = $1,008
    assert llm["actual_usd"] == pytest.approx(384.0) and llm["percent_used"] == pytest.approx(38.4)
    assert llm["forecast_usd"] == pytest.approx(1008.0)
    assert [t["crossed"] for t in llm["thresholds"]] == [True, False, True]
    # idle GPU $24 on Nov 17 > $20; llama: 2 days × $24 ÷ 96M tokens = $0.50 per 1M > $0.40
    keys = {a["key"]: a for a in body["alerts"]}
    assert sorted(keys) == ["budget:llm-monthly:threshold:100:forecast", "budget:llm-monthly:threshold:30:actual",
                            "rule:idle-gpus:idle-gpu", "rule:llama-price:token-price:llama"]
    assert keys["rule:idle-gpus:idle-gpu"]["value"] == pytest.approx(24.0)
    assert keys["rule:llama-price:token-price:llama"]["value"] == pytest.approx(0.5)

    alerts = get(app, "/alerts", AUTH).json()
    assert sorted(a["key"] for a in alerts["alerts"]) == sorted(keys)
    assert all(a["last_notified_at"] == "2026-11-18T06:00:00+00:00" for a in alerts["alerts"])
    # llm-monthly's and idle-gpus' alerts went to the log notifier in one batch; llama-price has no target
    (delivery,) = alerts["deliveries"]
    assert delivery["target"] == "log" and delivery["ok"] and len(delivery["alert_keys"]) == 3

    # an hour later nothing new is notified; the deliveries stay one
    monitor.evaluate(NOW + timedelta(hours=1))
    assert len(get(app, "/alerts", AUTH).json()["deliveries"]) == 1


def test_auth_and_not_configured(served: tuple[FastAPI, BudgetsMonitor], tmp_path: Path) -> None:
    app, _ = served
    assert get(app, "/budgets").status_code == 401
    plain = create_app(ServeSettings(store_url=f"sqlite:///{tmp_path / 'h.db'}", api_token=TOKEN))
    resp = get(plain, "/alerts", AUTH)
    assert resp.status_code == 404 and "--budgets FILE" in resp.json()["message"]


def test_misconfigured_notifier_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(BUDGETS.replace("{type: log, settings: {level: info}}",
                                                     "{type: webhook, settings: {}}"))
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        with pytest.raises(InputError, match=r"notifiers\.log.*settings\.url"):
            BudgetsMonitor(tmp_path / "b.yaml", store)
    finally:
        store.close()


@pytest.mark.slow
def test_collector_thread_evaluates_after_a_collection(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'h.db'}")
    (tmp_path / "b.yaml").write_text(BUDGETS)
    try:
        monitor = BudgetsMonitor(tmp_path / "b.yaml", store)
        state = ServeState()
        collector = Collector(CollectSettings(demo=True, demo_history_days=2), store)
        thread = collector_thread(collector, state, 3600, monitor)
        thread.collect_once()
        result, at, error = monitor.snapshot()
        assert error is None and at is not None and result is not None and state.last_error is None
        assert result.evaluation.as_of is not None       # the demo history has complete days
        assert [s.name for s in result.evaluation.statuses] == ["llm-monthly"]
    finally:
        store.close()


def test_a_failed_evaluation_is_logged_and_shown_not_raised(served: tuple[FastAPI, BudgetsMonitor]) -> None:
    from sqlalchemy import text

    app, monitor = served
    monitor.evaluate(NOW)
    with monitor.store.engine.begin() as conn:
        conn.execute(text("DROP TABLE alert_state"))
    monitor.evaluate_safely(NOW + timedelta(hours=1))           # must not raise
    body = get(app, "/budgets", AUTH).json()
    assert body["error"] is not None and "alert_state" in body["error"]
    assert body["budgets"][0]["actual_usd"] == pytest.approx(384.0)   # the last good evaluation stays
