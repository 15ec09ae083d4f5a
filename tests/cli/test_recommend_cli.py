"""`genaicost recommend` in process: the demo in every format, settings, saved snapshots with the recommend
tables, kubectl files with PodDisruptionBudgets, and option faults (exit 2 naming the option)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from genaicost.cli.main import app
from genaicost.sources.demo import demo_objects
from genaicost.sources.demo_policies import demo_policy_objects

runner = CliRunner()
NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def run(*args: str) -> Any:
    return runner.invoke(app, ["recommend", *args])


def _json(*args: str) -> dict[str, Any]:
    result = run("--demo", "--spot-prices", "bundled", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_demo_json_shape_sorted_with_total() -> None:
    data = _json()
    recs = data["recommendations"]
    assert recs
    assert {"strategy", "target", "monthly_savings_usd", "confidence", "evidence", "assumptions"} <= set(recs[0])
    savings = [r["monthly_savings_usd"] for r in recs]
    assert savings == sorted(savings, reverse=True)
    counted = sum(r["monthly_savings_usd"] for r in recs if r["counted_in_total"])
    assert data["total_monthly_savings_usd"] == pytest.approx(counted)
    assert "largest saving first" in data["total_rule"]
    skipped = {s["strategy"]: s["reason"] for s in data["skipped"]}
    assert "discount_rate" in skipped["savings-plans"] and "load gauges" in skipped["batching"]
    # the demo's PDB on vllm-llama-3-1-8b makes it a spot candidate; chat-api's HPA keeps it out of right-sizing
    assert any(r["strategy"] == "spot-candidates" and r["target"].endswith("vllm-llama-3-1-8b") for r in recs)
    assert not any(r["strategy"] == "rightsizing" and "chat-api" in r["target"] for r in recs)


def test_set_and_strategies() -> None:
    data = _json("--strategies", "savings-plans", "--set", "savings-plans.discount_rate=0.3")
    assert {r["strategy"] for r in data["recommendations"]} == {"savings-plans"}
    assert data["settings"]["savings-plans"]["discount_rate"] == 0.3
    hpa = _json("--strategies", "rightsizing", "--set", "rightsizing.include_hpa_targets=true",
                "--set", "rightsizing.exclude_namespaces=kube-system,monitoring")
    targets = [r["target"] for r in hpa["recommendations"]]
    assert any("chat-api" in t for t in targets) and not any(t.startswith("monitoring/") for t in targets)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "html"])
def test_every_format_shows_the_same_total(fmt: str) -> None:
    total = _json()["total_monthly_savings_usd"]
    result = run("--demo", "--spot-prices", "bundled", "--format", fmt)
    assert result.exit_code == 0, result.output
    money = f"{total:,.2f}"
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0][:5] == ["rank", "strategy", "target", "action", "monthly_savings_usd"]
        assert rows[-1][1] == "total" and rows[-1][4] == f"{total:.2f}"
    else:
        assert f"${money}" in result.stdout
    if fmt == "html":
        assert result.stdout.startswith("<!doctype html>") and "<svg" in result.stdout


def test_kubectl_files_with_pdbs(tmp_path: Path) -> None:
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"kind": "List", "items": demo_objects(NOW)}))
    policies = tmp_path / "policies.json"
    policies.write_text(json.dumps({"kind": "List", "items": demo_policy_objects(NOW)}))
    result = run("--snapshot", str(cluster), "--snapshot", str(policies), "--spot-prices", "bundled",
                 "--format", "json", "--strategies", "spot-candidates")
    assert result.exit_code == 0, result.output
    (rec,) = json.loads(result.stdout)["recommendations"]
    assert rec["evidence"]["pod_disruption_budget"] == "vllm-llama-3-1-8b"
    without = run("--snapshot", str(cluster), "--spot-prices", "bundled", "--format", "json",
                  "--strategies", "spot-candidates")
    assert "PodDisruptionBudget" in json.loads(without.stdout)["skipped"][0]["reason"]


def test_saved_snapshot_keeps_the_recommend_tables(tmp_path: Path) -> None:
    saved = tmp_path / "snap.json"
    first = _json("--save-snapshot", str(saved))
    again = run("--snapshot", str(saved), "--spot-prices", "bundled", "--format", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["total_monthly_savings_usd"] == pytest.approx(first["total_monthly_savings_usd"])


@pytest.mark.parametrize(("args", "needle"), [
    (["--set", "headroom=0.3"], "--set"),
    (["--set", "nope.x=1"], "unknown strategy 'nope'"),
    (["--set", "rightsizing.headroomm=0.3"], "rightsizing.headroomm"),
    (["--set", "rightsizing.headroom=lots"], "rightsizing.headroom"),
    (["--strategies", "magic"], "--strategies"),
    (["--format", "pdf"], "pdf"),
])
def test_bad_options_exit_2_naming_them(args: list[str], needle: str) -> None:
    result = run("--demo", "--spot-prices", "bundled", *args)
    assert result.exit_code == 2, result.output
    assert needle in result.output


@pytest.mark.slow
def test_from_the_real_prometheus(prometheus_factory: Any) -> None:
    """churn scenario: right-sizing from quantile_over_time percentiles; every saving at the report's prices."""
    inst = prometheus_factory("churn")
    span = f"{inst.window.start.isoformat()},{inst.window.end.isoformat()}"
    common = ["--prometheus", inst.url, "--window", span, "--resolution", "1m", "--spot-prices", "bundled",
              "--format", "json"]
    result = run(*common)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "prometheus"
    rights = [r for r in data["recommendations"] if r["strategy"] == "rightsizing"]
    assert rights and all("over the window" in r["evidence"]["usage_basis"] for r in rights)
    report = json.loads(runner.invoke(app, ["report", *common, "--aggregate", "namespace"]).stdout)
    monthly_total = report["totals"]["total_usd"] * 730 / report["window"]["hours"]
    assert 0 < data["total_monthly_savings_usd"] <= monthly_total
