"""Pricing API GetProducts through boto3 against a local awsJson1_1 server replaying recorded responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import polars as pl
import pytest

from genaicost.app.refresh import pricing_client, refresh_from_api
from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.catalog_files import read_catalog_dir
from genaicost.pricing.pricing_api import ApiCache, get_products, get_products_cached, refresh_api

EXCHANGES = json.loads(
    (Path(__file__).parent.parent / "data" / "pricing" / "pricing_api" / "get_products.json").read_text()
)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
GP3 = {"volumeApiName": "gp3", "regionCode": "us-east-1"}


class PricingReplay:
    """Answers POST / with X-Amz-Target AWSPriceListService.GetProducts from the recorded exchanges."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def __call__(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if headers.get("X-Amz-Target") != "AWSPriceListService.GetProducts":
            return 400, json.dumps({"__type": "UnknownOperationException"}).encode()
        request = json.loads(body)
        self.requests.append(request)
        assert request["ServiceCode"] == "AmazonEC2" and request["FormatVersion"] == "aws_v1"
        assert all(f["Type"] == "TERM_MATCH" for f in request["Filters"])
        filters = {f["Field"]: f["Value"] for f in request["Filters"]}
        for ex in EXCHANGES:
            if ex["filters"] == filters and ex["next_token"] == request.get("NextToken"):
                return 200, json.dumps(ex["response"]).encode()
        return 400, json.dumps({"__type": "InvalidParameterException", "Message": "no recording"}).encode()


@pytest.fixture
def replay(local_server) -> PricingReplay:
    handler = PricingReplay()
    local_server.post_handler = handler
    return handler


@pytest.fixture
def client(local_server, replay, monkeypatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    session = boto3.Session(region_name="us-east-1")
    yield pricing_client(session, endpoint_url=local_server.base_url)


def test_get_products_follows_next_token(client, replay) -> None:
    price_list = get_products(client, GP3)
    skus = [json.loads(p)["product"]["sku"] for p in price_list]
    assert skus == ["GP3STOR000000001", "GP3IOPS000000002", "GP3THRU000000003"]
    assert [r.get("NextToken") for r in replay.requests] == [None, EXCHANGES[4]["response"]["NextToken"]]


def test_refresh_api_prices(client, base_catalog: PriceCatalog, tmp_path: Path) -> None:
    result = refresh_api(
        client,
        base_catalog,
        regions=["us-east-1"],
        instance_types=["p4d.24xlarge", "g5.xlarge"],
        volume_types=["gp3"],
        cache=ApiCache(tmp_path, NOW),
    )
    ec2 = {
        r["instance_type"]: r
        for r in result.catalog.ec2.filter(pl.col("region") == "us-east-1").iter_rows(named=True)
    }
    assert (ec2["p4d.24xlarge"]["ondemand_usd_per_hour"], ec2["p4d.24xlarge"]["ondemand_source"]) == (
        32.7726,
        "pricing-api",
    )
    assert ec2["p4d.24xlarge"]["spot_usd_per_hour"] == 12.0  # spot kept from the base row
    assert ec2["g5.xlarge"]["ondemand_usd_per_hour"] == 1.006  # not the Reserved-shaped $0.20
    # Not asked: base rows kept as they were (the API refresh replaces only the named keys).
    assert (ec2["m5.large"]["ondemand_usd_per_hour"], ec2["m5.large"]["ondemand_source"]) == (
        0.09,
        "bundled-ondemand",
    )
    assert (ec2["m4.large"]["ondemand_usd_per_hour"]) == 0.1
    gp3 = result.catalog.ebs.filter((pl.col("region") == "us-east-1") & (pl.col("volume_type") == "gp3")).row(
        0, named=True
    )
    assert (
        gp3["usd_per_gb_month"],
        gp3["usd_per_iops_month"],
        gp3["usd_per_mibps_month"],
        gp3["source"],
    ) == (0.08, 0.005, 0.04, "pricing-api")
    assert result.catalog.as_of == date(2024, 5, 28)
    assert result.catalog.sources["pricing-api"] == (
        "us-east-1: AWS Price List Query API GetProducts AmazonEC2 (publicationDate 2024-05-28T20:35:22Z)"
    )
    assert result.missing == []


def test_not_found_is_reported_and_base_row_kept(client, base_catalog: PriceCatalog, tmp_path: Path) -> None:
    result = refresh_api(
        client,
        base_catalog,
        regions=["us-east-2"],
        instance_types=["m5.large"],
        volume_types=[],
        cache=ApiCache(tmp_path, NOW),
    )
    assert result.missing == ["us-east-2/m5.large"]
    assert result.catalog is base_catalog


def test_cache_hit_within_ttl_and_refetch_after(client, replay, tmp_path: Path) -> None:
    filters = {"instanceType": "p4d.24xlarge", "regionCode": "us-east-1", **EXCHANGES[0]["filters"]}
    first = get_products_cached(client, filters, ApiCache(tmp_path, NOW))
    assert len(replay.requests) == 1
    again = get_products_cached(client, filters, ApiCache(tmp_path, NOW + timedelta(hours=23, minutes=59)))
    assert again == first and len(replay.requests) == 1
    get_products_cached(client, filters, ApiCache(tmp_path, NOW + timedelta(hours=24)))
    assert len(replay.requests) == 2
    get_products_cached(
        client, filters, ApiCache(tmp_path, NOW + timedelta(hours=25), ttl=timedelta(hours=2))
    )
    assert len(replay.requests) == 2  # the refetch at +24 h restarted the clock
    cached = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert len(cached) == 1 and cached[0]["fetched_at"] == (NOW + timedelta(hours=24)).isoformat()


def test_refresh_from_api_writes_catalog_and_cache(
    client, replay, base_catalog: PriceCatalog, tmp_path: Path
) -> None:
    catalog_dir = tmp_path / "catalog"
    result = refresh_from_api(
        catalog_dir=catalog_dir,
        regions=["us-east-1"],
        instance_types=["m5.large"],
        volume_types=[],
        pricing_client=client,
        now=NOW,
        base_catalog=base_catalog,
    )
    assert result.counts == {"ec2": 1, "ebs": 0, "specs_added": 0}
    written = read_catalog_dir(catalog_dir)
    row = written.ec2.filter((pl.col("region") == "us-east-1") & (pl.col("instance_type") == "m5.large"))
    assert row["ondemand_usd_per_hour"].to_list() == [0.096]
    assert len(list((catalog_dir / "api-cache").glob("*.json"))) == 1
    # A second refresh within the TTL reads the cache kept across the catalog's atomic rewrite.
    asked = len(replay.requests)
    refresh_from_api(
        catalog_dir=catalog_dir,
        regions=["us-east-1"],
        instance_types=["m5.large"],
        volume_types=[],
        pricing_client=client,
        now=NOW + timedelta(hours=1),
    )
    assert len(replay.requests) == asked
    assert read_catalog_dir(catalog_dir).ec2.equals(written.ec2)


def test_api_needs_a_type(client, base_catalog: PriceCatalog, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="name at least one --instance-type or --volume-type"):
        refresh_from_api(
            catalog_dir=tmp_path,
            regions=["us-east-1"],
            instance_types=[],
            volume_types=[],
            pricing_client=client,
            now=NOW,
            base_catalog=base_catalog,
        )


def test_api_error_is_input_error(client) -> None:
    with pytest.raises(InputError, match="AWS Pricing API GetProducts failed"):
        get_products(client, {"instanceType": "nope.large", "regionCode": "us-east-1"})


def test_no_credentials_is_input_error(monkeypatch, tmp_path: Path) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(InputError, match="no AWS credentials found"):
        pricing_client(boto3.Session(region_name="us-east-1"))


def test_cli_api_without_credentials_exits_2(monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import genaicost.cli.pricing_refresh  # noqa: F401  registers "refresh"
    from genaicost.cli.pricing import pricing_app

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(
        pricing_app,
        ["refresh", "--source", "api", "--instance-type", "m5.large", "--catalog-dir", str(tmp_path / "c")],
    )
    assert result.exit_code == 2
    assert "no AWS credentials found" in result.output


def test_cli_api_refresh(local_server, replay, monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import genaicost.cli.pricing_refresh  # noqa: F401  registers "refresh"
    from genaicost.cli.pricing import pricing_app

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("GENAICOST_CATALOG_DIR", str(tmp_path / "c"))
    result = CliRunner().invoke(
        pricing_app,
        [
            "refresh",
            "--source",
            "api",
            "--region",
            "us-east-1",
            "--region",
            "us-east-2",
            "--instance-type",
            "m5.large",
            "--endpoint-url",
            local_server.base_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Refreshed us-east-1, us-east-2 from the AWS Pricing API" in result.output
    assert "EC2 on-demand rows: 1" in result.output
    assert "not found (kept previous price, if any): us-east-2/m5.large" in result.output
    written = read_catalog_dir(tmp_path / "c")
    row = written.ec2.filter((pl.col("region") == "us-east-1") & (pl.col("instance_type") == "m5.large"))
    assert row.select("ondemand_usd_per_hour", "ondemand_source").row(0) == (0.096, "pricing-api")
