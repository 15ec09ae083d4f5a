"""`genaicost report --recommendations`: the recommendations of `genaicost recommend`, from the same collection."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from genaicost.cli.main import app


def _json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_report_carries_the_same_recommendations_as_recommend_and_the_same_costs() -> None:
    plain = _json("report", "--demo", "--spot-prices", "bundled")
    with_recs = _json("report", "--demo", "--spot-prices", "bundled", "--recommendations")
    alone = _json("recommend", "--demo", "--spot-prices", "bundled")
    assert plain["recommendations"] is None
    assert with_recs["totals"] == plain["totals"] and with_recs["allocations"] == plain["allocations"]
    recs = with_recs["recommendations"]
    assert recs["total_monthly_savings_usd"] == alone["total_monthly_savings_usd"] > 0
    assert [(r["strategy"], r["target"], r["monthly_savings_usd"]) for r in recs["recommendations"]] == [
        (r["strategy"], r["target"], r["monthly_savings_usd"]) for r in alone["recommendations"]]
    # a drained node saves its report price × 730 (the report's own prices)
    hourly = {n["name"]: n["hourly_usd"] for n in with_recs["nodes"]}
    drained = [r for r in recs["recommendations"] if r["strategy"] == "node-consolidation"
               and r["target"].removeprefix("node/") in hourly]
    for rec in drained:
        assert rec["monthly_savings_usd"] <= hourly[rec["target"].removeprefix("node/")] * 730 + 1e-6


def test_saved_report_with_recommendations_re_renders(tmp_path: Path) -> None:
    saved = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["report", "--demo", "--spot-prices", "bundled", "--recommendations",
                                      "--format", "json", "-o", str(saved)])
    assert result.exit_code == 0, result.output
    text = CliRunner().invoke(app, ["report", "--from", str(saved), "--format", "markdown"])
    assert text.exit_code == 0, text.output
    total = json.loads(saved.read_text())["recommendations"]["total_monthly_savings_usd"]
    assert "## Recommendations: genai-prod" in text.output and f"${total:,.2f}/month" in text.output
    clash = CliRunner().invoke(app, ["report", "--from", str(saved), "--recommendations"])
    assert clash.exit_code == 2 and "--recommendations" in clash.output
