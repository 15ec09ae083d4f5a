"""On the demo cluster at the bundled prices: every recommendation has evidence, and no saving contradicts
the report's own prices (compute_report on the same snapshot and catalog)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from genaicost.app.recommend import with_source_extras
from genaicost.domain.options import ReportOptions
from genaicost.domain.recommendation import Recommendation, RecommendationSet
from genaicost.domain.report import Report
from genaicost.engine.recommend import parse_settings, recommend
from genaicost.engine.recommend.total import count_total
from genaicost.engine.report import compute_report
from genaicost.pricing.bundled import load_catalog
from genaicost.sources.demo import demo_snapshot

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
KEYS = ("namespace", "controllerKind", "controller")


@pytest.fixture(scope="module")
def result() -> tuple[RecommendationSet, Report]:
    snap = with_source_extras(demo_snapshot(NOW), demo=True, snapshot_files=[], now=NOW, history=None)
    catalog = load_catalog(None, None)
    settings = parse_settings({"savings-plans": {"discount_rate": 0.3}})
    rs = recommend(snap, catalog, ReportOptions(), generated_at=NOW, settings=settings)
    report = compute_report(snap, catalog, ReportOptions(aggregate=KEYS), generated_at=NOW)
    return rs, report


def test_every_strategy_ran_or_said_why(result: tuple[RecommendationSet, Report]) -> None:
    rs, _ = result
    ran = {r.strategy for r in rs.recommendations} | {s.strategy for s in rs.skipped}
    assert {"rightsizing", "spot-candidates", "node-consolidation", "gpu-family", "savings-plans", "storage",
            "quantization", "batching", "idle-gpus"} <= ran
    assert all(s.reason for s in rs.skipped)


def test_every_recommendation_has_evidence_assumptions_and_a_positive_saving(
        result: tuple[RecommendationSet, Report]) -> None:
    rs, _ = result
    assert len(rs.recommendations) >= 10
    for rec in rs.recommendations:
        assert rec.evidence and all(v is not None for v in list(rec.evidence.values())[:1]), rec.target
        assert rec.assumptions and rec.confidence_rule and rec.resources
        assert rec.monthly_savings_usd > 0


def test_sorted_and_total_counts_alternatives_once(result: tuple[RecommendationSet, Report]) -> None:
    rs, _ = result
    savings = [r.monthly_savings_usd for r in rs.recommendations]
    assert savings == sorted(savings, reverse=True)
    counted = [r for r in rs.recommendations if r.counted_in_total]
    assert rs.total_monthly_savings_usd == pytest.approx(sum(r.monthly_savings_usd for r in counted))
    claimed = [res for r in counted for res in r.resources]
    assert len(claimed) == len(set(claimed))
    assert any(not r.counted_in_total for r in rs.recommendations)   # demo: gp2→gp3 vs deleting the same volume


def _workload_monthly(report: Report, workload: str) -> float:
    ns, kind, name = workload.split(" container ")[0].split("/")
    for a in report.allocations:
        if a.properties.get("controller") == f"{ns}/{kind}:{name}":
            return a.total_usd * 730 / report.window.hours
    raise AssertionError(f"no allocation for {workload}")


def test_savings_never_exceed_what_the_report_charges(result: tuple[RecommendationSet, Report]) -> None:
    rs, report = result
    node_monthly = {n.name: (n.hourly_usd or 0.0) * 730 for n in report.nodes}
    for rec in rs.recommendations:
        kind, _, rest = rec.target.partition("/")
        if kind == "node":
            assert rec.monthly_savings_usd <= node_monthly[rest] + 1e-9, rec.target
        elif kind in ("pool", "family"):
            nodes = [r.removeprefix("node/") for r in rec.resources]
            assert rec.monthly_savings_usd <= sum(node_monthly[n] for n in nodes) + 1e-9, rec.target
        elif kind != "volume":
            assert rec.monthly_savings_usd <= _workload_monthly(report, rec.target) + 1e-9, rec.target


def test_consolidation_saves_exactly_the_drained_nodes_report_prices(result: tuple[RecommendationSet, Report]) -> None:
    rs, report = result
    price = {n.name: n.hourly_usd for n in report.nodes}
    recs = [r for r in rs.recommendations if r.strategy == "node-consolidation"]
    assert recs
    for rec in recs:
        drained = str(rec.evidence["drained_nodes"]).split(", ")
        assert rec.monthly_savings_usd == pytest.approx(sum(price[n] or 0.0 for n in drained) * 730)


def test_savings_plan_is_the_rate_times_the_steady_on_demand_nodes(result: tuple[RecommendationSet, Report]) -> None:
    rs, report = result
    price = {n.name: n.hourly_usd or 0.0 for n in report.nodes}
    for rec in (r for r in rs.recommendations if r.strategy == "savings-plans"):
        nodes = [r.removeprefix("node/") for r in rec.resources]
        assert rec.monthly_savings_usd == pytest.approx(sum(price[n] for n in nodes) * 0.3 * 730)


def _rec(target: str, usd: float, *resources: str) -> Recommendation:
    return Recommendation(strategy="s", target=target, action="a", monthly_savings_usd=usd, confidence="low",
                          confidence_rule="r", evidence={"x": 1}, assumptions={"y": 2}, resources=resources)


def test_total_rule_by_hand() -> None:
    recs, total = count_total([
        _rec("a", 10, "node/1"), _rec("b", 30, "node/1", "node/2"), _rec("c", 5, "volume/v"), _rec("d", 20, "node/3"),
    ])
    assert [r.target for r in recs] == ["b", "d", "a", "c"]
    assert [r.counted_in_total for r in recs] == [True, True, False, True]
    assert total == 55
