"""Use cases: refresh the price catalog directory (bulk offer files or the Pricing API), live spot prices.

The catalog directory is only written after every download and parse has succeeded, and then atomically
(`write_catalog_dir`), so a failed or interrupted refresh leaves the previous catalog as it was.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing import bulk, pricing_api, spot
from genaicost.pricing.catalog_files import read_catalog_dir, write_catalog_dir

DEFAULT_CATALOG_DIR = Path("~/.cache/genaicost/catalog")
API_CACHE_DIR = "api-cache"


@dataclass(frozen=True)
class RefreshResult:
    source: str  # "bulk" | "api"
    regions: list[str]
    counts: dict[str, int]  # rows now from this refresh: ec2, ebs, specs_added
    as_of: date
    catalog_dir: Path
    missing: list[str] = field(default_factory=list)


def base_catalog_for(catalog_dir: Path) -> PriceCatalog:
    """The catalog a refresh starts from: the one already in `catalog_dir`, else the bundled one."""
    if (catalog_dir / "meta.json").exists():
        return read_catalog_dir(catalog_dir)
    from genaicost.pricing.bundled import load_catalog

    return load_catalog()


def require_regions(regions: list[str]) -> list[str]:
    """Regions are named explicitly: each regional EC2 offer file is 100-436 MB."""
    if not regions:
        raise InputError(
            "name the regions to refresh, e.g. --region us-east-1 --region us-west-2 "
            "(each region's EC2 offer file is 100-436 MB)",
            field="--region",
        )
    return regions


def refresh_from_bulk(
    *,
    catalog_dir: Path,
    regions: list[str],
    offer_index_url: str = bulk.DEFAULT_OFFER_INDEX_URL,
    http_client: httpx.Client | None = None,
    base_catalog: PriceCatalog | None = None,
) -> RefreshResult:
    """Replace whole regions from the current AWS bulk offer files and write the catalog directory."""
    base = base_catalog if base_catalog is not None else base_catalog_for(catalog_dir)
    regions = require_regions(regions)
    client = http_client or new_http_client()
    try:
        catalog = bulk.refresh_bulk(
            regions, client, base, offer_index_url=offer_index_url, work_dir=_work_dir(catalog_dir)
        )
    finally:
        if http_client is None:
            client.close()
    write_keeping_cache(catalog, catalog_dir)
    return RefreshResult(
        "bulk", regions, bulk.refreshed_counts(catalog, regions, bulk.SOURCE_ID), catalog.as_of, catalog_dir
    )


def refresh_from_api(
    *,
    catalog_dir: Path,
    regions: list[str],
    instance_types: list[str],
    volume_types: list[str],
    pricing_client: Any,
    now: datetime,
    cache_ttl: timedelta = pricing_api.DEFAULT_TTL,
    base_catalog: PriceCatalog | None = None,
) -> RefreshResult:
    """Replace the named instance / volume types' prices from the Pricing API and write the catalog."""
    if not instance_types and not volume_types:
        raise InputError(
            "the Pricing API is asked per type: name at least one --instance-type or "
            "--volume-type (or use --source bulk for whole regions)",
            field="--instance-type",
        )
    base = base_catalog if base_catalog is not None else base_catalog_for(catalog_dir)
    regions = require_regions(regions)
    cache = pricing_api.ApiCache(catalog_dir / API_CACHE_DIR, now, cache_ttl)
    result = pricing_api.refresh_api(
        pricing_client,
        base,
        regions=regions,
        instance_types=instance_types,
        volume_types=volume_types,
        cache=cache,
    )
    write_keeping_cache(result.catalog, catalog_dir)
    return RefreshResult(
        "api",
        regions,
        bulk.refreshed_counts(result.catalog, regions, pricing_api.SOURCE_ID),
        result.catalog.as_of,
        catalog_dir,
        result.missing,
    )


def write_keeping_cache(catalog: PriceCatalog, catalog_dir: Path) -> None:
    """`write_catalog_dir` swaps the whole directory; carry the API cache over into the new one."""
    cache = catalog_dir / API_CACHE_DIR
    if not cache.is_dir():
        write_catalog_dir(catalog, catalog_dir)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{catalog_dir.name}.api-cache-", dir=catalog_dir.parent))
    os.replace(cache, aside / API_CACHE_DIR)
    try:
        write_catalog_dir(catalog, catalog_dir)
    finally:  # into the new catalog when written, else back into the old one
        os.replace(aside / API_CACHE_DIR, catalog_dir / API_CACHE_DIR)
        aside.rmdir()


def _work_dir(catalog_dir: Path) -> Path:
    """Downloads go next to the catalog directory (same disk as the result, not a small tmpfs)."""
    catalog_dir.parent.mkdir(parents=True, exist_ok=True)
    return catalog_dir.parent


def new_http_client() -> httpx.Client:
    timeout = httpx.Timeout(30.0, read=120.0)
    return httpx.Client(timeout=timeout, follow_redirects=True, transport=httpx.HTTPTransport(retries=2))


def pricing_client(session: Any, endpoint_url: str | None = None) -> Any:
    """boto3 `pricing` client in us-east-1; InputError when no AWS credentials are configured."""
    if not spot.aws_credentials_available(session):
        raise InputError(
            "no AWS credentials found; --source api needs them (AWS_PROFILE, "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance role), or use "
            "--source bulk, which needs none",
            field="--source",
        )
    return session.client("pricing", region_name="us-east-1", endpoint_url=endpoint_url)


def with_live_spot_if_possible(
    catalog: PriceCatalog,
    session: Any,
    keys: list[tuple[str, str]],
    now: datetime,
    endpoint_url: str | None = None,
) -> PriceCatalog:
    """Live spot prices when credentials exist; otherwise the catalog as is (bundled estimate, then the
    engine's on-demand upper bound)."""
    if not keys or not spot.aws_credentials_available(session):
        return catalog

    def factory(region: str) -> Any:
        return session.client("ec2", region_name=region, endpoint_url=endpoint_url)

    latest = spot.live_spot_prices(factory, keys, now)
    return spot.with_live_spot(catalog, latest)


def spot_keys(catalog: PriceCatalog, regions: list[str]) -> list[tuple[str, str]]:
    rows = catalog.ec2.filter(pl.col("region").is_in(regions)).select("region", "instance_type")
    return [(r, t) for r, t in rows.iter_rows()]
