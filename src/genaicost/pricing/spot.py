"""Live spot prices from EC2 DescribeSpotPriceHistory, and putting them into a PriceCatalog.

`live_spot_prices` asks each region for the Linux/UNIX history of the last 3 hours (paginated) and keeps
the latest price per availability zone; `with_live_spot` sets the catalog's region-level spot price to the
median over zones, with spot source "aws-spot-api".
DescribeSpotPriceHistory is regional: pass a client factory `region -> ec2 client`, or one client whose
region is the only region in `keys`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from botocore.exceptions import BotoCoreError, ClientError

from genaicost.domain.errors import InputError
from genaicost.domain.prices import EC2_PRICE_SCHEMA, PriceCatalog

SOURCE_ID = "aws-spot-api"
PRODUCT_DESCRIPTION = "Linux/UNIX"
LOOKBACK = timedelta(hours=3)
SPOT_SCHEMA: dict[str, Any] = {
    "region": pl.String,
    "instance_type": pl.String,
    "zone": pl.String,
    "usd_per_hour": pl.Float64,
    "timestamp": pl.Datetime("us", "UTC"),
}
_KEY = ["region", "instance_type"]


def live_spot_prices(ec2_client: Any, keys: list[tuple[str, str]], now: datetime) -> pl.DataFrame:
    """Latest spot price per (region, instance type, zone); columns of SPOT_SCHEMA."""
    by_region: dict[str, list[str]] = {}
    for region, itype in keys:
        by_region.setdefault(region, []).append(itype)
    rows: list[tuple[str, str, str, float, datetime]] = []
    for region, types in sorted(by_region.items()):
        rows += _history(_client_for(ec2_client, region), region, sorted(set(types)), now)
    return latest_per_zone(pl.DataFrame(rows, schema=SPOT_SCHEMA, orient="row"))


def _client_for(ec2_client: Any, region: str) -> Any:
    if hasattr(ec2_client, "describe_spot_price_history"):
        own = ec2_client.meta.region_name
        if own != region:
            raise InputError(
                f"the EC2 client is for {own}, cannot ask {region}; pass a client factory "
                "(region -> client) to query several regions",
                obj=region,
                field="region",
            )
        return ec2_client
    factory: Callable[[str], Any] = ec2_client
    return factory(region)


def _history(
    client: Any, region: str, types: list[str], now: datetime
) -> list[tuple[str, str, str, float, datetime]]:
    try:
        pages = client.get_paginator("describe_spot_price_history").paginate(
            InstanceTypes=types,
            ProductDescriptions=[PRODUCT_DESCRIPTION],
            StartTime=now - LOOKBACK,
            EndTime=now,
        )
        return [
            (
                region,
                item["InstanceType"],
                item["AvailabilityZone"],
                float(item["SpotPrice"]),
                item["Timestamp"],
            )
            for page in pages
            for item in page.get("SpotPriceHistory", [])
        ]
    except (ClientError, BotoCoreError) as exc:
        raise InputError(f"EC2 DescribeSpotPriceHistory failed: {exc}", source=f"ec2:{region}") from exc


def latest_per_zone(history: pl.DataFrame) -> pl.DataFrame:
    """One row per (region, instance type, zone): the entry with the latest timestamp."""
    return (
        history.sort("timestamp")
        .group_by([*_KEY, "zone"], maintain_order=True)
        .last()
        .select(list(SPOT_SCHEMA))
        .sort([*_KEY, "zone"])
    )


def median_per_region(latest: pl.DataFrame) -> pl.DataFrame:
    """region, instance_type, spot_usd_per_hour (median over zones), zones, latest."""
    return (
        latest.group_by(_KEY)
        .agg(
            spot_usd_per_hour=pl.col("usd_per_hour").median(),
            zones=pl.len(),
            latest=pl.col("timestamp").max(),
        )
        .sort(_KEY)
    )


def with_live_spot(catalog: PriceCatalog, df: pl.DataFrame) -> PriceCatalog:
    """`catalog` with spot_usd_per_hour = median over zones of `df` and spot_source "aws-spot-api"."""
    if df.height == 0:
        return catalog
    medians = median_per_region(df)
    live = medians.select(*_KEY, pl.col("spot_usd_per_hour").alias("live_usd"))
    ec2 = catalog.ec2.join(live, on=_KEY, how="full", coalesce=True).with_columns(
        spot_usd_per_hour=pl.coalesce("live_usd", "spot_usd_per_hour"),
        spot_source=pl.when(pl.col("live_usd").is_not_null())
        .then(pl.lit(SOURCE_ID))
        .otherwise(pl.col("spot_source")),
    )
    latest = medians["latest"].max()
    stamp = latest.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(latest, datetime) else str(latest)
    sources = {
        **catalog.sources,
        SOURCE_ID: (
            f"AWS EC2 DescribeSpotPriceHistory ({PRODUCT_DESCRIPTION}): median over availability zones "
            f"of each zone's latest price; latest price change {stamp}"
        ),
    }
    ec2 = ec2.select(list(EC2_PRICE_SCHEMA)).sort(_KEY).cast(pl.Schema(EC2_PRICE_SCHEMA))
    return dataclasses.replace(catalog, sources=sources, ec2=ec2)


def aws_credentials_available(session: Any) -> bool:
    """True when the boto3 session resolves credentials (env, profile, SSO, instance role...)."""
    try:
        return session.get_credentials() is not None
    except (BotoCoreError, ClientError, OSError):
        return False
