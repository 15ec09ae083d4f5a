"""Refresh EC2 / EBS prices from the AWS Price List bulk offer files, streamed.

offer index (`offers.AmazonEC2.currentRegionIndexUrl`) -> region index (`regions.<code>.currentVersionUrl`)
-> regional EC2 offer file (~436 MB for us-east-1). The regional file is downloaded in chunks to a
temporary file and parsed with ijson in two incremental passes (`products`, then `terms.OnDemand`);
only the SKUs kept by `pricing.offer_select` are remembered, so memory stays far below the file size.
Nothing is written here: `refresh_bulk` returns a new PriceCatalog; a failed download raises before any
catalog exists, so the caller's catalog directory is never touched.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin

import httpx
import ijson
import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.pricing.catalog_merge import Refreshed, merge_refreshed
from genaicost.pricing.offer_select import KeptProduct, OfferRows, select_product

DEFAULT_OFFER_INDEX_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json"
SOURCE_ID = "bulk-ondemand"
_CHUNK_BYTES = 1 << 20
_HEADER_KEYS = ("formatVersion", "offerCode", "version", "publicationDate")


@dataclass(frozen=True)
class ParsedOffer:
    version: str
    publication_date: str  # as in the file, e.g. "2024-05-28T20:35:22Z"
    rows: OfferRows

    @property
    def as_of(self) -> date:
        return datetime.fromisoformat(self.publication_date.replace("Z", "+00:00")).date()


def refresh_bulk(
    regions: list[str],
    http_client: httpx.Client,
    base_catalog: PriceCatalog,
    *,
    offer_index_url: str = DEFAULT_OFFER_INDEX_URL,
    work_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PriceCatalog:
    """`base_catalog` with the EC2/EBS rows of `regions` replaced by the current offer files' prices."""
    if not regions:
        raise InputError("no region to refresh; name at least one, e.g. --region us-east-1", field="--region")
    region_urls = regional_offer_urls(http_client, offer_index_url, regions, sleep=sleep)
    parsed = {
        r: fetch_and_parse(http_client, url, r, work_dir=work_dir, sleep=sleep)
        for r, url in region_urls.items()
    }
    rows = OfferRows()
    for offer in parsed.values():
        rows.ec2.update(offer.rows.ec2)
        rows.ebs.update(offer.rows.ebs)
        for itype, spec in offer.rows.specs.items():
            rows.specs.setdefault(itype, spec)
    citations = {
        r: f"AWS Price List bulk offer file AmazonEC2 {o.version} (publicationDate {o.publication_date})"
        for r, o in parsed.items()
    }
    new = Refreshed(
        ec2=rows.ec2_frame(),
        specs=rows.specs_frame(SOURCE_ID),
        ebs=rows.ebs_frame(SOURCE_ID),
        as_of=max(o.as_of for o in parsed.values()),
        source_id=SOURCE_ID,
        citation_by_region=citations,
    )
    return merge_refreshed(base_catalog, new, whole_regions=list(parsed))


def regional_offer_urls(
    http_client: httpx.Client,
    offer_index_url: str,
    regions: list[str],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """Absolute URL of the current EC2 offer file of each region (offer index -> region index)."""
    index = _get_json(http_client, offer_index_url, sleep)
    rel = _dig(index, ("offers", "AmazonEC2", "currentRegionIndexUrl"), offer_index_url)
    region_index_url = urljoin(offer_index_url, rel)
    known = _dig(_get_json(http_client, region_index_url, sleep), ("regions",), region_index_url)
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise InputError(
            f"region {unknown[0]!r} is not in the EC2 region index; known regions: "
            f"{', '.join(sorted(known))}",
            source=region_index_url,
            field="regions",
        )
    return {
        r: urljoin(offer_index_url, _dig(known, (r, "currentVersionUrl"), region_index_url)) for r in regions
    }


def _dig(doc: Any, path: tuple[str, ...], url: str) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            raise InputError(
                f"missing {'.'.join(path)}; is this an AWS Price List index?",
                source=url,
                field=".".join(path),
            )
        doc = doc[key]
    return doc


def _get_json(http_client: httpx.Client, url: str, sleep: Callable[[float], None]) -> Any:
    with tempfile.TemporaryFile() as buffer:
        download(http_client, url, buffer, sleep=sleep)
        buffer.seek(0)
        try:
            return json.load(buffer)  # an index file: a few hundred KB at most
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"not valid JSON ({exc})", source=url) from exc


def fetch_and_parse(
    http_client: httpx.Client,
    url: str,
    region: str,
    *,
    work_dir: Path | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ParsedOffer:
    """Stream one regional offer file to a temporary file and parse it; the file is deleted after."""
    with tempfile.TemporaryDirectory(prefix="genaicost-offer-", dir=work_dir) as tmp:
        path = Path(tmp) / "offer.json"
        with path.open("wb") as out:
            download(http_client, url, out, sleep=sleep)
        return parse_offer_file(path, region, label=url)


def download(
    http_client: httpx.Client,
    url: str,
    out: BinaryIO,
    *,
    attempts: int = 4,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Stream `url` into `out`; retry 5xx, timeouts and broken transfers with exponential backoff."""
    for attempt in range(1, attempts + 1):
        out.seek(0)
        out.truncate()
        try:
            return _download_once(http_client, url, out)
        except _Retryable as exc:
            if attempt == attempts:
                raise InputError(f"download failed after {attempts} attempts: {exc}", source=url) from exc
            sleep(backoff_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


class _Retryable(Exception):
    pass


def _download_once(http_client: httpx.Client, url: str, out: BinaryIO) -> int:
    try:
        with http_client.stream("GET", url) as response:
            if response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise InputError(f"HTTP {response.status_code}; expected 200 (check the URL)", source=url)
            received = 0
            for chunk in response.iter_bytes(_CHUNK_BYTES):
                out.write(chunk)
                received += len(chunk)
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    expected = response.headers.get("content-length")
    if expected is not None and "content-encoding" not in response.headers and int(expected) != received:
        raise _Retryable(f"received {received} of {expected} bytes")
    return received


def parse_offer_file(path: Path, region: str, *, label: str | None = None) -> ParsedOffer:
    """Parse a regional EC2 offer file incrementally (two ijson passes); InputError if malformed."""
    where = label or str(path)
    try:
        with path.open("rb") as f:
            header = _read_header(f, where)
            f.seek(0)
            kept = _kept_products(f, region)
            f.seek(0)
            rows = _priced_rows(f, kept)
    except ijson.common.IncompleteJSONError as exc:
        raise InputError(
            f"offer file is truncated or not valid JSON ({str(exc).strip()}); "
            "expected a complete AWS Price List offer file",
            source=where,
        ) from exc
    except ijson.common.JSONError as exc:
        raise InputError(f"not valid JSON ({str(exc).strip()})", source=where) from exc
    return ParsedOffer(version=header["version"], publication_date=header["publicationDate"], rows=rows)


def _read_header(f: BinaryIO, where: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for prefix, event, value in ijson.parse(f):
        if prefix in _HEADER_KEYS and event == "string":
            header[prefix] = value
        if (prefix == "products" and event == "start_map") or len(header) == len(_HEADER_KEYS):
            break
    if header.get("offerCode") != "AmazonEC2":
        raise InputError(
            f"offerCode is {header.get('offerCode')!r}, expected 'AmazonEC2'", source=where, field="offerCode"
        )
    for key in ("version", "publicationDate"):
        if key not in header:
            raise InputError(
                f"no {key} before products; expected an AWS Price List offer file", source=where, field=key
            )
    return header


def _kept_products(f: BinaryIO, region: str) -> dict[str, KeptProduct]:
    kept: dict[str, KeptProduct] = {}
    for sku, product in ijson.kvitems(f, "products"):
        choice = select_product(product, region)
        if choice is not None:
            kept[sku] = choice
    return kept


def _priced_rows(f: BinaryIO, kept: dict[str, KeptProduct]) -> OfferRows:
    rows = OfferRows()
    for sku, sku_terms in ijson.kvitems(f, "terms.OnDemand"):
        choice = kept.get(sku)
        if choice is not None:
            rows.add(choice, sku_terms)
    return rows


def refreshed_counts(catalog: PriceCatalog, regions: list[str], source_id: str) -> dict[str, int]:
    """Rows from `source_id` per table in `regions` (for the CLI's summary)."""
    ec2 = catalog.ec2.filter(pl.col("region").is_in(regions) & (pl.col("ondemand_source") == source_id))
    ebs = catalog.ebs.filter(pl.col("region").is_in(regions) & (pl.col("source") == source_id))
    specs = catalog.specs.filter(pl.col("source") == source_id)
    return {"ec2": ec2.height, "ebs": ebs.height, "specs_added": specs.height}
