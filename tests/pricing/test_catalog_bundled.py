"""The committed bundled catalog and `load_catalog` (bundled or refreshed directory, plus overrides)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from genaicost.domain.errors import InputError
from genaicost.domain.prices import Discount, PriceCatalog, PriceOverride
from genaicost.pricing import bundled
from genaicost.pricing.bundled import load_catalog
from genaicost.pricing.catalog_files import write_catalog_dir


def _price(catalog: PriceCatalog, region: str, instance_type: str) -> dict[str, object]:
    rows = catalog.ec2.filter((pl.col("region") == region) & (pl.col("instance_type") == instance_type))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_bundled_dates() -> None:
    catalog = load_catalog()
    assert catalog.as_of == date(2026, 7, 20)       # Karpenter's file generated 2026-07-20
    assert catalog.spot_as_of == date(2026, 7, 20)


def test_bundled_p4d_us_east_1_is_the_reference_figure() -> None:
    row = _price(load_catalog(), "us-east-1", "p4d.24xlarge")
    assert row["ondemand_usd_per_hour"] == 21.957642   # ec2_ondemand_prices.csv (Karpenter 2026-07-20)
    assert row["spot_usd_per_hour"] == 8.0001           # SkyPilot median over 4 zones
    assert row["ondemand_source"] == "karpenter-2026-07-20"
    assert row["spot_source"] == "skypilot-v8-spot-median-estimate"


def test_bundled_ondemand_file_wins_over_skypilot() -> None:
    # SkyPilot says 2.176 for us-east-1 c6g.metal; ec2_ondemand_prices.csv says 2.3066 and wins
    assert _price(load_catalog(), "us-east-1", "c6g.metal")["ondemand_usd_per_hour"] == 2.3066


def test_bundled_g5_xlarge_specs() -> None:
    specs = load_catalog().specs.filter(pl.col("instance_type") == "g5.xlarge").row(0, named=True)
    # 22.35 GiB: the A10G's memory as EC2 DescribeInstanceTypes reports it (22,888 MiB; marketed "24 GB")
    assert (specs["vcpu"], specs["memory_gib"], specs["gpu_count"], specs["gpu_model"],
            specs["gpu_memory_gib"], specs["accelerator"]) == (4.0, 16.0, 1.0, "A10G", 22.35, "nvidia")


def test_bundled_region_absent_for_a_type_is_absent() -> None:
    ec2 = load_catalog().ec2
    assert ec2.filter(pl.col("region") == "eu-south-2").height > 0
    p4d = ec2.filter(pl.col("instance_type") == "p4d.24xlarge")
    assert p4d.height > 0 and p4d.filter(pl.col("region") == "eu-south-2").is_empty()


def test_bundled_services_and_ebs() -> None:
    catalog = load_catalog()
    assert catalog.service_price("eks", "cluster-standard", "eu-west-1") is not None
    assert catalog.service_price("eks", "cluster-standard", "eu-west-1").usd == 0.1  # type: ignore[union-attr]
    assert catalog.service_price("eks", "cluster-extended", None).usd == 0.6  # type: ignore[union-attr]
    assert catalog.service_price("fargate", "vcpu-hour", "us-east-1").usd == 0.04048  # type: ignore[union-attr]
    assert catalog.service_price("elb", "nlb-hour", "us-east-1").usd == 0.0225  # type: ignore[union-attr]
    assert catalog.service_price("elb", "clb-hour", "us-east-1") is None      # the reference has no CLB price
    gp3 = catalog.ebs.filter((pl.col("region") == "us-east-1") & (pl.col("volume_type") == "gp3")).row(0)
    assert gp3[2:7] == (0.08, 0.005, 0.04, 3000.0, 125.0)


def test_bundled_loads_fast_and_is_cached() -> None:
    bundled._bundled_catalog.cache_clear()
    start = time.perf_counter()
    first = load_catalog()
    assert time.perf_counter() - start < 0.3
    first.sources["karpenter-2026-07-20"] = "changed by a caller"
    second = load_catalog()
    assert second.ec2 is first.ec2                      # parsed once per process
    assert second.sources["karpenter-2026-07-20"].startswith("aws/karpenter-provider-aws")


def test_catalog_dir_is_used_instead_of_bundled(tmp_path: Path) -> None:
    refreshed = load_catalog()
    write_catalog_dir(replace(refreshed, as_of=date(2026, 9, 1), ec2=refreshed.ec2.head(3)), tmp_path / "cat")
    catalog = load_catalog(catalog_dir=tmp_path / "cat")
    assert catalog.as_of == date(2026, 9, 1) and catalog.ec2.height == 3


def test_missing_catalog_dir_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="catalog directory does not exist") as info:
        load_catalog(catalog_dir=tmp_path / "missing")
    assert info.value.source == str(tmp_path / "missing")


def test_overrides_are_attached(tmp_path: Path) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("prices:\n  - {instance_type: p4d.24xlarge, region: us-east-1, capacity_type: on-demand,"
                    " usd_per_hour: 21.5, note: EDP}\n"
                    "discounts:\n  - {instance_family: g5, kind: savings-plan, percent: 28}\n")
    catalog = load_catalog(overrides_file=path)
    assert catalog.overrides == (PriceOverride("us-east-1", "p4d.24xlarge", "on-demand", 21.5, "EDP"),)
    assert catalog.discounts == (Discount("g5", 0.28, "savings-plan", "*"),)
    assert load_catalog().overrides == ()               # the cached bundled catalog is untouched
