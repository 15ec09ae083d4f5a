"""deploy/grafana/genaicost-dashboard.json: every PromQL expression parses and returns data from a real Prometheus
(Debian's package) holding 2 h of genaicost's own /metrics exposition of the demo cluster, and names only metrics
that src/genaicost/api/metrics.py exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from tools.render_manifests import ROOT

from genaicost.api.metrics import ReportCollector, exposition
from genaicost.domain.options import ReportOptions
from genaicost.domain.report import Report
from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.report import compute_report
from genaicost.pricing.bundled import load_catalog
from genaicost.sources.demo import demo_snapshot
from prom.backfill import serve_openmetrics

DASHBOARD = ROOT / "deploy" / "grafana" / "genaicost-dashboard.json"
NOW = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
STEP_S, HISTORY_S = 60, 2 * 3600            # the exposition scraped every minute for 2 h up to NOW
LLAMA = "llama-3.1-8b-instruct"
# What Grafana puts in place of its variables for the test: All namespaces / models, a 2 h time range.
ALL = {"$namespace": ".*", "$model": ".*", "$__range_s": str(HISTORY_S), "$__range": "2h",
       "$__rate_interval": "4m", "$__interval": "1m"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                "offset", "inf", "nan"}


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def exprs() -> list[tuple[str, str]]:
    """(panel title, PromQL expression) of every target."""
    return [(p["title"], t["expr"]) for p in panels() for t in p["targets"]]


def substitute(expr: str, variables: dict[str, str]) -> str:
    for name in sorted(variables, key=len, reverse=True):   # $__range_s before $__range
        expr = expr.replace(name, variables[name])
    assert "$" not in expr, f"unknown Grafana variable in {expr}"
    return expr


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers that are not functions, keywords, label names or values."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)                                  # string literals
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    text = re.sub(r"\{[^}]*\}", " ", text)                                         # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)                                        # range selectors
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if not call and name.lower() not in PROMQL_WORDS:
            names.add(name)
    return names


def variable_queries() -> list[tuple[str, str, str]]:
    """(variable, metric, label) of every `label_values(metric, label)` query variable."""
    found = []
    for var in dashboard()["templating"]["list"]:
        if var["type"] == "query":
            match = re.fullmatch(r"label_values\((\w+), (\w+)\)", var["query"]["query"])
            assert match, f"variable {var['name']}: expected label_values(metric, label)"
            found.append((var["name"], match.group(1), match.group(2)))
    return found


def report_with_tokens() -> Report:
    """The demo cluster with vLLM token counters on its 6 llama-3.1-8b pods (1 M input + 250 k output tokens each
    over the 1 h window), so the model series exist."""
    snap = demo_snapshot(NOW)
    pods = snap.containers.filter(pl.col("pod").str.starts_with("vllm-llama-3-1-8b"))["pod"].to_list()
    assert len(pods) == 6
    rows = [{"namespace": "llm-serving", "pod": pod, "model": LLAMA, "engine": "vllm", "input_tokens": 1e6,
             "output_tokens": 250e3, "requests": 1000.0, "successful_requests": 1000.0} for pod in pods]
    snap = replace(snap, model_usage=table_from_rows("model_usage", rows))
    return compute_report(snap, load_catalog(), ReportOptions(aggregate=("namespace",)), generated_at=NOW)


def exported_names(report: Report) -> set[str]:
    return {family.name for family in ReportCollector(report).collect()}


def write_history(report: Report, path: Path) -> None:
    """The OpenMetrics exposition of `report`, each sample repeated every STEP_S over HISTORY_S up to NOW
    (series-major, as promtool's backfill reads it)."""
    body, _ = exposition(report, "application/openmetrics-text; version=1.0.0")
    times = [NOW.timestamp() - HISTORY_S + STEP_S * (i + 1) for i in range(HISTORY_S // STEP_S)]
    out: list[str] = []
    for line in body.decode().splitlines():
        if line == "# EOF":
            continue
        out.append(line) if line.startswith("#") else out.extend(f"{line} {t:.0f}" for t in times)
    path.write_text("\n".join([*out, "# EOF"]) + "\n")


@pytest.fixture(scope="module")
def report() -> Report:
    return report_with_tokens()


@pytest.fixture(scope="module")
def prometheus(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("grafana-prom")
    yield from serve_openmetrics(root, lambda path: write_history(report, path), NOW.timestamp())


def query(url: str, promql: str) -> list[dict[str, Any]]:
    resp = httpx.get(f"{url}/api/v1/query", params={"query": promql, "time": str(NOW.timestamp())}, timeout=10.0)
    body = resp.json()
    assert resp.status_code == 200 and body["status"] == "success", f"{promql}: {body}"
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def values(result: list[dict[str, Any]], label: str | None = None) -> dict[str, float]:
    return {(r["metric"].get(label, "") if label else ""): float(r["value"][1]) for r in result}


def test_dashboard_shape_and_datasource_variable() -> None:
    data = dashboard()
    [ds] = [v for v in data["templating"]["list"] if v["type"] == "datasource"]
    assert ds["name"] == "datasource" and ds["query"] == "prometheus"
    ids = [p["id"] for p in data["panels"]]
    assert len(ids) == len(set(ids))
    assert len(panels()) >= 15
    for panel in panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"] and panel.get("description"), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
    for var in data["templating"]["list"]:
        if var["type"] == "query":
            assert var["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_metric_name_extraction_finds_names_and_skips_functions_and_labels() -> None:
    expr = 'sum by (node, kind) (rate(foo_total{job="x", kind=~"a|b"}[5m])) / on(node) group_left() bar * 2 > 0'
    assert metric_names(expr) == {"foo_total", "bar"}


def test_every_expression_names_only_metrics_genaicost_exports(report: Report) -> None:
    exported = exported_names(report)
    assert {"node_total_hourly_cost", "node_gpu_hourly_cost", "genaicost_allocation_hourly_usd",
            "genaicost_model_usd_per_1m_tokens", "genaicost_idle_gpu_hourly_usd"} <= exported
    used: set[str] = set()
    for title, expr in exprs():
        names = metric_names(substitute(expr, ALL))
        assert names, f"{title}: no metric in {expr}"
        assert names <= exported, f"{title}: {sorted(names - exported)} not exported by genaicost.api.metrics"
        used |= names
    for name, metric, _ in variable_queries():
        assert metric in exported, name
    assert {"node_total_hourly_cost", "node_gpu_hourly_cost", "genaicost_allocation_hourly_usd",
            "genaicost_model_usd_per_1m_tokens", "genaicost_idle_gpu_hourly_usd"} <= used


@pytest.mark.slow
def test_every_expression_parses_and_returns_data_from_real_prometheus(prometheus: str) -> None:
    for title, expr in exprs():
        assert query(prometheus, substitute(expr, ALL)), f"{title}: no data for {expr}"
    for name, metric, label in variable_queries():
        assert values(query(prometheus, f"count by ({label}) ({metric})"), label), name
    bad = httpx.get(f"{prometheus}/api/v1/query", params={"query": "sum by (namespace (genaicost_up)"}, timeout=10.0)
    assert bad.status_code == 400 and bad.json()["errorType"] == "bad_data"   # a broken expression does fail


@pytest.mark.slow
def test_panels_show_the_report_numbers(prometheus: str, report: Report) -> None:
    def panel_expr(title: str, variables: dict[str, str] = ALL) -> str:
        [expr] = [e for t, e in exprs() if t == title]
        return substitute(expr, variables)

    hourly = report.totals.hourly_usd
    assert values(query(prometheus, panel_expr("Cluster run-rate")))[""] == pytest.approx(hourly, rel=1e-12)
    # constant run-rate over the 2 h range → spend = 2 × hourly
    spend = values(query(prometheus, panel_expr("Spend over the time range")))[""]
    assert spend == pytest.approx(2 * hourly, rel=1e-9)
    by_ns = values(query(prometheus, panel_expr("Cost per namespace")), "namespace")
    expected: dict[str, float] = {}
    for line in report.allocations:
        ns = line.properties.get("namespace", line.name)
        expected[ns] = expected.get(ns, 0.0) + line.hourly_usd
    assert by_ns == pytest.approx(expected, rel=1e-9)
    only = panel_expr("Cost per namespace", {**ALL, "$namespace": "llm-serving"})
    assert values(query(prometheus, only), "namespace") == pytest.approx({"llm-serving": expected["llm-serving"]})
    [llama] = [m for m in report.inference if m.model == LLAMA]
    blended = values(query(prometheus, panel_expr("Cost per 1M tokens (blended)")), "model")
    assert blended == pytest.approx({LLAMA: llama.usd_per_1m_tokens}, rel=1e-9)
    idle = values(query(prometheus, panel_expr("Idle GPU")))[""]
    assert idle == pytest.approx(sum(n.idle_gpu_usd / n.hours for n in report.nodes if n.gpu_count), rel=1e-9)
    assert idle > 0
    gpus = values(query(prometheus, panel_expr("GPUs")))[""]
    assert gpus == sum(n.gpu_count for n in report.nodes)
