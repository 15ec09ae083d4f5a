"""GET /forecast in-process over a hand-built store: the numbers of genaicost forecast --store, 400 on bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import polars as pl
import pytest
from fastapi import FastAPI

from genaicost.api.app import create_app
from genaicost.app.serve_settings import ServeSettings
from genaicost.store import HourMeta, open_store

TOKEN = "forecast-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(run())


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """The 3 whole UTC days before today: namespace llm $2/h, web $1/h on the first two days and $4/h on the last;
    __idle__ $0.5/h; overhead $0.1/h. Plus two hours of today (incomplete, never used)."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = open_store(url)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=3)
    for h in range(3 * 24 + 2):
        web = 4.0 if h // 24 == 2 else 1.0
        rows = [{"kind": "namespace", "key": "llm", "namespace": "llm", "total_usd": 2.0},
                {"kind": "namespace", "key": "web", "namespace": "web", "total_usd": web},
                {"kind": "idle", "key": "__idle__", "total_usd": 0.5},
                {"kind": "overhead", "key": "__overhead__", "total_usd": 0.1}]
        store.write_hour("c1", int(first.timestamp()) + 3600 * h, pl.DataFrame(rows),
                         HourMeta(source="test", exact=True, prices_as_of="2026-11-01", total_usd=2.6 + web))
    return create_app(ServeSettings(store_url=url, api_token=TOKEN), store=store)


def test_forecast_total_and_per_namespace(app: FastAPI) -> None:
    resp = get(app, "/forecast?horizon=2", AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["model"] == "mean" and len(body["forecast"]) == 2
    # days: 24 × 3.6 = 86.4, 86.4, 24 × 6.6 = 158.4 → mean 110.4
    assert body["forecast"][0]["cost_usd"] == 110.4
    assert set(body["forecast"][0]) == {"date", "cost_usd", "lower_80", "upper_80", "lower_95", "upper_95"}
    resp = get(app, "/forecast?horizon=1&aggregate=namespace", AUTH)
    assert resp.status_code == 200, resp.text
    series = {s["key"]: s for s in resp.json()["series"]}
    assert set(series) == {"llm", "web", "__idle__", "__overhead__"}
    assert series["llm"]["model"] == "constant" and series["llm"]["forecast"][0]["cost_usd"] == 48.0
    assert series["web"]["forecast"][0]["cost_usd"] == 48.0                  # mean of 24, 24, 96
    assert series["__overhead__"]["forecast"][0]["upper_95"] == 2.4


def test_forecast_errors_are_400_json(app: FastAPI) -> None:
    assert get(app, "/forecast").status_code == 401
    resp = get(app, "/forecast?aggregate=pod", AUTH)
    assert resp.status_code == 400 and "unknown aggregate 'pod'" in resp.json()["message"]
    resp = get(app, "/forecast?horizon=0", AUTH)
    assert resp.status_code == 400 and "horizon" in resp.json()["message"]
    resp = get(app, "/forecast?backtest=true", AUTH)
    assert resp.status_code == 400 and "a backtest needs at least 21" in resp.json()["message"]
    resp = get(app, "/forecast?cluster=nope", AUTH)
    assert resp.status_code == 400 and "no complete day" in resp.json()["message"]
