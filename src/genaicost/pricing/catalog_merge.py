"""Put refreshed prices into an existing PriceCatalog (pure: frames in, catalog out).

- EC2 on-demand: the refreshed rows replace the base rows in scope (whole regions for a bulk refresh, the
  returned (region, instance type) keys for the Pricing API); the base row's spot price and spot source
  are carried over, since offer files hold no spot prices.
- Instance specs: a base row wins (the bundled catalog names the GPU model and vendor, which the offer
  files do not); instance types new to the catalog are added from the offer.
- EBS: refreshed (region, volume type) rows replace base rows in scope.
- The source citation is kept per region ("<region>: <text>", joined by "; ") so that refreshing one
  region keeps the citation of another region refreshed earlier.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl

from genaicost.domain.prices import EBS_PRICE_SCHEMA, EC2_PRICE_SCHEMA, INSTANCE_SPEC_SCHEMA, PriceCatalog

_EC2_KEY = ["region", "instance_type"]
_EBS_KEY = ["region", "volume_type"]


@dataclasses.dataclass(frozen=True)
class Refreshed:
    """Prices from one refresh: ec2 has region, instance_type, ondemand_usd_per_hour."""

    ec2: pl.DataFrame
    specs: pl.DataFrame
    ebs: pl.DataFrame
    as_of: date
    source_id: str  # "bulk-ondemand" | "pricing-api"
    citation_by_region: dict[str, str]


def merge_refreshed(base: PriceCatalog, new: Refreshed, *, whole_regions: list[str] | None) -> PriceCatalog:
    """`base` with `new` merged in. `whole_regions`: drop every base row of these regions first."""
    ec2 = _merge_ec2(base.ec2, new.ec2, new.source_id, whole_regions)
    ebs = _replace(base.ebs, new.ebs, _EBS_KEY, whole_regions).select(list(EBS_PRICE_SCHEMA))
    specs = pl.concat([base.specs, new.specs.join(base.specs, on="instance_type", how="anti")])
    sources = dict(base.sources)
    users = set(ec2.filter(pl.col("ondemand_source") == new.source_id)["region"].to_list())
    users |= set(ebs.filter(pl.col("source") == new.source_id)["region"].to_list())
    sources[new.source_id] = merge_citation(base.sources.get(new.source_id), new.citation_by_region, users)
    return dataclasses.replace(
        base,
        as_of=new.as_of,
        sources=sources,
        ec2=ec2.sort(_EC2_KEY).cast(pl.Schema(EC2_PRICE_SCHEMA)),
        ebs=ebs.sort(_EBS_KEY).cast(pl.Schema(EBS_PRICE_SCHEMA)),
        specs=specs.select(list(INSTANCE_SPEC_SCHEMA))
        .sort("instance_type")
        .cast(pl.Schema(INSTANCE_SPEC_SCHEMA)),
    )


def _merge_ec2(
    base: pl.DataFrame, ondemand: pl.DataFrame, source_id: str, whole_regions: list[str] | None
) -> pl.DataFrame:
    spot = base.select([*_EC2_KEY, "spot_usd_per_hour", "spot_source"])
    rows = ondemand.join(spot, on=_EC2_KEY, how="left").with_columns(
        ondemand_source=pl.lit(source_id, dtype=pl.String)
    )
    return _replace(base, rows.select(list(EC2_PRICE_SCHEMA)), _EC2_KEY, whole_regions)


def _replace(
    base: pl.DataFrame, rows: pl.DataFrame, key: list[str], whole_regions: list[str] | None
) -> pl.DataFrame:
    if whole_regions is not None:
        kept = base.filter(~pl.col("region").is_in(whole_regions))
    else:
        kept = base.join(rows.select(key), on=key, how="anti")
    return pl.concat([kept, rows.select(base.columns).cast(base.schema)])


def merge_citation(old: str | None, new_by_region: dict[str, str], regions_in_use: set[str]) -> str:
    """Per-region citation text: new entries replace old ones; regions no longer using the source drop."""
    entries: dict[str, str] = {}
    for part in (old or "").split("; "):
        region, sep, text = part.partition(": ")
        if sep:
            entries[region] = text
    entries.update(new_by_region)
    return "; ".join(f"{r}: {entries[r]}" for r in sorted(entries) if r in regions_in_use)
