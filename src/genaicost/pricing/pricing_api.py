"""Refresh chosen EC2 instance / EBS volume prices through the AWS Price List Query API (GetProducts).

Asks only for what was named (instance types, volume types in regions), with TERM_MATCH filters; each
`PriceList` entry is a JSON string holding one product and its terms in the offer-file shape, so the
selection of `pricing.offer_select` (the same as the bulk parser's) picks the price. Responses (all pages)
are cached as JSON under `<catalog dir>/api-cache/`, keyed by the request, for a TTL; `now` is passed in.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.catalog_merge import Refreshed, merge_refreshed
from genaicost.pricing.offer_select import OfferRows, select_product

SOURCE_ID = "pricing-api"
SERVICE_CODE = "AmazonEC2"
INSTANCE_FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "marketoption": "OnDemand",
}
DEFAULT_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class ApiCache:
    directory: Path
    now: datetime
    ttl: timedelta = DEFAULT_TTL


@dataclass(frozen=True)
class ApiRefresh:
    catalog: PriceCatalog
    found: list[str]  # "region/instance-or-volume type" keys priced by the API
    missing: list[str]  # keys the API returned no usable price for (the base catalog's row is kept)


def refresh_api(
    pricing_client: Any,
    base_catalog: PriceCatalog,
    *,
    regions: list[str],
    instance_types: list[str],
    volume_types: list[str],
    cache: ApiCache,
) -> ApiRefresh:
    """`base_catalog` with the named (region, type) prices replaced by the Pricing API's."""
    rows, publications = OfferRows(), []
    wanted = [(r, "instanceType", t) for r in regions for t in instance_types]
    wanted += [(r, "volumeApiName", v) for r in regions for v in volume_types]
    for region, field, value in wanted:
        filters = {
            field: value,
            "regionCode": region,
            **(INSTANCE_FILTERS if field == "instanceType" else {}),
        }
        publications += _add_entries(rows, get_products_cached(pricing_client, filters, cache), region)
    found = [f"{r}/{t}" for r, t in rows.ec2] + sorted({f"{r}/{v}" for r, v, k in rows.ebs if k == "gb"})
    missing = [f"{r}/{v}" for r, _, v in wanted if f"{r}/{v}" not in found]
    if not publications:
        return ApiRefresh(base_catalog, found, missing)
    as_of = max(publications)
    citation = f"AWS Price List Query API GetProducts {SERVICE_CODE} (publicationDate {as_of})"
    new = Refreshed(
        ec2=rows.ec2_frame(),
        specs=rows.specs_frame(SOURCE_ID),
        ebs=rows.ebs_frame(SOURCE_ID),
        as_of=_date(as_of),
        source_id=SOURCE_ID,
        citation_by_region={r: citation for r in {k.split("/")[0] for k in found}},
    )
    return ApiRefresh(merge_refreshed(base_catalog, new, whole_regions=None), found, missing)


def _add_entries(rows: OfferRows, price_list: list[str], region: str) -> list[str]:
    publications = []
    for text in price_list:
        entry = json.loads(text)
        kept = select_product(entry.get("product") or {}, region)
        if kept is not None:
            rows.add(kept, (entry.get("terms") or {}).get("OnDemand", {}).get(kept_sku(entry), {}))
            if entry.get("publicationDate"):
                publications.append(entry["publicationDate"])
    return publications


def kept_sku(entry: dict[str, Any]) -> str:
    return str((entry.get("product") or {}).get("sku", ""))


def _date(text: str) -> date:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def get_products_cached(pricing_client: Any, filters: dict[str, str], cache: ApiCache) -> list[str]:
    """All `PriceList` strings for `filters` (every page), from the cache when younger than the TTL."""
    request = {"ServiceCode": SERVICE_CODE, "Filters": sorted(filters.items()), "FormatVersion": "aws_v1"}
    key = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:32]
    file = cache.directory / f"{key}.json"
    cached = _read_cache(file)
    if cached is not None and cache.now - datetime.fromisoformat(cached["fetched_at"]) < cache.ttl:
        return list(cached["price_list"])
    price_list = get_products(pricing_client, filters)
    _write_cache(file, {"fetched_at": cache.now.isoformat(), "request": request, "price_list": price_list})
    return price_list


def get_products(pricing_client: Any, filters: dict[str, str]) -> list[str]:
    """GetProducts with TERM_MATCH filters, following NextToken through every page."""
    terms = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()]
    price_list: list[str] = []
    try:
        paginator = pricing_client.get_paginator("get_products")
        for page in paginator.paginate(ServiceCode=SERVICE_CODE, Filters=terms, FormatVersion="aws_v1"):
            price_list.extend(page.get("PriceList", []))
    except (ClientError, BotoCoreError) as exc:
        raise InputError(
            f"AWS Pricing API GetProducts failed: {exc}",
            source="pricing:GetProducts",
            obj=json.dumps(filters, sort_keys=True),
        ) from exc
    return price_list


def _read_cache(file: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        datetime.fromisoformat(doc["fetched_at"])
        return doc if isinstance(doc.get("price_list"), list) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable cache entry: ask the API again


def _write_cache(file: Path, doc: dict[str, Any]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out)
    os.replace(tmp, file)
