"""A hand-built Report for renderer tests (independent of the engine).

The numbers are consistent: Σ allocations + idle + overhead = total, node costs = CPU + RAM + GPU,
idle = node cost − allocated. One allocation is exactly half a cent above a cent (0.125) to pin
half-even rounding, one node is unpriced, and there are warnings and notes. Idle and overhead are kept
outside the allocations (report.idle / report.overhead), as the engine does with --no-include-idle.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from genaicost.domain.report import (
    Allocation,
    CostBreakdown,
    NodeCost,
    PricingInfo,
    Report,
    Totals,
    Unpriced,
    WindowOut,
)

START = datetime(2025, 6, 1, 11, 0, tzinfo=UTC)
END = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _node(
    name: str,
    itype: str | None,
    hourly: float | None,
    cpu: float,
    ram: float,
    gpu: float,
    idle: tuple[float, float, float],
    **extra: object,
) -> NodeCost:
    fields: dict[str, object] = dict(
        name=name,
        instance_type=itype,
        region="us-east-1",
        zone="us-east-1a",
        capacity_type="on-demand",
        nodepool=None,
        vcpu=4.0,
        ram_gib=16.0,
        gpu_count=0.0,
        gpu_model=None,
        gpu_sharing="none",
        hours=1.0,
        hourly_usd=hourly,
        usd_per_vcpu_hour=None,
        usd_per_gib_hour=None,
        usd_per_gpu_hour=None,
        price_source="bundled-ondemand",
        total_usd=cpu + ram + gpu,
        cpu_usd=cpu,
        ram_usd=ram,
        gpu_usd=gpu,
        idle_cpu_usd=idle[0],
        idle_ram_usd=idle[1],
        idle_gpu_usd=idle[2],
        idle_usd=sum(idle),
    )
    fields.update(extra)
    return NodeCost.model_validate(fields)


def build_sample_report() -> Report:
    nodes = [
        _node(
            "ip-10-0-1-10.ec2.internal",
            "g5.12xlarge",
            5.672,
            0.9,
            0.5,
            4.272,
            (0.4, 0.2, 1.068),
            vcpu=48.0,
            ram_gib=192.0,
            gpu_count=4.0,
            gpu_model="A10G",
            nodepool="gpu-a10g",
            capacity_type="spot",
            price_source="bundled-spot-estimate",
            usd_per_vcpu_hour=0.01875,
            usd_per_gib_hour=0.0026041667,
            usd_per_gpu_hour=1.068,
        ),
        _node(
            "ip-10-0-2-20.ec2.internal",
            "m6i.xlarge",
            0.192,
            0.144,
            0.048,
            0.0,
            (0.05, 0.02, 0.0),
            nodepool="system",
            usd_per_vcpu_hour=0.036,
            usd_per_gib_hour=0.003,
        ),
        _node(
            "ip-10-0-3-30.ec2.internal",
            "x9.weird",
            None,
            0.0,
            0.0,
            0.0,
            (0.0, 0.0, 0.0),
            price_source="unpriced",
        ),
    ]
    allocations = [
        Allocation(
            name="llm-serving",
            properties={"namespace": "llm-serving"},
            cpu_usd=0.5,
            ram_usd=0.3,
            gpu_usd=3.204,
            storage_usd=0.0425,
            network_usd=0.0225,
            total_usd=4.069,
            cpu_core_hours=26.5,
            ram_gib_hours=115.2,
            gpu_hours=3.0,
            storage_gib_hours=500.0,
            cpu_request_core_hours=26.0,
            cpu_usage_core_hours=26.5,
            ram_request_gib_hours=115.2,
            ram_usage_gib_hours=80.25,
            pods=3,
            containers=3,
            hourly_usd=4.069,
            monthly_usd=4.069 * 730,
        ),
        Allocation(
            name="kube-system",
            properties={"namespace": "kube-system"},
            cpu_usd=0.094,
            ram_usd=0.028,
            total_usd=0.122,
            cpu_core_hours=2.6111,
            ram_gib_hours=9.3333,
            cpu_request_core_hours=2.6111,
            ram_request_gib_hours=9.3333,
            pods=5,
            containers=6,
            hourly_usd=0.122,
            monthly_usd=0.122 * 730,
            unpriced=True,
        ),
        Allocation(
            name="ml-dev | notebooks",
            properties={"namespace": "ml-dev | notebooks"},
            storage_usd=0.125,
            total_usd=0.125,
            storage_gib_hours=1000.0,
            pods=1,
            containers=1,
            hourly_usd=0.125,
            monthly_usd=0.125 * 730,
        ),
    ]
    idle = CostBreakdown(cpu_usd=0.45, ram_usd=0.22, gpu_usd=1.068, idle_usd=0.0, total_usd=1.738)
    overhead = CostBreakdown(overhead_usd=0.10, total_usd=0.10)
    total = 4.069 + 0.122 + 0.125 + 1.738 + 0.10
    totals = Totals(
        cpu_usd=1.044,
        ram_usd=0.548,
        gpu_usd=4.272,
        storage_usd=0.1675,
        network_usd=0.0225,
        overhead_usd=0.10,
        total_usd=total,
        hourly_usd=total,
        daily_usd=total * 24,
        monthly_usd=total * 730,
        allocated_usd=4.069 + 0.122 + 0.125,
    )
    return Report(
        generated_at=END,
        cluster="genai-test",
        source="demo",
        window=WindowOut(start=START, end=END, hours=1.0),
        prices_as_of=date(2025, 5, 20),
        aggregate=["namespace"],
        options={
            "split": "residual",
            "include_idle": False,
            "share_idle": False,
            "shared_namespaces": [],
            "share_overhead": False,
            "eks_support": "standard",
        },
        totals=totals,
        nodes=nodes,
        allocations=allocations,
        idle=idle,
        overhead=overhead,
        unpriced=[
            Unpriced(
                kind="node",
                name="ip-10-0-3-30.ec2.internal",
                reason="no price for x9.weird in us-east-1 (on-demand)",
            )
        ],
        warnings=["pod ml-dev/stuck-0 is bound to unknown node ip-10-9-9-9.ec2.internal"],
        notes=["ignored 2 objects of kinds the report does not use: ConfigMap=2"],
        pricing=PricingInfo(
            catalog_as_of=date(2025, 5, 20),
            split="residual",
            sources={"bundled-ondemand": "AWS Price List (test fixture)"},
        ),
    )


@pytest.fixture
def sample_report() -> Report:
    return build_sample_report()
