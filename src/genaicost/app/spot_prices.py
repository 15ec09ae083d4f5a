"""Spot prices for a report: live from EC2 DescribeSpotPriceHistory when AWS credentials exist.

Order (docs/cost-model.md §1): live API → bundled spot snapshot (an estimate) → on-demand (an upper bound).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Any

import polars as pl
from botocore.exceptions import BotoCoreError, ClientError

from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.snapshot import Snapshot
from genaicost.pricing import spot


class SpotPrices(StrEnum):
    auto = "auto"        # live when AWS credentials exist and the source is a real cluster, else bundled
    live = "live"        # live, or fail
    bundled = "bundled"  # never call AWS


def spot_node_keys(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(region, instance type) of the snapshot's spot nodes, sorted, once each."""
    rows = (
        snapshot.nodes.filter(
            (pl.col("capacity_type") == "spot")
            & pl.col("region").is_not_null()
            & pl.col("instance_type").is_not_null()
        )
        .select("region", "instance_type")
        .unique()
        .sort("region", "instance_type")
    )
    return [(r, t) for r, t in rows.iter_rows()]


def with_spot_prices(
    catalog: PriceCatalog, snapshot: Snapshot, mode: SpotPrices, session: Any, now: datetime
) -> tuple[PriceCatalog, Snapshot]:
    """The catalog with live spot prices where `mode` allows; a failed `auto` lookup becomes a warning."""
    keys = spot_node_keys(snapshot)
    demo_auto = mode is SpotPrices.auto and snapshot.cluster.source == "demo"
    if mode is SpotPrices.bundled or not keys or demo_auto:
        return catalog, snapshot
    if session is None or not spot.aws_credentials_available(session):
        if mode is SpotPrices.live:
            raise InputError(
                "no AWS credentials found for DescribeSpotPriceHistory; configure credentials "
                "(env, profile, IRSA) or use --spot-prices bundled",
                field="--spot-prices",
            )
        return catalog, snapshot
    try:
        latest = spot.live_spot_prices(lambda region: session.client("ec2", region_name=region), keys, now)
    except (BotoCoreError, ClientError) as err:
        if mode is SpotPrices.live:
            raise InputError(f"DescribeSpotPriceHistory failed: {err}", field="--spot-prices") from None
        note = f"live spot prices unavailable ({err}); spot nodes use the bundled snapshot or on-demand"
        return catalog, dataclasses.replace(snapshot, warnings=(*snapshot.warnings, note))
    return spot.with_live_spot(catalog, latest), snapshot
