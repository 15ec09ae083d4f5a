"""`/recommendations`: the latest collection's recommendations, the same as `genaicost recommend` on its source."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.api.test_api import AUTH, TOKEN, get

from genaicost.api.app import create_app
from genaicost.app.collect import Collector
from genaicost.app.serve_settings import CollectSettings, ServeSettings
from genaicost.store import open_store


def _app(tmp_path: Path, **collect: bool) -> tuple[object, Collector]:
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    app = create_app(ServeSettings(store_url="unused", api_token=TOKEN), store=store)
    return app, Collector(CollectSettings(demo=True, demo_history_days=0, **collect), store)


def test_recommendations_follow_the_latest_collection(tmp_path: Path) -> None:
    app, collector = _app(tmp_path)
    assert get(app, "/recommendations", AUTH).status_code == 503
    assert get(app, "/recommendations").status_code == 401
    now = datetime.now(UTC)
    app.state.serve_state.record_success(collector.collect(now).latest, now)
    body = get(app, "/recommendations", AUTH).json()
    cli = str(Path(sys.executable).parent / "genaicost")
    out = subprocess.run([cli, "recommend", "--demo", "--spot-prices", "bundled", "--format", "json"],
                         capture_output=True, text=True, check=True, timeout=120)
    alone = json.loads(out.stdout)
    assert body["total_monthly_savings_usd"] == alone["total_monthly_savings_usd"] > 0
    assert [r["target"] for r in body["recommendations"]] == [r["target"] for r in alone["recommendations"]]
    assert all(r["evidence"] for r in body["recommendations"])
    # the report of the same collection carries them too
    assert get(app, "/report", AUTH).json()["recommendations"] == body


def test_recommendations_off(tmp_path: Path) -> None:
    app, collector = _app(tmp_path, recommendations=False)
    now = datetime.now(UTC)
    app.state.serve_state.record_success(collector.collect(now).latest, now)
    resp = get(app, "/recommendations", AUTH)
    assert resp.status_code == 404 and resp.json()["code"] == 404
