"""engine.price: node precedence rules, discounts, volumes, load balancers, the EKS fee.

Every expected number is computed by hand in the comment next to it (docs/cost-model.md §1).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from catalog_factory import make_catalog

from genaicost.domain.prices import Discount, PriceOverride, ServicePrice
from genaicost.domain.snapshot import table_from_rows
from genaicost.engine.price import (
    control_plane_hourly,
    price_nodes,
    price_services,
    price_volumes,
    price_warnings,
)

E1, W1 = "us-east-1", "eu-west-1"

NODE_CATALOG = make_catalog(
    ec2_rows=[
        {"region": E1, "instance_type": "g5.xlarge", "ondemand_usd_per_hour": 1.006,
         "spot_usd_per_hour": 0.4},
        {"region": E1, "instance_type": "g5.2xlarge", "ondemand_usd_per_hour": 1.212,
         "spot_usd_per_hour": 0.5, "ondemand_source": "pricing-api", "spot_source": "aws-spot-api"},
        {"region": E1, "instance_type": "m6i.large", "ondemand_usd_per_hour": 0.096,
         "ondemand_source": "aws-bulk-offer-2026-07-01"},
        {"region": W1, "instance_type": "m6i.large", "ondemand_usd_per_hour": 0.107},
        {"region": E1, "instance_type": "r6i.large", "ondemand_usd_per_hour": 0.126},
        {"region": E1, "instance_type": "p4d.24xlarge", "ondemand_usd_per_hour": 21.96},
    ],
    spec_rows=[
        {"instance_type": "g5.xlarge", "vcpu": 4, "memory_gib": 16, "gpu_count": 1},
        {"instance_type": "g5.2xlarge", "vcpu": 8, "memory_gib": 32, "gpu_count": 1},
        {"instance_type": "m6i.large", "vcpu": 2, "memory_gib": 8},
        {"instance_type": "r6i.large", "vcpu": 2, "memory_gib": 16},
        {"instance_type": "p4d.24xlarge", "vcpu": 96, "memory_gib": 1152, "gpu_count": 8},
        {"instance_type": "c7g.large", "vcpu": 2, "memory_gib": 4},   # known type, no price anywhere
    ],
    services={"fargate/vcpu-hour/us-east-1": 0.04048, "fargate/gb-hour/us-east-1": 0.004445},
    overrides=[
        PriceOverride(E1, "p4d.24xlarge", "on-demand", 15.0),
        PriceOverride("*", "p4d.24xlarge", "on-demand", 18.0),
    ],
    discounts=[
        Discount("m6i", 0.28, "savings-plan", region=E1),
        Discount("m6i", 0.5, "negotiated"),          # region "*": applies where no exact region matches
        Discount("r6i", 0.275, "reserved"),
        Discount("p4d", 0.3, "savings-plan"),        # never applies over an override
    ],
    spot_as_of=date(2026, 7, 1),
)


def _node(name: str, instance_type: str | None, region: str | None, capacity: str, *,
          compute: str = "ec2", vcpu: float = 2.0, ram_gib: float = 8.0,
          gpus: float | None = 0.0) -> dict[str, Any]:
    return {"name": name, "instance_type": instance_type, "region": region, "capacity_type": capacity,
            "compute_type": compute, "vcpu": vcpu, "ram_gib": ram_gib, "gpu_count": gpus, "hours": 1.0}


# (node, hourly_usd, price_source, price_is_estimate, unpriced_reason)
NODE_CASES = [
    # 1. user override: exact region beats "*"; discounts never apply to overrides
    (_node("ovr-exact", "p4d.24xlarge", E1, "on-demand"), 15.0, "override", False, None),
    (_node("ovr-star", "p4d.24xlarge", W1, "on-demand"), 18.0, "override", False, None),
    (_node("ovr-no-region", "p4d.24xlarge", None, "on-demand"), 18.0, "override", False, None),
    # 2. Fargate: 2 vCPU × 0.04048 + 4 GiB × 0.004445 = 0.08096 + 0.01778 = 0.09874
    (_node("fg", None, E1, "fargate", compute="fargate", vcpu=2, ram_gib=4), 0.09874, "fargate-rates", False,
     None),
    (_node("fg-eu", None, W1, "fargate", compute="fargate"), None, "unpriced", False,
     "no Fargate price for region eu-west-1 in the catalog"),
    # 3. what the catalog cannot price
    (_node("no-type", None, E1, "on-demand"), None, "unpriced", False, "node has no instance-type label"),
    (_node("no-region", "g5.xlarge", None, "on-demand"), None, "unpriced", False, "node has no region label"),
    (_node("unknown", "x9.large", E1, "on-demand"), None, "unpriced", False,
     "instance type x9.large is not in the price catalog"),
    (_node("not-here", "g5.xlarge", W1, "on-demand"), None, "unpriced", False,
     "no on-demand price for g5.xlarge in region eu-west-1"),
    (_node("spec-only", "c7g.large", E1, "on-demand"), None, "unpriced", False,
     "no on-demand price for c7g.large in region us-east-1"),
    # 4. spot: live price, bundled estimate, on-demand upper bound (never discounted)
    (_node("spot-live", "g5.2xlarge", E1, "spot"), 0.5, "aws-spot-api", False, None),
    (_node("spot-bundled", "g5.xlarge", E1, "spot"), 0.4, "bundled-spot-estimate", True, None),
    (_node("spot-upper", "m6i.large", E1, "spot"), 0.096, "ondemand-upper-bound", True, None),
    # 5. on-demand: the source kind comes from the row's source id
    (_node("od", "g5.xlarge", E1, "on-demand"), 1.006, "bundled-ondemand", False, None),
    (_node("od-api", "g5.2xlarge", E1, "on-demand"), 1.212, "pricing-api", False, None),
    (_node("od-unknown", "g5.xlarge", E1, "unknown"), 1.006, "ondemand-assumed", True, None),
    # 6. discounts: 0.096 × (1 − 0.28) = 0.06912; eu-west-1 falls to the "*" row: 0.107 × 0.5 = 0.0535;
    #    0.126 × (1 − 0.275) = 0.09135
    (_node("sp", "m6i.large", E1, "on-demand"), 0.06912, "bulk-ondemand+savings-plan(-28%)", False, None),
    (_node("sp-star", "m6i.large", W1, "on-demand"), 0.0535, "bundled-ondemand+negotiated(-50%)", False,
     None),
    (_node("ri", "r6i.large", E1, "on-demand"), 0.09135, "bundled-ondemand+reserved(-27.5%)", False, None),
    (_node("sp-unknown", "m6i.large", E1, "unknown"), 0.06912, "ondemand-assumed+savings-plan(-28%)", True,
     None),
]


@pytest.fixture(scope="module")
def priced() -> pl.DataFrame:
    nodes = table_from_rows("nodes", [case[0] for case in NODE_CASES])
    return price_nodes(nodes, NODE_CATALOG)


@pytest.mark.parametrize(("node", "usd", "source", "estimate", "reason"), NODE_CASES,
                         ids=[case[0]["name"] for case in NODE_CASES])
def test_price_nodes_precedence(priced: pl.DataFrame, node: dict[str, Any], usd: float | None, source: str,
                                estimate: bool, reason: str | None) -> None:
    row = priced.filter(pl.col("name") == node["name"]).to_dicts()[0]
    if usd is None:
        assert row["hourly_usd"] is None
    else:
        assert row["hourly_usd"] == pytest.approx(usd, abs=1e-12)
    got = (row["price_source"], row["price_is_estimate"], row["unpriced_reason"])
    assert got == (source, estimate, reason)


def test_price_nodes_keeps_rows_order_and_columns(priced: pl.DataFrame) -> None:
    assert priced.get_column("name").to_list() == [case[0]["name"] for case in NODE_CASES]
    assert priced.schema["hourly_usd"] == pl.Float64
    assert priced.schema["price_is_estimate"] == pl.Boolean
    assert priced.schema["priced_gpu_count"] == pl.Float64


def test_ondemand_column_is_the_list_price_before_discount(priced: pl.DataFrame) -> None:
    by_name = dict(priced.select("name", "ondemand_usd_per_hour").iter_rows())
    assert by_name["sp"] == 0.096              # discounted to 0.06912, list price kept for the split
    assert by_name["spot-bundled"] == 1.006
    assert by_name["ovr-exact"] == 21.96
    assert by_name["fg"] is None


def test_priced_gpu_count_is_the_larger_of_node_and_catalog() -> None:
    nodes = table_from_rows("nodes", [
        _node("plugin-missing", "g5.xlarge", E1, "on-demand", gpus=0),   # catalog says 1 → 1
        _node("as-advertised", "p4d.24xlarge", E1, "on-demand", gpus=8),
        _node("node-says-more", "m6i.large", E1, "on-demand", gpus=2),   # catalog 0 → 2
        _node("unknown-type", "x9.large", E1, "on-demand", gpus=None),
    ])
    out = price_nodes(nodes, NODE_CATALOG)
    assert out.get_column("priced_gpu_count").to_list() == [1.0, 8.0, 2.0, 0.0]


def test_out_of_range_discount_is_rejected() -> None:
    catalog = make_catalog(discounts=[Discount("m6i", 1.2, "savings-plan")])
    with pytest.raises(ValueError, match=r"fraction 1\.2 must be in \[0, 1\)"):
        price_nodes(table_from_rows("nodes", [_node("a", "m6i.large", E1, "on-demand")]), catalog)


def test_price_warnings_one_line_per_estimate_kind(priced: pl.DataFrame) -> None:
    # spot-bundled: 1; spot-upper: 1; ondemand-assumed: od-unknown + sp-unknown = 2;
    # unpriced: fg-eu, no-type, no-region, unknown, not-here, spec-only = 6
    assert price_warnings(priced, spot_as_of=date(2026, 7, 1)) == [
        "1 spot node priced from the bundled spot snapshot of 2026-07-01: an estimate",
        "1 spot node priced at on-demand (no spot price in the catalog): an upper bound",
        "2 nodes of unknown capacity type priced at on-demand: an estimate",
        "6 nodes unpriced (left out of the totals)",
    ]


def test_price_warnings_empty_when_all_prices_are_firm() -> None:
    nodes = table_from_rows("nodes", [_node("od", "g5.xlarge", E1, "on-demand")])
    assert price_warnings(price_nodes(nodes, NODE_CATALOG)) == []


# --- volumes ---------------------------------------------------------------------------------------------

VOLUME_CATALOG = make_catalog(ebs_rows=[
    {"region": E1, "volume_type": "gp3", "usd_per_gb_month": 0.08, "usd_per_iops_month": 0.005,
     "usd_per_mibps_month": 0.04, "free_iops": 3000, "free_mibps": 125, "source": "ebs-e1"},
    {"region": E1, "volume_type": "gp2", "usd_per_gb_month": 0.10, "source": "ebs-e1"},
    # io2 bills every provisioned IOPS: a free_iops in the catalog row must not reduce it
    {"region": E1, "volume_type": "io2", "usd_per_gb_month": 0.125, "usd_per_iops_month": 0.065,
     "free_iops": 3000, "source": "ebs-e1"},
    {"region": E1, "volume_type": "st1", "usd_per_gb_month": 0.045, "source": "ebs-e1"},
])


def _volume(name: str, vtype: str | None, gib: float, region: str | None = E1, iops: float | None = None,
            mibps: float | None = None) -> dict[str, Any]:
    return {"name": name, "storage_class": f"sc-{vtype}", "volume_type": vtype, "capacity_gib": gib,
            "iops": iops, "throughput_mibps": mibps, "region": region, "hours": 1.0}


# (volume, hourly_usd, price_source, unpriced_reason)
VOLUME_CASES = [
    # (1000 × 0.08 + (6000 − 3000) × 0.005 + (250 − 125) × 0.04) / 730 = (80 + 15 + 5) / 730 = 100 / 730
    (_volume("gp3-fast", "gp3", 1000, iops=6000, mibps=250), 100 / 730, "ebs-e1", None),
    (_volume("gp3-default", "gp3", 100), 8 / 730, "ebs-e1", None),                    # 100 × 0.08 = 8
    (_volume("gp3-below-free", "gp3", 100, iops=2000, mibps=100), 8 / 730, "ebs-e1", None),
    (_volume("gp2", "gp2", 500), 50 / 730, "ebs-e1", None),                            # 500 × 0.10 = 50
    # 200 × 0.125 + 10000 × 0.065 = 25 + 650 = 675
    (_volume("io2", "io2", 200, iops=10000), 675 / 730, "ebs-e1", None),
    (_volume("st1", "st1", 1000), 45 / 730, "ebs-e1", None),                            # 1000 × 0.045
    (_volume("io2-no-iops", "io2", 200), None, "unpriced",
     "io2 volume has no provisioned IOPS: its IOPS charge is unknown"),
    (_volume("efs", "efs", 5), None, "unpriced", "EFS bills stored bytes, not PV capacity"),
    (_volume("odd", "unknown", 5), None, "unpriced", "unknown volume type (storage class sc-unknown)"),
    (_volume("far", "gp3", 5, region="eu-north-1"), None, "unpriced",
     "no EBS price for gp3 in region eu-north-1"),
    (_volume("nowhere", "st1", 5, region=None), None, "unpriced", "volume has no region"),
]


@pytest.mark.parametrize(("volume", "usd", "source", "reason"), VOLUME_CASES,
                         ids=[case[0]["name"] for case in VOLUME_CASES])
def test_price_volumes(volume: dict[str, Any], usd: float | None, source: str, reason: str | None) -> None:
    row = price_volumes(table_from_rows("volumes", [volume]), VOLUME_CATALOG).to_dicts()[0]
    assert row["hourly_usd"] == (pytest.approx(usd, abs=1e-15) if usd is not None else None)
    assert (row["price_source"], row["unpriced_reason"]) == (source, reason)


def test_price_volumes_vectorized_keeps_order() -> None:
    table = table_from_rows("volumes", [case[0] for case in VOLUME_CASES])
    out = price_volumes(table, VOLUME_CATALOG)
    assert out.get_column("name").to_list() == [case[0]["name"] for case in VOLUME_CASES]
    assert out.get_column("hourly_usd").to_list()[:2] == pytest.approx([100 / 730, 8 / 730])


# --- load balancers and the control plane ----------------------------------------------------------------

SERVICE_CATALOG = make_catalog(services={
    "elb/nlb-hour/us-east-1": ServicePrice(0.0225, "hour", "elb-e1"),
    "elb/clb-hour/us-east-1": ServicePrice(0.025, "hour", "elb-e1"),
    "eks/cluster-standard/*": ServicePrice(0.10, "cluster-hour", "eks-pricing"),
    "eks/cluster-extended/*": ServicePrice(0.60, "cluster-hour", "eks-pricing"),
})


def test_price_services() -> None:
    services = table_from_rows("services", [
        {"namespace": "ml", "name": "vllm", "lb_kind": "nlb", "region": E1, "hours": 1.0},
        {"namespace": "ml", "name": "old", "lb_kind": "clb", "region": E1, "hours": 1.0},
        {"namespace": "ml", "name": "eu", "lb_kind": "nlb", "region": W1, "hours": 1.0},
        {"namespace": "ml", "name": "vllm2", "lb_kind": "nlb", "region": E1, "hours": 1.0},
    ])
    out = price_services(services, SERVICE_CATALOG)
    assert out.select("name", "hourly_usd", "price_source", "unpriced_reason").rows() == [
        ("vllm", 0.0225, "elb-e1", None),
        ("old", 0.025, "elb-e1", None),
        ("eu", None, "unpriced", "no NLB hourly price for region eu-west-1 in the catalog"),
        ("vllm2", 0.0225, "elb-e1", None),
    ]


@pytest.mark.parametrize(("support", "expected"), [
    ("standard", (0.10, "eks-pricing", None)),
    ("extended", (0.60, "eks-pricing", None)),     # the whole fee on extended support, not a surcharge
])
def test_control_plane_hourly(support: str, expected: tuple[float, str, None]) -> None:
    assert control_plane_hourly(SERVICE_CATALOG, E1, support) == expected


def test_control_plane_unpriced_without_catalog_entry() -> None:
    assert control_plane_hourly(make_catalog(), E1, "extended") == (
        None, "unpriced", "no EKS extended-support cluster fee in the catalog")


def test_control_plane_rejects_unknown_support() -> None:
    with pytest.raises(ValueError, match="'premium'"):
        control_plane_hourly(SERVICE_CATALOG, E1, "premium")
