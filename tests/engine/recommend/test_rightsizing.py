"""rightsizing: hand-computed savings at $0.045 per vCPU-hour and $0.005 per GiB-hour (rec_factory)."""

from __future__ import annotations

import polars as pl
import pytest
from tests.engine.recommend.rec_factory import OPTIONS, rec_catalog, typed_node
from tests.engine.snapshot_factory import GIB, WINDOW_END, container, make_snapshot

from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.recommend import parse_settings, recommend


def _snap(hours: float = 1.0, **extra: object):
    snap = make_snapshot(
        [typed_node("n1", "c.test", hours=hours)],
        [container("web", "api-0", node="n1", hours=hours, controller_kind="Deployment", controller="api",
                   cpu_request_cores=2, cpu_usage_cores=0.5, ram_request_bytes=4 * GIB, ram_usage_bytes=2 * GIB)],
        hours=hours,
    )
    from dataclasses import replace

    return replace(snap, **extra)


def _run(snap, **settings):
    return recommend(snap, rec_catalog(), OPTIONS, generated_at=WINDOW_END, strategies=["rightsizing"],
                     settings=parse_settings({"rightsizing": settings}))


def test_instant_usage_headroom_20_percent() -> None:
    rs = _run(_snap())
    (rec,) = rs.recommendations
    # CPU: 2 → 0.5 × 1.2 = 0.6 cores: 1.4 × $0.045 × 730 = $45.99; RAM: 4 → 2.4 GiB: 1.6 × $0.005 × 730 = $5.84
    assert rec.monthly_savings_usd == pytest.approx(45.99 + 5.84)
    assert rec.confidence == "low"
    assert rec.evidence["cpu_request_cores"] == 2 and rec.evidence["cpu_usage_basis_cores"] == 0.5
    assert rec.target == "web/Deployment/api container main"
    assert rs.total_monthly_savings_usd == pytest.approx(51.83)


def test_percentiles_over_a_week_are_high_confidence() -> None:
    pct = table_from_rows("usage_percentiles", [{"namespace": "web", "pod": "api-0", "container": "main",
                                                 "cpu_p95_cores": 1.0, "ram_max_bytes": 3 * GIB}])
    rs = _run(_snap(hours=168.0, usage_percentiles=pct))
    (rec,) = rs.recommendations
    # CPU 2 → 1.2 (billed now 2 × 168 core-hours, new max(1.2, 0.5) × 168): 0.8 × 0.045 × 730 = 26.28
    # RAM 4 → 3.6 GiB: 0.4 × 0.005 × 730 = 1.46
    assert rec.monthly_savings_usd == pytest.approx(26.28 + 1.46)
    assert rec.confidence == "high"
    assert "p95" in str(rec.evidence["usage_basis"])


def test_hpa_targets_skipped_unless_asked() -> None:
    hpa = table_from_rows("autoscalers", [{"namespace": "web", "name": "api", "target_kind": "Deployment",
                                           "target_name": "api", "min_replicas": 1, "max_replicas": 5}])
    assert _run(_snap(autoscalers=hpa)).recommendations == []
    assert len(_run(_snap(autoscalers=hpa), include_hpa_targets=True).recommendations) == 1


def test_usage_above_request_is_not_a_saving() -> None:
    snap = _snap()
    snap = snap.__class__(**{**snap.__dict__, "containers": snap.containers.with_columns(
        pl.lit(3.0).alias("cpu_usage_cores"), pl.lit(5.0 * GIB).alias("ram_usage_bytes"))})
    assert _run(snap).recommendations == []


def test_no_usage_at_all_is_skipped_with_a_reason() -> None:
    snap = _snap()
    snap = snap.__class__(**{**snap.__dict__, "containers": snap.containers.with_columns(
        pl.lit(None, pl.Float64).alias("cpu_usage_cores"), pl.lit(None, pl.Float64).alias("ram_usage_bytes"))})
    rs = _run(snap)
    assert rs.recommendations == []
    assert rs.skipped[0].strategy == "rightsizing" and "no container usage" in rs.skipped[0].reason
