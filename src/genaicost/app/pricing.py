"""Use cases over a PriceCatalog: what one instance type costs, and the price list of a region.

Overrides and discounts follow `genaicost.pricing.overrides`: an override is the final price of its capacity
type, a region's own entry beats a `"*"` entry, and discounts reduce on-demand catalog prices only.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict
from typing import Any

import polars as pl

from genaicost.domain.errors import InputError
from genaicost.domain.prices import Discount, PriceCatalog, PriceOverride
from genaicost.pricing.overrides import find_discount, find_override

HOURS_PER_MONTH = 730.0
# accelerators that run ML models; `--gpu` lists these (not FPGAs or video transcoders)
ML_ACCELERATORS = ("nvidia", "amd", "neuron", "habana", "qualcomm")
LIVE_SPOT_SOURCE = "aws-spot-api"


def effective_prices(prices: pl.DataFrame, catalog: PriceCatalog) -> pl.DataFrame:
    """Add `ondemand_effective_usd_per_hour`, `spot_effective_usd_per_hour` and `adjustment` to rows with
    region, instance_type, ondemand_usd_per_hour and spot_usd_per_hour."""
    df = prices.with_columns(family=pl.col("instance_type").str.split(".").list.first())
    df = _join_region_or_star(df, _override_frame(catalog, "on-demand"), ["instance_type"], "od_override")
    df = _join_region_or_star(df, _override_frame(catalog, "spot"), ["instance_type"], "spot_override")
    df = _join_region_or_star(df, _discount_frame(catalog), ["family"], "fraction", "suffix")
    discounted = (pl.col("od_override").is_null() & pl.col("fraction").is_not_null()
                  & pl.col("ondemand_usd_per_hour").is_not_null())
    return df.with_columns(
        ondemand_effective_usd_per_hour=pl.when(pl.col("od_override").is_not_null()).then("od_override")
        .otherwise(pl.col("ondemand_usd_per_hour") * (1.0 - pl.col("fraction").fill_null(0.0))),
        spot_effective_usd_per_hour=pl.coalesce("spot_override", "spot_usd_per_hour"),
        adjustment=pl.concat_str(
            pl.when(pl.col("od_override").is_not_null()).then(pl.lit("on-demand override"))
            .when(discounted).then(pl.col("suffix").str.slice(1)),
            pl.when(pl.col("spot_override").is_not_null()).then(pl.lit("spot override")),
            separator=", ", ignore_nulls=True).replace("", None),
    ).drop("family", "od_override", "spot_override", "fraction", "suffix")


def show_instance(catalog: PriceCatalog, instance_type: str, region: str) -> dict[str, Any]:
    """Everything the catalog knows about one instance type in one region, as plain JSON-able data."""
    spec = _spec_row(catalog, instance_type)
    row = _price_row(catalog, instance_type, region)
    priced = effective_prices(pl.DataFrame([row], schema=catalog.ec2.schema), catalog).row(0, named=True)
    gpus = spec["gpu_count"] if spec else None
    override_od = find_override(catalog.overrides, region, instance_type, "on-demand")
    override_spot = find_override(catalog.overrides, region, instance_type, "spot")
    discount = None if override_od else find_discount(catalog.discounts, region, instance_type)
    ids = [priced["ondemand_source"], priced["spot_source"], spec["source"] if spec else None]
    return {
        "instance_type": instance_type, "region": region, "as_of": catalog.as_of.isoformat(),
        "ondemand": _price_block(priced, "ondemand", gpus, _ondemand_basis(priced, override_od, discount)),
        "spot": {**_price_block(priced, "spot", gpus, "override" if override_spot else priced["spot_source"]),
                 "as_of": catalog.spot_as_of.isoformat() if catalog.spot_as_of else None,
                 "is_estimate": override_spot is None and priced["spot_source"] != LIVE_SPOT_SOURCE},
        "specs": {k: v for k, v in spec.items() if k != "instance_type"} if spec else None,
        "overrides": [asdict(o) for o in (override_od, override_spot) if o is not None],
        "discount": {**asdict(discount), "percent": round(discount.fraction * 100, 9)} if discount else None,
        "sources": {i: catalog.sources[i] for i in ids if i in catalog.sources},
    }


def list_instances(catalog: PriceCatalog, *, region: str | None, gpu_only: bool) -> pl.DataFrame:
    """Instance types with specs and effective prices, cheapest on-demand first (unpriced last)."""
    prices = catalog.ec2 if region is None else catalog.ec2.filter(pl.col("region") == region)
    if region is not None and prices.is_empty():
        known = ", ".join(sorted(catalog.ec2["region"].unique()))
        raise InputError(f"the catalog has no prices for region {region!r}; regions it has: {known}",
                         field="region")
    df = effective_prices(prices, catalog).join(catalog.specs.drop("source"), on="instance_type", how="left")
    if gpu_only:
        df = df.filter(pl.col("accelerator").is_in(ML_ACCELERATORS) & (pl.col("gpu_count") > 0))
    od = pl.col("ondemand_effective_usd_per_hour")
    return df.select(
        "region", "instance_type", "vcpu", "memory_gib", "gpu_count", "gpu_model", "gpu_memory_gib",
        "accelerator", ondemand_usd_per_hour=od, spot_usd_per_hour="spot_effective_usd_per_hour",
        ondemand_usd_per_month=od * HOURS_PER_MONTH,
        ondemand_usd_per_gpu_hour=pl.when(pl.col("gpu_count") > 0).then(od / pl.col("gpu_count")),
        adjustment="adjustment",
    ).sort(["ondemand_usd_per_hour", "instance_type", "region"], nulls_last=True)


def _override_frame(catalog: PriceCatalog, capacity_type: str) -> pl.DataFrame:
    rows = [(o.region, o.instance_type, o.usd_per_hour) for o in catalog.overrides
            if o.capacity_type == capacity_type]
    return pl.DataFrame(rows, schema={"region": pl.String, "instance_type": pl.String, "value": pl.Float64},
                        orient="row")


def _discount_frame(catalog: PriceCatalog) -> pl.DataFrame:
    rows = [(d.region, d.instance_family, d.fraction, f"+{d.kind}(-{d.fraction * 100:g}%)")
            for d in catalog.discounts]
    return pl.DataFrame(rows, orient="row", schema={"region": pl.String, "family": pl.String,
                                                    "value": pl.Float64, "value2": pl.String})


def _join_region_or_star(df: pl.DataFrame, table: pl.DataFrame, keys: list[str], *names: str) -> pl.DataFrame:
    """Left-join `table`'s value columns as `names`; the row's own region beats a "*" row."""
    values = [c for c in table.columns if c.startswith("value")]
    table = table.unique(["region", *keys], keep="first", maintain_order=True)
    exact = table.filter(pl.col("region") != "*").rename(dict(zip(values, names, strict=True)))
    star = table.filter(pl.col("region") == "*").drop("region") \
        .rename({v: f"{n}_star" for v, n in zip(values, names, strict=True)})
    out = df.join(exact, on=["region", *keys], how="left").join(star, on=keys, how="left")
    has_exact = pl.col(names[0]).is_not_null()
    return out.with_columns(
        [pl.when(has_exact).then(pl.col(n)).otherwise(pl.col(f"{n}_star")).alias(n) for n in names]
    ).drop([f"{n}_star" for n in names])


def _known_types(catalog: PriceCatalog) -> list[str]:
    return sorted(set(catalog.specs["instance_type"]) | set(catalog.ec2["instance_type"]))


def _spec_row(catalog: PriceCatalog, instance_type: str) -> dict[str, Any] | None:
    known = _known_types(catalog)
    if instance_type not in known:
        close = difflib.get_close_matches(instance_type, known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else "no similar instance type is in the catalog"
        raise InputError(f"unknown instance type; {hint}", obj=instance_type, field="instance_type")
    rows = catalog.specs.filter(pl.col("instance_type") == instance_type)
    return rows.row(0, named=True) if rows.height else None


def _price_row(catalog: PriceCatalog, instance_type: str, region: str) -> dict[str, Any]:
    rows = catalog.ec2.filter(pl.col("instance_type") == instance_type)
    here = rows.filter(pl.col("region") == region)
    if here.height:
        return here.row(0, named=True)
    if any(o.instance_type == instance_type and o.region in (region, "*") for o in catalog.overrides):
        return {"region": region, "instance_type": instance_type}
    regions = ", ".join(sorted(rows["region"])) or "none"
    raise InputError(f"not offered in region {region!r} according to the catalog (as of "
                     f"{catalog.as_of.isoformat()}); regions that have it: {regions}",
                     obj=instance_type, field="region")


def _ondemand_basis(priced: dict[str, Any], override: PriceOverride | None,
                    discount: Discount | None) -> str | None:
    if override is not None:
        return "override"
    if priced["ondemand_usd_per_hour"] is None:
        return None
    suffix = f"+{discount.kind}(-{discount.fraction * 100:g}%)" if discount is not None else ""
    return f"{priced['ondemand_source']}{suffix}"


def _price_block(priced: dict[str, Any], kind: str, gpus: float | None, basis: str | None) -> dict[str, Any]:
    usd = priced[f"{kind}_effective_usd_per_hour"]
    return {
        "usd_per_hour": usd,
        "usd_per_month": None if usd is None else usd * HOURS_PER_MONTH,
        "usd_per_gpu_hour": usd / gpus if usd is not None and gpus else None,
        "catalog_usd_per_hour": priced[f"{kind}_usd_per_hour"],
        "source": priced[f"{kind}_source"],
        "price_basis": basis,
        "unpriced_reason": None if usd is not None else
        f"the catalog has no {kind.replace('ondemand', 'on-demand')} price for this type in this region",
    }
