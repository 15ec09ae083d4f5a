"""Efficiency per allocation line and per node, by hand (docs/cost-model.md section 7).

Node n1 (8 vCPU, 32 GiB, 1 GPU) at $0.04 / vCPU-h, $0.01 / GiB-h, $0.80 / GPU-h for a 2 h window, DCGM
utilization 0.4.

    a/a-0  cpu req 2, usage 1; ram req 4 GiB, usage 2 GiB; 1 GPU at 0.25 busy
           cpu 2·2·0.04 = 0.16, ram 4·2·0.01 = 0.08, gpu 1·2·0.8 = 1.60
    b/b-0  cpu req 0, usage 0.5 (billed 0.5 → 0.04); ram req 2 GiB, no usage metric (0.04)
    b/b-1  cpu req 1, no usage (0.08); ram req 1 GiB, no usage (0.02)
    c/c-0  cpu req 1, ram req 1 GiB, no metrics at all
"""

from __future__ import annotations

import polars as pl
import pytest
from inference_factory import hand_report
from snapshot_factory import GIB, container, make_snapshot, node

from genaicost.domain.report import Allocation, Report
from genaicost.engine.efficiency import add_efficiency, node_gpu_utilization

RATES = {"n1": (0.04, 0.01, 0.8)}


def _snapshot():  # type: ignore[no-untyped-def]
    c = container
    return make_snapshot(
        nodes=[
            node("n1", vcpu=8, ram_gib=32, gpu_count=1, gpu_utilization=0.4, hours=2.0),
        ],
        containers=[
            c("a", "a-0", node="n1", cpu_request_cores=2, cpu_usage_cores=1, ram_request_bytes=4 * GIB,
              ram_usage_bytes=2 * GIB, gpu_request=1, gpu_utilization=0.25, hours=2),
            c("b", "b-0", node="n1", cpu_request_cores=0, cpu_usage_cores=0.5, ram_request_bytes=2 * GIB, hours=2),
            c("b", "b-1", node="n1", cpu_request_cores=1, ram_request_bytes=1 * GIB, hours=2),
            c("c", "c-0", node="n1", cpu_request_cores=1, ram_request_bytes=1 * GIB, hours=2),
        ],
        hours=2.0,
    )


@pytest.fixture
def report() -> Report:
    return hand_report(_snapshot(), rates=RATES)


def _line(report: Report, name: str) -> Allocation:
    return next(a for a in report.allocations if a.name == name)


def test_line_with_cpu_ram_and_gpu_measurements(report: Report) -> None:
    a = _line(report, "a")
    assert (a.cpu_usd, a.ram_usd, a.gpu_usd) == pytest.approx((0.16, 0.08, 1.60))
    assert a.cpu_efficiency == pytest.approx(0.5)  # 1·2 / 2·2
    assert a.ram_efficiency == pytest.approx(0.5)  # 2 GiB / 4 GiB
    assert a.gpu_utilization == pytest.approx(0.25)
    assert a.gpu_unused_hours == pytest.approx(1.5)  # 2 GPU-h × 0.75
    assert a.gpu_unused_usd == pytest.approx(1.2)  # $1.60 × 0.75
    # (0.16·0.5 + 0.08·0.5 + 1.60·0.25) / (0.16 + 0.08 + 1.60) = 0.52 / 1.84
    assert a.total_efficiency == pytest.approx(0.52 / 1.84)


def test_zero_request_with_usage_is_fully_efficient_and_unmeasured_members_are_left_out(report: Report) -> None:
    b = _line(report, "b")
    # only b-0 has a CPU usage metric: usage 1 core-h over its request 0 → 1.0 (OpenCost's convention);
    # b-1's request is not in the denominator
    assert b.cpu_usage_core_hours == pytest.approx(1.0)
    assert b.cpu_efficiency == 1.0
    assert b.ram_efficiency is None and b.gpu_utilization is None and b.gpu_unused_usd is None
    assert b.total_efficiency == pytest.approx(1.0)  # only the CPU part is known: 0.12·1.0 / 0.12


def test_lines_without_usage_have_no_efficiency(report: Report) -> None:
    for name in ("c", "__idle__", "__overhead__"):
        line = _line(report, name)
        assert line.cpu_efficiency is None and line.ram_efficiency is None, name
        assert line.gpu_utilization is None and line.total_efficiency is None, name


def test_efficiency_after_aggregation_by_cluster(report: Report) -> None:
    whole = _line(hand_report(_snapshot(), rates=RATES, aggregate=("cluster",)), "test-cluster")
    # CPU: usage a 2 + b-0 1 = 3 core-h over the measured requests a 4 + b-0 0 = 4 → 0.75
    assert whole.cpu_efficiency == pytest.approx(0.75)
    assert whole.ram_efficiency == pytest.approx(0.5)  # only a-0 measured
    assert whole.gpu_utilization == pytest.approx(0.25)
    cpu_usd = 0.16 + 0.04 + 0.08 + 0.08  # a-0, b-0, b-1, c-0
    ram_usd = 0.08 + 0.04 + 0.02 + 0.02
    expected = (cpu_usd * 0.75 + ram_usd * 0.5 + 1.60 * 0.25) / (cpu_usd + ram_usd + 1.60)
    assert whole.total_efficiency == pytest.approx(expected)


def test_node_gpu_utilization_in_the_nodes_list(report: Report) -> None:
    (n1,) = report.nodes
    assert n1.gpu_utilization == pytest.approx(0.4)
    assert n1.idle_gpu_usd == pytest.approx(0.0)  # the one GPU is allocated to a-0


def test_node_gpu_utilization_is_hours_weighted_over_rows() -> None:
    nodes = pl.DataFrame({"name": ["n", "n"], "hours": [3.0, 1.0], "gpu_utilization": [0.2, 0.6]})
    assert node_gpu_utilization(nodes).row(0) == ("n", pytest.approx((0.2 * 3 + 0.6 * 1) / 4))  # 0.3


def test_node_gpu_utilization_skips_rows_without_it() -> None:
    nodes = pl.DataFrame(
        {"name": ["x", "x", "y"], "hours": [3.0, 1.0, 1.0], "gpu_utilization": [0.5, None, None]}
    )
    got = dict(node_gpu_utilization(nodes).sort("node").iter_rows())
    assert got == {"x": 0.5, "y": None}


def test_add_efficiency_never_divides_by_zero() -> None:
    lines = pl.DataFrame(
        {
            "cpu_usd": [0.0],
            "ram_usd": [0.0],
            "cpu_usage_core_hours": [0.0],
            "cpu_measured_request_core_hours": [0.0],
            "ram_usage_gib_hours": [None],
            "ram_measured_request_gib_hours": [None],
            "gpu_measured_hours": [0.0],
            "gpu_busy_hours": [0.0],
            "gpu_measured_usd": [0.0],
            "gpu_busy_usd": [0.0],
        },
        schema_overrides={"ram_usage_gib_hours": pl.Float64, "ram_measured_request_gib_hours": pl.Float64},
    )
    row = add_efficiency(lines).row(0, named=True)
    assert row["cpu_efficiency"] == 0.0 and row["ram_efficiency"] is None
    assert row["gpu_utilization"] is None and row["total_efficiency"] is None
