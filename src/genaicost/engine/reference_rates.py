"""Marginal on-demand $/vCPU-hour and $/GiB-hour per region, fitted from general-purpose families.

For each region, an ordinary least-squares fit without intercept, price ≈ vcpu·c₀ + memory_gib·m₀, over
every size of one generation's compute / general / memory families (docs/cost-model.md §2.2).
Closed form from the 2×2 normal equations, computed with one group_by for all regions at once.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from genaicost.domain.prices import PriceCatalog

# In order of preference; the first generation that gives a usable fit in a region is taken.
REFERENCE_GENERATIONS: tuple[tuple[str, ...], ...] = (
    ("c6i", "m6i", "r6i"),
    ("c5", "m5", "r5"),
    ("c7i", "m7i", "r7i"),
)

REFERENCE_SCHEMA: dict[str, Any] = {
    "region": pl.String,
    "reference_families": pl.String,        # e.g. "c6i/m6i/r6i"
    "ref_usd_per_vcpu_hour": pl.Float64,
    "ref_usd_per_gib_hour": pl.Float64,
}

# A determinant this small relative to ΣV²·ΣM² means every size has the same vCPU:GiB ratio: no fit.
_MIN_RELATIVE_DETERMINANT = 1e-9


def _generation_table() -> pl.DataFrame:
    rows = [(family, rank, "/".join(gen)) for rank, gen in enumerate(REFERENCE_GENERATIONS) for family in gen]
    return pl.DataFrame(rows, schema={"family": pl.String, "generation_rank": pl.Int64,
                                      "reference_families": pl.String}, orient="row")


def _reference_sizes(catalog: PriceCatalog) -> pl.DataFrame:
    """(region, generation, vcpu, memory_gib, on-demand $/h) of each priced size of the reference families."""
    specs = catalog.specs.select("instance_type", "vcpu", "memory_gib", "gpu_count").unique(
        "instance_type", keep="first", maintain_order=True)
    return (catalog.ec2.select("region", "instance_type", "ondemand_usd_per_hour")
            .join(specs, on="instance_type", how="inner")
            .with_columns(pl.col("instance_type").str.split(".").list.first().alias("family"))
            .join(_generation_table(), on="family", how="inner")
            .filter(pl.col("ondemand_usd_per_hour").is_not_null(), pl.col("vcpu") > 0,
                    pl.col("memory_gib") > 0, pl.col("gpu_count").fill_null(0.0) == 0))


def reference_rates(catalog: PriceCatalog) -> pl.DataFrame:
    """One row per region that has a usable reference generation (REFERENCE_SCHEMA)."""
    v, m, p = pl.col("vcpu"), pl.col("memory_gib"), pl.col("ondemand_usd_per_hour")
    sums = _reference_sizes(catalog).group_by("region", "generation_rank", "reference_families").agg(
        (v * v).sum().alias("svv"), (v * m).sum().alias("svm"), (m * m).sum().alias("smm"),
        (v * p).sum().alias("svp"), (m * p).sum().alias("smp"), pl.col("family").n_unique().alias("families"))
    svv, svm, smm, svp, smp = (pl.col(c) for c in ("svv", "svm", "smm", "svp", "smp"))
    det = svv * smm - svm * svm
    fitted = sums.with_columns(
        ((svp * smm - svm * smp) / det).alias("ref_usd_per_vcpu_hour"),
        ((svv * smp - svm * svp) / det).alias("ref_usd_per_gib_hour"),
        (det / (svv * smm)).alias("relative_det"),
    )
    usable = fitted.filter(pl.col("families") >= 2, pl.col("relative_det") > _MIN_RELATIVE_DETERMINANT,
                           pl.col("ref_usd_per_vcpu_hour") > 0, pl.col("ref_usd_per_gib_hour") > 0)
    best = usable.sort("region", "generation_rank").group_by("region", maintain_order=True).first()
    return best.select([pl.col(name).cast(dtype) for name, dtype in REFERENCE_SCHEMA.items()])
