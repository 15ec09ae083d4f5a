"""Efficiency of allocation lines and nodes (docs/cost-model.md section 7).

Container rows carry usage (CPU, memory) and the GPU busy fraction (DCGM) when a source measured them;
`efficiency_sums` are the aggregation expressions over the measured members of a line, `add_efficiency`
turns them into the line's fields:

    cpu_efficiency   = Σ cpu usage core-hours ÷ Σ cpu request core-hours   (members with usage)
                       request 0: 1.0 when usage > 0, else 0.0 (OpenCost's convention); can exceed 1
    ram_efficiency   = likewise for memory
    gpu_utilization  = Σ gpu_hours × util ÷ Σ gpu_hours                    (members with utilization)
    gpu_unused_hours = Σ gpu_hours × (1 − util)                            (same members)
    gpu_unused_usd   = Σ gpu_usd × (1 − util)
    total_efficiency = (cpu_usd·cpu_eff + ram_usd·ram_eff + Σ gpu_usd·util)
                       ÷ (cpu_usd + ram_usd + Σ gpu_usd of the GPU members with utilization), known parts only

Every field is null when the line has no measurement for it; nothing is extrapolated to unmeasured members.
"""

from __future__ import annotations

import polars as pl

# Per-line sums used by add_efficiency (null when no member of the line was measured).
EFFICIENCY_SUMS = (
    "cpu_measured_request_core_hours",
    "ram_measured_request_gib_hours",
    "gpu_measured_hours",
    "gpu_busy_hours",
    "gpu_measured_usd",
    "gpu_busy_usd",
)
EFFICIENCY_FIELDS = (
    "cpu_efficiency",
    "ram_efficiency",
    "gpu_utilization",
    "gpu_unused_hours",
    "gpu_unused_usd",
    "total_efficiency",
)


def _known_sum(value: pl.Expr, known: pl.Expr, name: str) -> pl.Expr:
    """Σ value over the rows where `known`; null when no row is."""
    return pl.when(known.any()).then(pl.when(known).then(value).otherwise(0.0).sum()).otherwise(None).alias(name)


def efficiency_sums() -> list[pl.Expr]:
    """Aggregation expressions over container rows (allocate output with `gpu_utilization`)."""
    util = pl.col("gpu_utilization")
    has_util = util.is_not_null() & (pl.col("gpu_hours") > 0)
    return [
        _known_sum(
            pl.col("cpu_request_core_hours"),
            pl.col("cpu_usage_core_hours").is_not_null(),
            "cpu_measured_request_core_hours",
        ),
        _known_sum(
            pl.col("ram_request_gib_hours"),
            pl.col("ram_usage_gib_hours").is_not_null(),
            "ram_measured_request_gib_hours",
        ),
        _known_sum(pl.col("gpu_hours"), has_util, "gpu_measured_hours"),
        _known_sum(pl.col("gpu_hours") * util, has_util, "gpu_busy_hours"),
        _known_sum(pl.col("gpu_usd"), has_util, "gpu_measured_usd"),
        _known_sum(pl.col("gpu_usd") * util, has_util, "gpu_busy_usd"),
    ]


def usage_ratio(usage: str, request: str) -> pl.Expr:
    """usage ÷ request; request 0 → 1.0 when usage > 0 else 0.0; null without usage."""
    use, req = pl.col(usage), pl.col(request).fill_null(0.0)
    return (
        pl.when(use.is_null())
        .then(None)
        .when(req > 0)
        .then(use / req)
        .when(use > 0)
        .then(1.0)
        .otherwise(0.0)
    )


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den).otherwise(None)


def add_efficiency(lines: pl.DataFrame) -> pl.DataFrame:
    """Add EFFICIENCY_FIELDS to aggregated lines that carry EFFICIENCY_SUMS and the usage sums."""
    out = lines.with_columns(
        usage_ratio("cpu_usage_core_hours", "cpu_measured_request_core_hours").alias("cpu_efficiency"),
        usage_ratio("ram_usage_gib_hours", "ram_measured_request_gib_hours").alias("ram_efficiency"),
        _ratio(pl.col("gpu_busy_hours"), pl.col("gpu_measured_hours")).alias("gpu_utilization"),
        (pl.col("gpu_measured_hours") - pl.col("gpu_busy_hours")).alias("gpu_unused_hours"),
        (pl.col("gpu_measured_usd") - pl.col("gpu_busy_usd")).alias("gpu_unused_usd"),
    )
    return out.with_columns(_total_efficiency().alias("total_efficiency"))


def _total_efficiency() -> pl.Expr:
    cpu_known = pl.col("cpu_efficiency").is_not_null()
    ram_known = pl.col("ram_efficiency").is_not_null()
    gpu_known = pl.col("gpu_measured_usd").is_not_null()
    weighted = pl.sum_horizontal(
        pl.when(cpu_known).then(pl.col("cpu_usd") * pl.col("cpu_efficiency")).otherwise(0.0),
        pl.when(ram_known).then(pl.col("ram_usd") * pl.col("ram_efficiency")).otherwise(0.0),
        pl.when(gpu_known).then(pl.col("gpu_busy_usd")).otherwise(0.0),
    )
    weight = pl.sum_horizontal(
        pl.when(cpu_known).then(pl.col("cpu_usd")).otherwise(0.0),
        pl.when(ram_known).then(pl.col("ram_usd")).otherwise(0.0),
        pl.when(gpu_known).then(pl.col("gpu_measured_usd")).otherwise(0.0),
    )
    return _ratio(weighted, weight)


def node_gpu_utilization(nodes: pl.DataFrame) -> pl.DataFrame:
    """Per node name: hours-weighted mean of the rows' `gpu_utilization` (rows without it left out)."""
    known = pl.col("gpu_utilization").is_not_null() & (pl.col("hours").fill_null(0.0) > 0)
    hours = pl.when(known).then(pl.col("hours")).otherwise(0.0)
    busy = pl.when(known).then(pl.col("hours") * pl.col("gpu_utilization")).otherwise(0.0)
    return (
        nodes.group_by("name")
        .agg(busy.sum().alias("busy"), hours.sum().alias("measured"))
        .select(pl.col("name").alias("node"), _ratio(pl.col("busy"), pl.col("measured")).alias("gpu_utilization"))
    )
