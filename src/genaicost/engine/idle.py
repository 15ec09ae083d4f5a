"""Per-node resource costs and idle (docs/cost-model.md sections 3 and 4).

`node_table` turns the priced and split node rows (engine.price + engine.split) into one row per node
name with capacity-hours, resource costs and effective unit rates; `node_idle` subtracts what the
containers were allocated. A node name with several rows (one per interval of a history source) is
summed: its effective rate is its resource cost ÷ its capacity-hours.
"""

from __future__ import annotations

import polars as pl

RESOURCES = ("cpu", "ram", "gpu")
RATE_COLUMN = {"cpu": "usd_per_vcpu_hour", "ram": "usd_per_gib_hour", "gpu": "usd_per_gpu_hour"}
QUANTITY_COLUMN = {"cpu": "cpu_core_hours", "ram": "ram_gib_hours", "gpu": "gpu_hours"}
CAPACITY_HOURS = {"cpu": "cpu_capacity_hours", "ram": "ram_capacity_hours", "gpu": "gpu_capacity_hours"}

_FIRST = (
    "instance_type",
    "region",
    "zone",
    "capacity_type",
    "nodepool",
    "vcpu",
    "ram_gib",
    "gpu_count",
    "gpu_model",
    "gpu_sharing",
    "gpu_replicas",
    "mig_slices_per_gpu",
    "neuron_cores_per_device",
    "price_source",
)


def _capacity(resource: str) -> pl.Expr:
    if resource == "cpu":
        return pl.col("vcpu").fill_null(0.0)
    if resource == "ram":
        return pl.col("ram_gib").fill_null(0.0)
    # GPU capacity is what the price covers; fall back to the device count for unpriced nodes.
    return pl.coalesce(pl.col("priced_gpu_count"), pl.col("gpu_count"), pl.lit(0.0))


def _row_costs(priced_nodes: pl.DataFrame) -> pl.DataFrame:
    """Per input row: capacity-hours and resource cost (0 when the node is unpriced)."""
    priced = pl.col("hourly_usd").is_not_null()
    hours = pl.col("hours").fill_null(0.0)
    exprs: list[pl.Expr] = [
        (~priced).alias("unpriced"),
        pl.when(priced).then(pl.col("hourly_usd") * hours).otherwise(0.0).alias("total_usd"),
    ]
    for res in RESOURCES:
        rate = pl.when(priced).then(pl.col(RATE_COLUMN[res]).fill_null(0.0)).otherwise(0.0)
        exprs.append((_capacity(res) * hours).alias(CAPACITY_HOURS[res]))
        exprs.append((_capacity(res) * rate * hours).alias(f"{res}_usd"))
    rows = priced_nodes.with_columns(exprs)
    # A priced node the split could not divide (no capacity): its whole cost is unsplit idle.
    unsplit = priced & pl.any_horizontal(*(pl.col(RATE_COLUMN[r]).is_null() for r in RESOURCES))
    parts = pl.sum_horizontal(*(f"{r}_usd" for r in RESOURCES))
    return rows.with_columns(
        pl.when(unsplit).then(pl.col("total_usd") - parts).otherwise(0.0).alias("unsplit_usd")
    )


def node_table(priced_nodes: pl.DataFrame) -> pl.DataFrame:
    """One row per node name: descriptive columns, hours, capacity-hours, costs and effective rates.

    `node` is the node name; `*_usd` are the window's costs; `usd_per_*_hour` are effective rates
    (resource cost ÷ capacity-hours; null for an unpriced node); `hourly_usd` = total ÷ hours.
    """
    rows = _row_costs(priced_nodes)
    summed = ["hours", "total_usd", "unsplit_usd", *CAPACITY_HOURS.values(), *(f"{r}_usd" for r in RESOURCES)]
    grouped = rows.group_by("name", maintain_order=True).agg(
        *(pl.col(c).first() for c in _FIRST),
        *(pl.col(c).fill_null(0.0).sum() for c in summed),
        pl.col("unpriced").any(),
        pl.col("unpriced_reason").drop_nulls().first(),
    )
    return grouped.rename({"name": "node"}).with_columns(_effective_rates())


def _effective_rates() -> list[pl.Expr]:
    def per_hour(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(pl.col("unpriced")).then(None).when(den > 0).then(num / den).otherwise(0.0)

    exprs = [per_hour(pl.col("total_usd"), pl.col("hours")).alias("hourly_usd")]
    for res in RESOURCES:
        exprs.append(per_hour(pl.col(f"{res}_usd"), pl.col(CAPACITY_HOURS[res])).alias(RATE_COLUMN[res]))
    return exprs


def node_idle(nodes: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Add `allocated_<res>_usd`, `idle_<res>_usd` (= node cost − allocated, never negative) and
    `idle_usd` (their sum + the unsplit cost) per node."""
    allocated = rows.group_by("node").agg(
        pl.col(f"{r}_usd").sum().alias(f"allocated_{r}_usd") for r in RESOURCES
    )
    out = nodes.join(allocated, on="node", how="left").with_columns(
        pl.col(f"allocated_{r}_usd").fill_null(0.0) for r in RESOURCES
    )
    out = out.with_columns(
        (pl.col(f"{r}_usd") - pl.col(f"allocated_{r}_usd")).clip(lower_bound=0.0).alias(f"idle_{r}_usd")
        for r in RESOURCES
    )
    return out.with_columns(
        pl.sum_horizontal("unsplit_usd", *(f"idle_{r}_usd" for r in RESOURCES)).alias("idle_usd")
    )
