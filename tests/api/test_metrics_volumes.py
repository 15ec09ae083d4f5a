"""`pv_hourly_cost` (OpenCost's name and labels) from the report's volumes, checked by hand on the demo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry

from genaicost.api.metrics import ReportCollector
from genaicost.app.report import build_report
from genaicost.domain.options import ReportOptions
from genaicost.pricing.bundled import load_catalog


def _demo_report():  # type: ignore[no-untyped-def]
    return build_report(demo=True, snapshot_files=[], kubeconfig=None, context=None, window_hours=1.0,
                        options=ReportOptions(), catalog=load_catalog(), now=datetime(2026, 11, 28, 12, tzinfo=UTC))


def test_report_volumes_add_up_to_the_storage_cost() -> None:
    report = _demo_report()
    assert len(report.volumes) == 11
    assert sum(v.total_usd for v in report.volumes) == pytest.approx(report.totals.storage_usd, abs=1e-12)
    io2 = next(v for v in report.volumes if v.volume_type == "io2")
    # 300 GiB × $0.125 + 8,000 IOPS × $0.065 per month = $557.50 per month
    assert io2.hourly_usd == pytest.approx(557.5 / 730) and io2.usd_per_gib_hour == pytest.approx(557.5 / 730 / 300)
    assert io2.claim == "llm-serving/model-cache-vllm-llama-3-1-70b-0"


def test_pv_hourly_cost_per_gib_hour_with_opencost_labels() -> None:
    report = _demo_report()
    registry = CollectorRegistry()
    registry.register(ReportCollector(report))
    text = generate_latest(registry).decode()
    (family,) = [f for f in text_string_to_metric_families(text) if f.name == "pv_hourly_cost"]
    samples = {s.labels["persistentvolume"]: (s.labels, s.value) for s in family.samples}
    assert len(samples) == len(report.volumes)
    gp3 = next(v for v in report.volumes if v.volume_type == "gp3" and v.capacity_gib == 200)
    labels, value = samples[gp3.name]
    assert set(labels) == {"volumename", "persistentvolume", "provider_id"} and labels["volumename"] == gp3.name
    assert value == pytest.approx(0.08 / 730)   # gp3 $0.08 per GB-month
