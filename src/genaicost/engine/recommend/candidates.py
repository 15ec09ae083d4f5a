"""Instance types the catalog can price, priced by the report's own function (engine.price.price_nodes)."""

from __future__ import annotations

from typing import Any

import polars as pl

from genaicost.domain.prices import PriceCatalog
from genaicost.domain.snapshot import NODE_SCHEMA
from genaicost.engine.price import price_nodes


def priced_types(catalog: PriceCatalog, region: str, capacity_type: str) -> pl.DataFrame:
    """Every instance type with specs, priced as a node of `capacity_type` in `region` would be.

    Columns: instance_type, family, vcpu, memory_gib, gpu_count, gpu_model, gpu_memory_gib,
    gpu_memory_per_gpu_gib, accelerator, hourly_usd (never null), price_source."""
    specs = catalog.specs.unique("instance_type", keep="first", maintain_order=True)
    given = {
        "name": pl.col("instance_type"),
        "instance_type": pl.col("instance_type"),
        "region": pl.lit(region),
        "capacity_type": pl.lit(capacity_type),
        "compute_type": pl.lit("ec2"),
        "vcpu": pl.col("vcpu"),
        "ram_gib": pl.col("memory_gib"),
        "gpu_count": pl.col("gpu_count").fill_null(0.0),
        "gpu_sharing": pl.lit("none"),
        "gpu_replicas": pl.lit(1),
        "hours": pl.lit(1.0),
    }
    nodes = specs.select(
        [given[c].cast(t).alias(c) if c in given else pl.lit(None, dtype=t).alias(c) for c, t in NODE_SCHEMA.items()]
    )
    priced = price_nodes(nodes, catalog).select("instance_type", "hourly_usd", "price_source")
    out = specs.join(priced, on="instance_type", how="inner").filter(pl.col("hourly_usd").is_not_null())
    return out.select(
        "instance_type",
        pl.col("instance_type").str.split(".").list.first().alias("family"),
        "vcpu",
        "memory_gib",
        pl.col("gpu_count").fill_null(0.0),
        "gpu_model",
        "gpu_memory_gib",
        pl.when(pl.col("gpu_count") > 0)
        .then(pl.col("gpu_memory_gib") / pl.col("gpu_count"))
        .otherwise(None)
        .alias("gpu_memory_per_gpu_gib"),
        "accelerator",
        "hourly_usd",
        "price_source",
    )


def type_specs(catalog: PriceCatalog, instance_type: str | None) -> dict[str, Any] | None:
    """The catalog's spec row of one instance type, or None."""
    if instance_type is None:
        return None
    rows = catalog.specs.filter(pl.col("instance_type") == instance_type)
    return rows.row(0, named=True) if rows.height else None


def cheapest_fitting(
    types: pl.DataFrame,
    *,
    vcpu: float,
    memory_gib: float,
    gpus: float = 0.0,
    gpu_model: str | None = None,
    min_gpu_memory_per_gpu_gib: float | None = None,
    families: tuple[str, ...] = (),
    below_usd_per_hour: float | None = None,
    exclude: str | None = None,
) -> dict[str, Any] | None:
    """The cheapest type with at least these capacities (and this GPU model / GPU memory, these families)."""
    keep = (pl.col("vcpu") >= vcpu) & (pl.col("memory_gib") >= memory_gib) & (pl.col("gpu_count") >= gpus)
    if gpus > 0:
        # whole GPUs only: fractional partitions (g6f) are not a GPU count a pod can request
        keep &= (pl.col("gpu_count") >= 1) & (pl.col("gpu_count") == pl.col("gpu_count").floor())
    if gpu_model is not None:
        keep &= pl.col("gpu_model") == gpu_model
    if min_gpu_memory_per_gpu_gib is not None:
        keep &= pl.col("gpu_memory_per_gpu_gib") >= min_gpu_memory_per_gpu_gib
    if families:
        keep &= pl.col("family").is_in(list(families))
    if below_usd_per_hour is not None:
        keep &= pl.col("hourly_usd") < below_usd_per_hour
    if exclude is not None:
        keep &= pl.col("instance_type") != exclude
    found = types.filter(keep.fill_null(False)).sort(["hourly_usd", "instance_type"])
    return found.row(0, named=True) if found.height else None
