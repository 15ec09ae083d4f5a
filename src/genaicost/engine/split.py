"""Split each priced node's hourly price into $/vCPU-hour, $/GiB-hour and $/GPU-hour.

For every priced node: vcpu·c + ram_gib·m + priced_gpu_count·g = hourly_usd (docs/cost-model.md §2).
Methods: `residual` (default), `aws-scad`, `opencost`. Pure and vectorized.
"""

from __future__ import annotations

from typing import NamedTuple, get_args

import polars as pl

from genaicost.domain.options import SplitMethod
from genaicost.domain.prices import PriceCatalog
from genaicost.engine.reference_rates import REFERENCE_GENERATIONS, reference_rates

# AWS split cost allocation data weights (CUR user guide, "Example of split cost allocation data for
# accelerated instances"): GPU 9, vCPU 0.9, GB 0.1; CPU:memory 9:1 on instances without accelerators.
SCAD_GPU_WEIGHT = 9.0
SCAD_VCPU_WEIGHT = 0.9
SCAD_GIB_WEIGHT = 0.1

# OpenCost's default prices (opencost configs/default.json, "Default prices based on GCP us-central1").
OPENCOST_USD_PER_VCPU_HOUR = 0.031611
OPENCOST_USD_PER_GIB_HOUR = 0.004237
OPENCOST_USD_PER_GPU_HOUR = 0.95

RATE_COLUMNS = ("usd_per_vcpu_hour", "usd_per_gib_hour", "usd_per_gpu_hour")
ADDED_COLUMNS = (*RATE_COLUMNS, "split_method", "split_note")

_P = pl.col("hourly_usd")
_V = pl.col("vcpu").fill_null(0.0)
_M = pl.col("ram_gib").fill_null(0.0)
_G = pl.col("priced_gpu_count").fill_null(0.0)
_HAS_GPU = _G > 0

_NO_CAPACITY = "node reports no vCPU, memory or GPU capacity: its price cannot be split"


class Rates(NamedTuple):
    """Per-unit rates as expressions; `ok` says where the method applies (else the caller falls back)."""

    vcpu: pl.Expr
    gib: pl.Expr
    gpu: pl.Expr
    ok: pl.Expr


def _weighted(c0: pl.Expr, m0: pl.Expr, g0: pl.Expr) -> Rates:
    """Rates proportional to (c0, m0, g0), scaled so that the node's capacities add up to its price."""
    denominator = _V * c0 + _M * m0 + _G * g0
    scale = _P / denominator
    gpu = pl.when(_HAS_GPU).then(scale * g0).otherwise(0.0)
    return Rates(scale * c0, scale * m0, gpu, denominator > 0)


def aws_scad_rates() -> Rates:
    return _weighted(pl.lit(SCAD_VCPU_WEIGHT), pl.lit(SCAD_GIB_WEIGHT), pl.lit(SCAD_GPU_WEIGHT))


def opencost_rates() -> Rates:
    return _weighted(pl.lit(OPENCOST_USD_PER_VCPU_HOUR), pl.lit(OPENCOST_USD_PER_GIB_HOUR),
                     pl.lit(OPENCOST_USD_PER_GPU_HOUR))


def residual_rates() -> Rates:
    """Needs the columns ref_usd_per_vcpu_hour / ref_usd_per_gib_hour joined by region."""
    c0, m0 = pl.col("ref_usd_per_vcpu_hour"), pl.col("ref_usd_per_gib_hour")
    no_gpu = _weighted(c0, m0, pl.lit(0.0))
    discount_ratio = _P / pl.col("ondemand_usd_per_hour")
    cpu_ram_usd = discount_ratio * (_V * c0 + _M * m0)
    gpu = (_P - cpu_ram_usd) / _G
    gpu_ok = (pl.col("ondemand_usd_per_hour") > 0) & (gpu >= 0)
    return Rates(
        pl.when(_HAS_GPU).then(discount_ratio * c0).otherwise(no_gpu.vcpu),
        pl.when(_HAS_GPU).then(discount_ratio * m0).otherwise(no_gpu.gib),
        pl.when(_HAS_GPU).then(gpu).otherwise(0.0),
        (pl.when(_HAS_GPU).then(gpu_ok).otherwise(no_gpu.ok) & c0.is_not_null()).fill_null(False),
    )


def _residual_fallback_note() -> pl.Expr:
    generations = ", ".join("/".join(g) for g in REFERENCE_GENERATIONS)
    return (pl.when(pl.col("ref_usd_per_vcpu_hour").is_null())
            .then(pl.format(f"no reference family ({generations}) priced in region {{}}: split by aws-scad "
                            "weights", pl.col("region").fill_null("(none)")))
            .when(_HAS_GPU & ~(pl.col("ondemand_usd_per_hour") > 0).fill_null(False))
            .then(pl.lit("no on-demand price to scale the reference CPU and memory rates: split by aws-scad "
                         "weights"))
            .otherwise(pl.lit("CPU and memory at the reference rates cost more than the node: negative GPU "
                              "residual, split by aws-scad weights")))


_NO_RATES = Rates(pl.lit(None, pl.Float64), pl.lit(None, pl.Float64), pl.lit(None, pl.Float64), pl.lit(False))


def _select(primary: Rates, method: str, fallback: Rates = _NO_RATES, note: pl.Expr | None = None
            ) -> list[pl.Expr]:
    """Primary rates where they apply, else the fallback's (with a note), else null with a note."""
    priced = _P.is_not_null()
    use_primary = priced & primary.ok
    use_fallback = priced & ~primary.ok & fallback.ok

    def pick(first: pl.Expr, second: pl.Expr) -> pl.Expr:
        return pl.when(use_primary).then(first).when(use_fallback).then(second).otherwise(None)

    return [
        pick(primary.vcpu, fallback.vcpu).alias("usd_per_vcpu_hour"),
        pick(primary.gib, fallback.gib).alias("usd_per_gib_hour"),
        pick(primary.gpu, fallback.gpu).alias("usd_per_gpu_hour"),
        pick(pl.lit(method), pl.lit("aws-scad")).alias("split_method"),
        pl.when(use_primary | ~priced).then(None).when(use_fallback).then(note)
        .otherwise(pl.lit(_NO_CAPACITY)).alias("split_note"),
    ]


def split_node_rates(priced: pl.DataFrame, catalog: PriceCatalog, method: SplitMethod) -> pl.DataFrame:
    """Priced nodes (price_nodes output) plus usd_per_vcpu_hour, usd_per_gib_hour, usd_per_gpu_hour (null
    for unpriced nodes; 0 per GPU when the node has none), split_method (what was used) and split_note
    (why a fallback or no split)."""
    if method not in get_args(SplitMethod):
        raise ValueError(f"unknown split method {method!r}; choose one of {', '.join(get_args(SplitMethod))}")
    if method != "residual":
        rates = aws_scad_rates() if method == "aws-scad" else opencost_rates()
        return priced.with_columns(_select(rates, method)).select(*priced.columns, *ADDED_COLUMNS)
    with_refs = priced.join(reference_rates(catalog).drop("reference_families"), on="region", how="left",
                            maintain_order="left")
    columns = _select(residual_rates(), method, aws_scad_rates(), _residual_fallback_note())
    return with_refs.with_columns(columns).select(*priced.columns, *ADDED_COLUMNS)
