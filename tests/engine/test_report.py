"""The Report of the example cluster (docs/cost-model.md §4 and §6), sharing each way, and
compute_report end to end through engine.price / engine.split with a small catalog.

Example, window 2 h: nodes 11.84 + 2.88 + 16.88 + 0.16 = 31.76; PVs 0.02 + 0.01; NLB 0.045;
control plane 0.10 × 2 = 0.20; total 32.035. Workloads ml 17.6, team-x 1.56, web 0.14 (= 19.30);
idle 12.525 (CPU 3.19, RAM 2.935, GPU 6.4); unmounted 0.01.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from catalog_factory import make_catalog
from snapshot_factory import container, example_report, make_snapshot, node, service, volume

from genaicost.domain.options import ReportOptions
from genaicost.domain.report import IDLE, OVERHEAD, SHARED, UNMOUNTED, Report
from genaicost.engine.report import compute_report

TOTAL, ML, TEAM_X, WEB, IDLE_USD, UNMOUNTED_USD, OVERHEAD_USD = 32.035, 17.6, 1.56, 0.14, 12.525, 0.01, 0.20


def _lines(report: Report) -> dict[str, float]:
    return {a.name: a.total_usd for a in report.allocations}


def _invariant(report: Report) -> float:
    return sum(a.total_usd for a in report.allocations) + report.idle.total_usd + report.overhead.total_usd


def test_totals_and_lines() -> None:
    report = example_report()
    t = report.totals
    assert (t.cpu_usd, t.ram_usd, t.gpu_usd) == pytest.approx(
        (1.92 + 0.64 + 1.6 + 0.08, 1.92 + 0.64 + 1.28 + 0.08, 8.0 + 1.6 + 14.0)
    )
    assert (t.storage_usd, t.network_usd, t.overhead_usd) == pytest.approx((0.03, 0.045, 0.20))
    assert t.total_usd == pytest.approx(TOTAL)
    assert t.hourly_usd == pytest.approx(TOTAL / 2)
    assert t.daily_usd == pytest.approx(TOTAL / 2 * 24) and t.monthly_usd == pytest.approx(TOTAL / 2 * 730)
    assert t.idle_usd == pytest.approx(IDLE_USD) and t.allocated_usd == pytest.approx(19.31)
    assert _lines(report) == pytest.approx(
        {
            "ml": ML,
            "team-x": TEAM_X,
            "web": WEB,
            IDLE: IDLE_USD,
            UNMOUNTED: UNMOUNTED_USD,
            OVERHEAD: OVERHEAD_USD,
        }
    )
    assert [a.name for a in report.allocations] == ["ml", IDLE, "team-x", OVERHEAD, "web", UNMOUNTED]
    idle = next(a for a in report.allocations if a.name == IDLE)
    assert (idle.cpu_usd, idle.ram_usd, idle.gpu_usd) == pytest.approx((3.19, 2.935, 6.4))
    assert report.idle.total_usd == 0.0 and report.overhead.total_usd == 0.0  # both are lines here
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


def test_nodes_carry_rates_costs_and_idle() -> None:
    nodes = {n.name: n for n in example_report().nodes}
    a = nodes["gpu-a"]
    assert (a.hourly_usd, a.usd_per_vcpu_hour, a.usd_per_gib_hour, a.usd_per_gpu_hour) == pytest.approx(
        (5.92, 0.02, 0.005, 1.0)
    )
    assert (a.total_usd, a.idle_usd, a.idle_gpu_usd) == pytest.approx((11.84, 4.695, 2.0))
    assert a.price_source == "test-price" and a.instance_type == "g5.12xlarge"
    assert nodes["spot-d"].capacity_type == "spot"


def test_hidden_idle_stays_in_report_idle() -> None:
    report = example_report(include_idle=False)
    assert IDLE not in _lines(report)
    assert (report.idle.cpu_usd, report.idle.ram_usd, report.idle.gpu_usd) == pytest.approx(
        (3.19, 2.935, 6.4)
    )
    assert report.idle.total_usd == pytest.approx(IDLE_USD)
    assert report.totals.total_usd == pytest.approx(TOTAL)
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


def test_share_idle_in_proportion_to_cost() -> None:
    report = example_report(share_idle=True)
    lines = {a.name: a for a in report.allocations}
    assert IDLE not in lines
    weight = ML + TEAM_X + WEB  # 19.30; synthetic lines receive nothing
    assert lines["ml"].idle_usd == pytest.approx(IDLE_USD * ML / weight)
    assert lines["web"].idle_usd == pytest.approx(IDLE_USD * WEB / weight)
    assert lines["ml"].total_usd == pytest.approx(ML * (1 + IDLE_USD / weight))
    assert lines[UNMOUNTED].idle_usd == 0.0
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


def test_share_overhead() -> None:
    report = example_report(share_overhead=True)
    lines = {a.name: a for a in report.allocations}
    assert OVERHEAD not in lines
    assert lines["team-x"].overhead_usd == pytest.approx(0.20 * TEAM_X / 19.30)
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


def test_shared_namespace_is_spread_over_the_others() -> None:
    report = example_report(shared_namespaces=("web",))
    lines = {a.name: a for a in report.allocations}
    assert "web" not in lines
    assert lines["ml"].shared_usd == pytest.approx(WEB * ML / (ML + TEAM_X))
    assert lines["team-x"].shared_usd == pytest.approx(WEB * TEAM_X / (ML + TEAM_X))
    assert report.totals.shared_usd == pytest.approx(WEB)
    assert any(n.startswith(SHARED) for n in report.notes)
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


def test_everything_shared_keeps_the_lines_and_warns() -> None:
    report = example_report(shared_namespaces=("ml", "team-x", "web"), share_idle=True, share_overhead=True)
    lines = _lines(report)
    assert lines[SHARED] == pytest.approx(19.30)
    assert lines[IDLE] == pytest.approx(IDLE_USD) and lines[OVERHEAD] == pytest.approx(OVERHEAD_USD)
    assert len([w for w in report.warnings if "nothing" in w or "no other" in w or "no allocation" in w]) == 3
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)


@pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=4)))
def test_invariant_in_every_option_combination(flags: tuple[bool, bool, bool, bool]) -> None:
    include, share_idle, share_overhead, share_web = flags
    report = example_report(
        include_idle=include,
        share_idle=share_idle,
        share_overhead=share_overhead,
        shared_namespaces=("web",) if share_web else (),
        aggregate=("pod",),
    )
    assert _invariant(report) == pytest.approx(TOTAL, abs=0.005)
    assert all(a.total_usd >= 0 for a in report.allocations)


def test_warnings_and_notes() -> None:
    report = example_report()
    assert report.warnings[0] == "pod ml/lost is bound to unknown node ghost"  # from the snapshot
    assert any("spot-d" in w and "CPU" in w for w in report.warnings)
    assert any("3 container row(s) cost nothing" in n for n in report.notes)


# --- compute_report through the real pricing --------------------------------------------------------


def _catalog():  # type: ignore[no-untyped-def]
    return make_catalog(
        ec2_rows=[{"region": "us-east-1", "instance_type": "g5.12xlarge", "ondemand_usd_per_hour": 5.672}],
        spec_rows=[
            {
                "instance_type": "g5.12xlarge",
                "vcpu": 48,
                "memory_gib": 192,
                "gpu_count": 4,
                "accelerator": "nvidia",
            }
        ],
        ebs_rows=[{"region": "us-east-1", "volume_type": "gp3", "usd_per_gb_month": 0.073}],
        services={
            "eks/cluster-standard/*": 0.10,
            "eks/cluster-extended/*": 0.60,
            "elb/nlb-hour/us-east-1": 0.0225,
        },
    )


def _snapshot():  # type: ignore[no-untyped-def]
    return make_snapshot(
        [
            node("gpu", instance_type="g5.12xlarge", vcpu=48, ram_gib=192, gpu_count=4, hours=3),
            node("odd", instance_type="x9.unknown", vcpu=2, ram_gib=8, hours=3),
        ],
        [
            container("ml", "v", node="gpu", gpu_request=1, hours=3),
            container("ml", "w", node="odd", cpu_request_cores=1, hours=3),
        ],
        volumes=[volume("pv", capacity_gib=100, claim=("ml", "c"), hours=3)],
        mounts=[("ml/v", "ml", "c")],
        services=[service("ml", "lb", hours=3)],
        hours=3,
        eks_support="extended",
    )


def test_compute_report_end_to_end() -> None:
    report = compute_report(
        _snapshot(),
        _catalog(),
        ReportOptions(split="aws-scad"),
        generated_at=datetime(2026, 7, 1, tzinfo=UTC),
    )
    # g5.12xlarge $5.672 × 3 h; gp3 100 GiB × $0.073 / 730 h × 3 h = $0.03;
    # NLB $0.0225 × 3 (no pod: unmounted);
    # extended-support control plane $0.60 × 3; the unknown instance type is unpriced.
    assert report.totals.total_usd == pytest.approx(5.672 * 3 + 0.03 + 0.0675 + 1.80)
    gpu_rate = next(n for n in report.nodes if n.name == "gpu").usd_per_gpu_hour
    # aws-scad: GPU weight 9 of 0.9×48 + 0.1×192 + 9×4 = 98.4
    assert gpu_rate == pytest.approx(5.672 * 9 / 98.4)
    ml = next(a for a in report.allocations if a.name == "ml")
    assert ml.gpu_usd == pytest.approx(3 * gpu_rate) and ml.storage_usd == pytest.approx(0.03)
    assert ml.unpriced is True
    assert _lines(report)[UNMOUNTED] == pytest.approx(0.0675)
    assert _lines(report)[OVERHEAD] == pytest.approx(1.80)
    assert [(u.kind, u.name) for u in report.unpriced] == [("node", "odd")]
    assert report.pricing.split == "aws-scad" and report.options["split"] == "aws-scad"
    assert _invariant(report) == pytest.approx(report.totals.total_usd, abs=0.005)


def test_options_eks_support_overrides_the_snapshot_and_missing_fee_is_unpriced() -> None:
    snap = _snapshot()
    report = compute_report(
        snap, _catalog(), ReportOptions(eks_support="standard"), generated_at=datetime(2026, 7, 1, tzinfo=UTC)
    )
    assert _lines(report)[OVERHEAD] == pytest.approx(0.30)
    no_fee = make_catalog(
        ec2_rows=[{"region": "us-east-1", "instance_type": "g5.12xlarge", "ondemand_usd_per_hour": 5.672}]
    )
    report = compute_report(snap, no_fee, ReportOptions(), generated_at=datetime(2026, 7, 1, tzinfo=UTC))
    assert ("overhead", "eks-control-plane") in [(u.kind, u.name) for u in report.unpriced]
    assert next(a for a in report.allocations if a.name == OVERHEAD).unpriced is True
    assert _invariant(report) == pytest.approx(report.totals.total_usd, abs=0.005)
