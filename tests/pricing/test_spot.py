"""Live spot prices: hand-made history through the real code path, and moto's server mode."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import polars as pl
import pytest

from genaicost.app.refresh import with_live_spot_if_possible
from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.spot import aws_credentials_available, live_spot_prices, with_live_spot

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 6, 1, hour, minute, tzinfo=UTC)


def _item(itype: str, zone: str, usd: str, ts: datetime) -> dict[str, Any]:
    return {
        "AvailabilityZone": zone,
        "InstanceType": itype,
        "ProductDescription": "Linux/UNIX",
        "SpotPrice": usd,
        "Timestamp": ts,
    }


PAGES = [
    {
        "SpotPriceHistory": [
            _item("p4d.24xlarge", "us-east-1a", "10.000000", _at(9)),
            _item("p4d.24xlarge", "us-east-1b", "13.000000", _at(10)),
            _item("p4d.24xlarge", "us-east-1a", "11.000000", _at(10, 30)),
        ],
        "NextToken": "t2",
    },
    {
        "SpotPriceHistory": [
            _item("p4d.24xlarge", "us-east-1b", "12.500000", _at(8)),
            _item("p4d.24xlarge", "us-east-1c", "14.200000", _at(11)),
            _item("m5.large", "us-east-1a", "0.030000", _at(10)),
            _item("m5.large", "us-east-1b", "0.050000", _at(10)),
            _item("g6.xlarge", "us-east-1a", "0.500000", _at(11, 15)),
        ]
    },
]


class _Paginator:
    def __init__(self, calls: list[dict[str, Any]]) -> None:
        self.calls = calls

    def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        return iter(PAGES)


class RecordedEC2:
    """An EC2 client double answering DescribeSpotPriceHistory with the two hand-made pages above."""

    def __init__(self, region: str) -> None:
        self.meta = type("Meta", (), {"region_name": region})()
        self.calls: list[dict[str, Any]] = []

    def describe_spot_price_history(self, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError("use the paginator")

    def get_paginator(self, name: str) -> _Paginator:
        assert name == "describe_spot_price_history"
        return _Paginator(self.calls)


def test_latest_per_zone_and_median(base_catalog: PriceCatalog) -> None:
    ec2 = RecordedEC2("us-east-1")
    keys = [("us-east-1", "p4d.24xlarge"), ("us-east-1", "m5.large"), ("us-east-1", "g6.xlarge")]
    latest = live_spot_prices(ec2, keys, NOW)
    assert ec2.calls == [
        {
            "InstanceTypes": ["g6.xlarge", "m5.large", "p4d.24xlarge"],
            "ProductDescriptions": ["Linux/UNIX"],
            "StartTime": NOW - timedelta(hours=3),
            "EndTime": NOW,
        }
    ]
    assert latest.select("instance_type", "zone", "usd_per_hour").rows() == [
        ("g6.xlarge", "us-east-1a", 0.5),
        ("m5.large", "us-east-1a", 0.03),
        ("m5.large", "us-east-1b", 0.05),
        ("p4d.24xlarge", "us-east-1a", 11.0),
        ("p4d.24xlarge", "us-east-1b", 13.0),
        ("p4d.24xlarge", "us-east-1c", 14.2),
    ]
    catalog = with_live_spot(base_catalog, latest)
    rows = {
        r["instance_type"]: r
        for r in catalog.ec2.filter(pl.col("region") == "us-east-1").iter_rows(named=True)
    }
    assert (rows["p4d.24xlarge"]["spot_usd_per_hour"], rows["p4d.24xlarge"]["spot_source"]) == (
        13.0,
        "aws-spot-api",
    )
    assert rows["p4d.24xlarge"]["ondemand_usd_per_hour"] == 30.0
    assert rows["m5.large"]["spot_usd_per_hour"] == pytest.approx(0.04, rel=1e-12)
    assert (rows["g6.xlarge"]["ondemand_usd_per_hour"], rows["g6.xlarge"]["spot_usd_per_hour"]) == (None, 0.5)
    assert (rows["m4.large"]["spot_usd_per_hour"], rows["m4.large"]["spot_source"]) == (None, None)
    other = catalog.ec2.filter(pl.col("region") == "us-west-2").row(0, named=True)
    assert (other["spot_usd_per_hour"], other["spot_source"]) == (0.035, "bundled-spot-estimate")
    assert catalog.sources["aws-spot-api"].endswith("latest price change 2024-06-01T11:15:00Z")


def test_single_client_other_region_is_input_error() -> None:
    with pytest.raises(InputError, match="the EC2 client is for us-east-1, cannot ask eu-west-1"):
        live_spot_prices(RecordedEC2("us-east-1"), [("eu-west-1", "m5.large")], NOW)


def test_empty_history_leaves_catalog(base_catalog: PriceCatalog) -> None:
    assert with_live_spot(base_catalog, live_spot_prices(RecordedEC2("us-east-1"), [], NOW)) is base_catalog


def _direct_medians(endpoint: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """What a plain boto3 call returns, reduced by hand: latest per zone, then median over zones."""
    latest: dict[tuple[str, str, str], tuple[datetime, float]] = {}
    for region in sorted({r for r, _ in keys}):
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint)
        types = sorted({t for r, t in keys if r == region})
        reply = ec2.describe_spot_price_history(
            InstanceTypes=types,
            ProductDescriptions=["Linux/UNIX"],
            StartTime=NOW - timedelta(hours=3),
            EndTime=NOW,
        )
        for item in reply["SpotPriceHistory"]:
            key = (region, item["InstanceType"], item["AvailabilityZone"])
            if key not in latest or item["Timestamp"] > latest[key][0]:
                latest[key] = (item["Timestamp"], float(item["SpotPrice"]))
    by_type: dict[tuple[str, str], list[float]] = {}
    for (region, itype, _), (_, usd) in latest.items():
        by_type.setdefault((region, itype), []).append(usd)
    return {k: statistics.median(v) for k, v in by_type.items()}


def test_moto_live_spot_matches_direct_call(moto_endpoint: str, base_catalog: PriceCatalog) -> None:
    keys = [("us-east-1", "p4d.24xlarge"), ("us-east-1", "m5.large"), ("us-west-2", "m5.large")]
    session = boto3.Session()
    assert aws_credentials_available(session)
    catalog = with_live_spot_if_possible(base_catalog, session, keys, NOW, endpoint_url=moto_endpoint)
    expected = _direct_medians(moto_endpoint, keys)
    assert set(expected) == set(keys)
    got = {
        (r["region"], r["instance_type"]): (r["spot_usd_per_hour"], r["spot_source"])
        for r in catalog.ec2.iter_rows(named=True)
        if (r["region"], r["instance_type"]) in expected
    }
    assert got == {k: (v, "aws-spot-api") for k, v in expected.items()}
    assert base_catalog.ec2.filter(pl.col("instance_type") == "m5.large")["spot_source"].to_list() == [
        "bundled-spot-estimate",
        "bundled-spot-estimate",
    ]


def test_moto_zones_per_type(moto_endpoint: str) -> None:
    def factory(region: str) -> Any:
        return boto3.client("ec2", region_name=region, endpoint_url=moto_endpoint)

    latest = live_spot_prices(factory, [("us-east-1", "m5.large")], NOW)
    direct = factory("us-east-1").describe_spot_price_history(
        InstanceTypes=["m5.large"], ProductDescriptions=["Linux/UNIX"]
    )
    assert sorted(latest["zone"].to_list()) == sorted(
        {i["AvailabilityZone"] for i in direct["SpotPriceHistory"]}
    )
    assert latest.height >= 2
