"""What-if re-pricing of a crafted cluster's GPU nodes (catalog of compare_factory); dollars by hand."""

from __future__ import annotations

import pytest
from compare_factory import gpu_catalog
from snapshot_factory import WINDOW_END, make_snapshot, node

from genaicost.domain.compare import Assumptions
from genaicost.domain.errors import InputError
from genaicost.domain.options import ReportOptions
from genaicost.engine.compare_whatif import WhatIfResult, what_if
from genaicost.engine.report import compute_report


def run(family: str, option: str, **assume: float) -> WhatIfResult:
    snap = make_snapshot(nodes=[
        node("gpu-1", instance_type="g9.xlarge", vcpu=4, ram_gib=16, gpu_count=1),
        node("gpu-2", instance_type="g9.small", capacity_type="spot", vcpu=2, ram_gib=8, gpu_count=1, hours=0.5),
        node("cpu-1", instance_type="m9.large", vcpu=2, ram_gib=8),
    ], hours=1.0)
    catalog = gpu_catalog()
    report = compute_report(snap, catalog, ReportOptions(), generated_at=WINDOW_END)
    return what_if(report, catalog, instance_family=family, purchase_option=option,
                   assumptions=Assumptions(**assume))  # type: ignore[arg-type]


def test_spot_in_the_same_family() -> None:
    result = run("g9", "spot")
    rows = {n.node: n for n in result.nodes}
    assert set(rows) == {"gpu-1", "gpu-2"}                     # the CPU node is not re-priced
    # gpu-1: 1 GPU, 48 GiB → g9.xlarge (spot $0.80) or g9.2xlarge (no spot price) → g9.xlarge
    #   now 2.00 × 730 = 1460, target 0.80 × 730 = 584, saved 876
    one = rows["gpu-1"]
    assert (one.target_instance_type, one.current_monthly_usd, one.target_monthly_usd) == ("g9.xlarge", 1460.0, 584.0)
    assert one.monthly_savings_usd == pytest.approx(876.0)
    # gpu-2: half the window (occupancy 0.5) on g9.small spot $0.20: 0.20 × 730 × 0.5 = 73 now and on the target
    two = rows["gpu-2"]
    assert (two.occupancy, two.target_instance_type) == (0.5, "g9.small")
    assert two.current_monthly_usd == pytest.approx(73.0) and two.monthly_savings_usd == pytest.approx(0.0)
    assert result.current_monthly_usd == pytest.approx(1533.0)
    assert result.target_monthly_usd == pytest.approx(657.0)
    assert result.monthly_savings_usd == pytest.approx(876.0)


def test_savings_plan_needs_a_rate() -> None:
    unpriced = run("g9", "savings-plan-1y")
    assert all(n.target_instance_type is None and "no savings-plan rate configured" in (n.reason or "")
               for n in unpriced.nodes)
    assert unpriced.monthly_savings_usd == 0.0 and unpriced.warnings
    # with 30 %: gpu-1 → g9.xlarge 2.00 × 0.7 × 730 = 1022 (saved 438); gpu-2 → g9.small 0.50 × 0.7 × 730 × 0.5
    priced = {n.node: n for n in run("g9", "savings-plan-1y", savings_plan_1y_discount=0.3).nodes}
    assert priced["gpu-1"].target_monthly_usd == pytest.approx(1022.0)
    assert priced["gpu-2"].target_monthly_usd == pytest.approx(127.75)


@pytest.mark.parametrize(("family", "option", "text"), [
    ("m9", "spot", "no GPU/accelerator instance family 'm9'"),
    ("zz", "spot", "no GPU/accelerator instance family 'zz'"),
    ("g9", "reserved", "unknown purchase option 'reserved'"),
])
def test_bad_input(family: str, option: str, text: str) -> None:
    with pytest.raises(InputError) as err:
        run(family, option)
    assert text in str(err.value)
