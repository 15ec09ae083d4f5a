"""app.pricing over a small hand-built catalog: show_instance and list_instances, with overrides/discounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from genaicost.app.pricing import list_instances, show_instance
from genaicost.domain.errors import InputError
from genaicost.domain.prices import (
    EBS_PRICE_SCHEMA,
    EC2_PRICE_SCHEMA,
    INSTANCE_SPEC_SCHEMA,
    Discount,
    PriceCatalog,
    PriceOverride,
)

SOURCES = {"od": "on-demand source", "spot": "spot estimate source", "specs": "spec source"}


def catalog() -> PriceCatalog:
    ec2 = pl.DataFrame([
        ("us-east-1", "g5.xlarge", 1.0, 0.4, "od", "spot"),
        ("us-east-1", "g5.12xlarge", 5.0, None, "od", None),
        ("us-east-1", "p4d.24xlarge", 32.0, 12.0, "od", "spot"),
        ("us-east-1", "m7i.large", 0.1, 0.04, "od", "spot"),
        ("us-east-1", "f1.2xlarge", 1.65, None, "od", None),
        ("us-east-1", "mac1.metal", None, None, None, None),
        ("eu-west-1", "p4d.24xlarge", 35.0, None, "od", None),
        ("us-west-2", "p4d.24xlarge", 33.0, 13.0, "od", "spot"),
    ], schema=EC2_PRICE_SCHEMA, orient="row")
    specs = pl.DataFrame([
        ("g5.xlarge", 4.0, 16.0, 1.0, "A10G", 22.35, "nvidia", "specs"),
        ("g5.12xlarge", 48.0, 192.0, 4.0, "A10G", 89.41, "nvidia", "specs"),
        ("p4d.24xlarge", 96.0, 1152.0, 8.0, "A100", 320.0, "nvidia", "specs"),
        ("m7i.large", 2.0, 8.0, 0.0, None, None, "none", "specs"),
        ("f1.2xlarge", 8.0, 122.0, 1.0, "Virtex UltraScale (VU9P)", None, "fpga", "specs"),
        ("mac1.metal", 12.0, 32.0, 0.0, None, None, "none", "specs"),
    ], schema=INSTANCE_SPEC_SCHEMA, orient="row")
    return PriceCatalog(as_of=date(2026, 7, 20), spot_as_of=date(2026, 7, 19),
                        sources=dict(SOURCES), ec2=ec2, specs=specs,
                        ebs=pl.DataFrame(schema=EBS_PRICE_SCHEMA))


def test_show_plain_prices() -> None:
    info = show_instance(catalog(), "p4d.24xlarge", "us-east-1")
    assert info["ondemand"]["usd_per_hour"] == 32.0
    assert info["ondemand"]["usd_per_month"] == pytest.approx(23360.0)      # 32 × 730
    assert info["ondemand"]["usd_per_gpu_hour"] == 4.0                       # 32 / 8 GPUs
    assert info["ondemand"]["price_basis"] == "od"
    assert info["spot"]["usd_per_hour"] == 12.0 and info["spot"]["usd_per_gpu_hour"] == 1.5
    assert info["spot"]["as_of"] == "2026-07-19" and info["spot"]["is_estimate"] is True
    assert info["specs"]["gpu_model"] == "A100" and info["specs"]["gpu_memory_gib"] == 320.0
    assert info["sources"] == SOURCES
    assert info["as_of"] == "2026-07-20" and info["overrides"] == [] and info["discount"] is None


def test_show_discount_reduces_ondemand_only() -> None:
    cat = replace(catalog(), discounts=(Discount("g5", 0.28, "savings-plan"),))
    info = show_instance(cat, "g5.xlarge", "us-east-1")
    assert info["ondemand"]["usd_per_hour"] == pytest.approx(0.72)          # 1.00 × (1 − 0.28)
    assert info["ondemand"]["usd_per_month"] == pytest.approx(525.6)        # 0.72 × 730
    assert info["ondemand"]["catalog_usd_per_hour"] == 1.0
    assert info["ondemand"]["price_basis"] == "od+savings-plan(-28%)"
    assert info["spot"]["usd_per_hour"] == 0.4                               # spot is not discounted
    assert info["discount"] == {"instance_family": "g5", "fraction": 0.28, "kind": "savings-plan",
                                "region": "*", "percent": 28.0}


def test_show_region_discount_beats_star_discount() -> None:
    cat = replace(catalog(), discounts=(Discount("g5", 0.28, "savings-plan"),
                                        Discount("g5", 0.4, "negotiated", "us-east-1")))
    info = show_instance(cat, "g5.12xlarge", "us-east-1")
    assert info["ondemand"]["usd_per_hour"] == pytest.approx(3.0)           # 5.00 × 0.6
    assert info["ondemand"]["usd_per_gpu_hour"] == pytest.approx(0.75)      # 3.00 / 4 GPUs
    assert info["ondemand"]["price_basis"] == "od+negotiated(-40%)"


def test_show_override_wins_over_discount_and_catalog() -> None:
    cat = replace(catalog(), overrides=(PriceOverride("us-east-1", "p4d.24xlarge", "on-demand", 21.5, "EDP"),
                                        PriceOverride("*", "p4d.24xlarge", "spot", 9.0)),
                  discounts=(Discount("p4d", 0.1, "reserved"),))
    info = show_instance(cat, "p4d.24xlarge", "us-east-1")
    assert info["ondemand"]["usd_per_hour"] == 21.5
    assert info["ondemand"]["usd_per_month"] == pytest.approx(15695.0)     # 21.5 × 730
    assert info["ondemand"]["usd_per_gpu_hour"] == pytest.approx(2.6875)   # 21.5 / 8
    assert info["ondemand"]["price_basis"] == "override" and info["discount"] is None
    assert info["spot"]["usd_per_hour"] == 9.0 and info["spot"]["is_estimate"] is False
    assert [o["note"] for o in info["overrides"]] == ["EDP", ""]
    # in eu-west-1 only the "*" spot override applies; the on-demand discount does
    eu = show_instance(cat, "p4d.24xlarge", "eu-west-1")
    assert eu["ondemand"]["usd_per_hour"] == pytest.approx(31.5)            # 35 × 0.9
    assert eu["spot"]["usd_per_hour"] == 9.0


def test_show_unpriced_type_says_why() -> None:
    info = show_instance(catalog(), "mac1.metal", "us-east-1")
    assert info["ondemand"]["usd_per_hour"] is None and info["ondemand"]["usd_per_month"] is None
    assert "no on-demand price" in info["ondemand"]["unpriced_reason"]


def test_show_unknown_type_suggests_close_matches() -> None:
    with pytest.raises(InputError, match=r"did you mean g5\.xlarge") as info:
        show_instance(catalog(), "g5.xlargee", "us-east-1")
    assert info.value.obj == "g5.xlargee" and info.value.field == "instance_type"
    with pytest.raises(InputError, match="no similar instance type"):
        show_instance(catalog(), "zz9.huge", "us-east-1")


def test_show_type_not_in_region_lists_regions() -> None:
    with pytest.raises(InputError, match="regions that have it: eu-west-1, us-east-1, us-west-2") as info:
        show_instance(catalog(), "p4d.24xlarge", "ap-south-1")
    assert info.value.field == "region"


def test_list_region_sorted_by_price_unpriced_last() -> None:
    frame = list_instances(catalog(), region="us-east-1", gpu_only=False)
    assert frame["instance_type"].to_list() == ["m7i.large", "g5.xlarge", "f1.2xlarge", "g5.12xlarge",
                                                "p4d.24xlarge", "mac1.metal"]
    g5 = frame.filter(pl.col("instance_type") == "g5.12xlarge").row(0, named=True)
    assert g5["ondemand_usd_per_gpu_hour"] == 1.25 and g5["ondemand_usd_per_month"] == 3650.0


def test_list_gpu_only_excludes_fpga_and_cpu() -> None:
    frame = list_instances(catalog(), region="us-east-1", gpu_only=True)
    assert frame["instance_type"].to_list() == ["g5.xlarge", "g5.12xlarge", "p4d.24xlarge"]


def test_list_applies_overrides_and_discounts() -> None:
    cat = replace(catalog(), overrides=(PriceOverride("*", "p4d.24xlarge", "on-demand", 2.0),),
                  discounts=(Discount("g5", 0.5, "reserved", "us-east-1"),))
    frame = list_instances(cat, region=None, gpu_only=True)
    assert frame.select("region", "instance_type", "ondemand_usd_per_hour", "adjustment").rows() == [
        ("us-east-1", "g5.xlarge", 0.5, "reserved(-50%)"),
        ("eu-west-1", "p4d.24xlarge", 2.0, "on-demand override"),
        ("us-east-1", "p4d.24xlarge", 2.0, "on-demand override"),
        ("us-west-2", "p4d.24xlarge", 2.0, "on-demand override"),
        ("us-east-1", "g5.12xlarge", 2.5, "reserved(-50%)"),
    ]


def test_list_unknown_region() -> None:
    with pytest.raises(InputError, match="no prices for region 'mars-1'; regions it has: eu-west-1"):
        list_instances(catalog(), region="mars-1", gpu_only=False)
