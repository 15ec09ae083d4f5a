"""The dashboard in Debian's headless Chromium against a running server (create_app + a filled history store).

The store holds 7 days of the generated demo history plus, for the current hour, the demo cluster with vLLM token
counters (test_metrics.demo_with_tokens), so every chart has data; the page must show the API's numbers.
"""

from __future__ import annotations

import re
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from test_metrics import LLAMA, demo_with_tokens
from test_metrics_prometheus import ThreadedServer

from genaicost.api.app import create_app
from genaicost.app.budgets_monitor import BudgetsMonitor
from genaicost.app.collect import Collector
from genaicost.app.serve_settings import CollectSettings, ServeSettings
from genaicost.app.spot_prices import SpotPrices
from genaicost.sources.snapshot_file import save_snapshot
from prom.backfill import binary

TOKEN = "dashboard-test-token"
CHARTS = ("chart-time", "chart-breakdown", "chart-tokens", "chart-idle-gpu")
BUDGETS = """\
budgets:
  - name: cluster-monthly
    scope: {kind: cluster}
    period: monthly
    amount_usd: 100
    thresholds: [{percent: 50}, {percent: 100, of: forecast, severity: critical}]
  - name: dev-weekly
    scope: {kind: namespace, value: ml-dev}
    period: weekly
    amount_usd: 100000
    thresholds: [{percent: 90}]
"""


@dataclass
class Served:
    url: str
    tmp: Path

    def api(self, path: str) -> dict:
        resp = httpx.get(self.url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30.0)
        resp.raise_for_status()
        body: dict = resp.json()
        return body


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("dashboard")
    now = datetime.now(UTC)
    settings = ServeSettings(store_url=f"sqlite:///{tmp / 'history.db'}", api_token=TOKEN,
                             collect=CollectSettings(demo=True, demo_history_days=7))
    app = create_app(settings)
    Collector(settings.collect, app.state.store).collect(now)            # 7 days of demo history + this hour
    tokens = tmp / "tokens.json"
    save_snapshot(demo_with_tokens(now), tokens)
    result = Collector(CollectSettings(snapshot_files=(tokens,), spot_prices=SpotPrices.bundled),
                       app.state.store).collect(now)                     # this hour again, with token counts
    app.state.serve_state.record_success(result.latest, now)
    (tmp / "budgets.yaml").write_text(BUDGETS)
    app.state.budgets = BudgetsMonitor(tmp / "budgets.yaml", app.state.store)
    app.state.budgets.evaluate(now)                                      # what serve does after a collection
    with ThreadedServer(app) as server:
        yield Served(f"http://127.0.0.1:{server.port}", tmp)
    app.state.store.close()


def chromium(tmp: Path, url: str, *extra: str) -> str:
    proc = subprocess.run(
        [binary("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=15000",
         *extra, url],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def section(dom: str, element_id: str) -> str:
    """The DOM from the element with that id to the end of its <section>."""
    start = dom.index(f'id="{element_id}"')
    return dom[start:dom.index("</section>", start)]


def values(fragment: str) -> list[float]:
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', fragment)]


def contains(found: list[float], expected: float) -> bool:
    return any(v == pytest.approx(expected, rel=1e-12, abs=1e-12) for v in found)


@pytest.mark.slow
def test_charts_render_with_the_api_numbers(served: Served) -> None:
    dom = chromium(served.tmp, f"{served.url}/#token={TOKEN}", "--dump-dom")
    assert 'data-state="ready"' in dom, dom[-3000:]
    for chart in CHARTS:   # plotly drew an SVG with bars in every chart
        part = section(dom, chart)
        assert 'class="main-svg"' in part and part.count('class="point"') >= 1, chart

    report = served.api("/report")
    assert f'id="prices-as-of">{report["prices_as_of"]}<' in dom
    assert f'id="cluster">{report["cluster"]}<' in dom
    hourly = re.search(r'id="kpi-hourly"[^>]*data-value="([^"]+)"', dom)
    assert hourly and float(hourly[1]) == pytest.approx(report["totals"]["hourly_usd"], rel=1e-12)

    time_chart = section(dom, "chart-time")   # 7 days stacked: one bar per day and namespace with cost
    steps = served.api("/allocation?window=7d&step=1d&accumulate=false&aggregate=namespace&includeIdle=true")["data"]
    assert time_chart.count('class="point"') >= len([s for s in steps if s]) >= 7
    for name in steps[-1]:
        assert f">{name}<" in time_chart   # every namespace in the legend

    week = served.api("/allocation?window=7d&aggregate=namespace&accumulate=true&includeIdle=true")["data"][0]
    breakdown = values(section(dom, "table-breakdown"))
    for name, line in week.items():
        assert f"<td>{name}</td>" in section(dom, "table-breakdown")
        assert contains(breakdown, line["totalCost"]) and contains(breakdown, line["gpuCost"]), name

    models = [m for m in served.api("/inference?window=7d")["data"] if m["usd_per_1m_tokens"] is not None]
    assert [m["model"] for m in models] == [LLAMA]
    tokens = values(section(dom, "table-tokens"))
    for key in ("usd_per_1m_tokens", "usd_per_1m_input_tokens", "usd_per_1m_output_tokens", "cost_usd"):
        assert contains(tokens, models[0][key]), key
    assert "last 7 days" in section(dom, "tokens-source")

    idle = values(section(dom, "table-idle-gpu"))
    for node in report["nodes"]:
        if node["gpu_count"] > 0:
            assert contains(idle, node["idle_gpu_usd"] / node["hours"]), node["name"]
    assert "5 spot nodes priced from the bundled spot snapshot" in section(dom, "warnings")


@pytest.mark.slow
def test_a_wrong_token_shows_the_401_text_and_the_form(served: Served) -> None:
    dom = chromium(served.tmp, f"{served.url}/#token=wrong", "--dump-dom")
    assert 'data-state="error"' in dom
    assert "401 Unauthorized: the API did not accept the token (wrong bearer token" in dom
    assert re.search(r'<form id="token-form"(?![^>]*hidden)', dom)


@pytest.mark.slow
def test_screenshot(served: Served) -> None:
    png = served.tmp / "dashboard.png"
    chromium(served.tmp, f"{served.url}/#token={TOKEN}", "--hide-scrollbars", "--window-size=1400,1800",
             f"--screenshot={png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1400, 1800)
    assert len(data) > 100_000   # a page of charts and tables, not a blank or error page (~20 KB)


@pytest.mark.slow
def test_budgets_alerts_and_forecast_render(served: Served) -> None:
    dom = chromium(served.tmp, f"{served.url}/#token={TOKEN}", "--dump-dom")
    assert 'data-state="ready"' in dom, dom[-3000:]
    budgets = served.api("/budgets")
    table = section(dom, "table-budgets")
    shown = values(table)
    assert [b["name"] for b in budgets["budgets"]] == ["cluster-monthly", "dev-weekly"]
    for b in budgets["budgets"]:
        assert f"<td>{b['name']}</td>" in table and f"<td>{b['scope']}</td>" in table
        for key in ("amount_usd", "actual_usd", "percent_used", "forecast_usd", "percent_forecast"):
            assert contains(shown, b[key]), (b["name"], key)
    assert f"as of {budgets['as_of']}" in dom
    # the demo cluster spends far more than $100 a month: both thresholds of cluster-monthly fire
    alerts = section(dom, "table-alerts")
    firing = served.api("/alerts")["alerts"]
    assert sorted(a["key"] for a in firing) == ["budget:cluster-monthly:threshold:100:forecast",
                                                "budget:cluster-monthly:threshold:50:actual"]
    for a in firing:
        assert a["key"] in alerts and a["summary"] in alerts
    assert 'class="severity-critical"' in alerts

    forecast = httpx.get(served.url + "/forecast", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30.0)
    part = section(dom, "chart-forecast")
    assert forecast.status_code == 200, forecast.text
    body = forecast.json()
    assert 'class="main-svg"' in part and part.count('class="point"') >= len(body["forecast"]) > 0
    assert f"model {body['model']}" in dom
    month_end = re.search(r'id="forecast-month-end"[^>]*data-value="([^"]+)"', dom)
    assert month_end and float(month_end[1]) == pytest.approx(body["month_end"]["projected_usd"], rel=1e-12)
    # the cluster budget and the forecast read the same complete days with the same model: on the same month their
    # projections agree to the cent (/forecast rounds to cents; not on the 1st of a month: the previous period)
    cluster_budget = budgets["budgets"][0]
    if cluster_budget["period_end"] == body["month_end"]["date"]:
        assert cluster_budget["forecast_usd"] == pytest.approx(body["month_end"]["projected_usd"], abs=0.005)
        assert cluster_budget["actual_usd"] == pytest.approx(body["month_end"]["actual_to_date_usd"], abs=0.005)


@pytest.mark.slow
def test_recommendations_render_with_the_api_numbers(served: Served) -> None:
    dom = chromium(served.tmp, f"{served.url}/#token={TOKEN}", "--dump-dom")
    assert 'data-state="ready"' in dom, dom[-3000:]
    recs = served.api("/recommendations")
    assert recs["recommendations"], "the demo cluster has recommendations"
    chart = section(dom, "chart-recommendations")
    assert 'class="main-svg"' in chart and chart.count('class="point"') == min(10, len(recs["recommendations"]))
    total = re.search(r'id="recommendations-total"[^>]*data-value="([^"]+)"', dom)
    assert total and float(total[1]) == pytest.approx(recs["total_monthly_savings_usd"], rel=1e-12)
    table = section(dom, "table-recommendations")
    shown = values(table)
    assert len(shown) == len(recs["recommendations"])
    for rec in recs["recommendations"]:
        assert contains(shown, rec["monthly_savings_usd"]) and f"<td>{rec['target']}</td>" in table
