"""Self-hosted options of `compare`: suitable instance types × precision × purchase option (docs/compare.md §2-§4).

Pure. Throughput comes only from measured benchmark rows (no scaled estimates); prices from the same catalog and
`engine.price.price_nodes` as the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from genaicost.domain.compare import SELF_HOSTED, Assumptions, CompareOption, Demand, Unavailable
from genaicost.domain.prices import PriceCatalog
from genaicost.engine.compare_measured import MeasuredType
from genaicost.engine.compare_model import ModelSpec, exact, mix_distance, pick_row, required_gpu_memory_gib
from genaicost.engine.compare_prices import instance_prices

GPU_MEMORY_TOLERANCE = 0.12   # per-GPU memory of the instance vs the benchmark's GPU (48 GB L40S = 44.7 GiB)


@dataclass(frozen=True)
class Sized:
    instance_type: str
    precision: str
    row: dict[str, object]
    instance_tok_s: float       # measured output tok/s × engine copies on the instance
    engines: int | None         # None when measured in the cluster (the instance's GPUs, not engine copies)
    required_gib: float
    source: str | None = None   # throughput_source of a throughput measured in the cluster


def gpu_instances(catalog: PriceCatalog, region: str) -> pl.DataFrame:
    """Instance types with whole accelerators and a price row in `region`, with per-GPU memory."""
    in_region = catalog.ec2.filter(pl.col("region") == region).select("instance_type").unique()
    return (catalog.specs.filter((pl.col("gpu_count") >= 1) & pl.col("gpu_model").is_not_null()
                                 & (pl.col("gpu_count") == pl.col("gpu_count").floor())
                                 & pl.col("gpu_memory_gib").is_not_null())
            .join(in_region, on="instance_type", how="semi")
            .select("instance_type", pl.col("gpu_count").cast(pl.Int64).alias("inst_gpus"), "gpu_model",
                    (pl.col("gpu_memory_gib") / pl.col("gpu_count")).alias("gib_per_gpu")))


def candidates(spec: ModelSpec, precision: str, instances: pl.DataFrame, assumptions: Assumptions,
               demand: Demand) -> pl.DataFrame:
    """Benchmark rows × the instance types they describe, with memory, latency and mix applied."""
    rows = spec.rows.filter(pl.col("precision") == precision)
    if assumptions.max_ttft_ms is not None:
        rows = rows.filter(pl.col("ttft_ms") <= assumptions.max_ttft_ms)
    if assumptions.max_itl_ms is not None:
        rows = rows.filter(pl.col("itl_ms") <= assumptions.max_itl_ms)
    need = required_gpu_memory_gib(spec.params_b, precision, assumptions.kv_cache_headroom)
    each = pl.col("gpu_memory_gb_each")
    joined = rows.join(instances, on="gpu_model", how="inner").filter(
        (pl.col("inst_gpus") % pl.col("gpu_count") == 0)
        & (each.is_null() | ((pl.col("gib_per_gpu") - each).abs() <= GPU_MEMORY_TOLERANCE * each))
        & (pl.col("gpu_count") * pl.col("gib_per_gpu") >= need))
    joined = joined.with_columns((pl.col("inst_gpus") // pl.col("gpu_count")).alias("engines"))
    joined = joined.with_columns((pl.col("output_tokens_per_s") * pl.col("engines")).alias("instance_tok_s"))
    return mix_distance(joined, demand)


def size_instances(spec: ModelSpec, precision: str, instances: pl.DataFrame, assumptions: Assumptions,
                   demand: Demand) -> list[Sized]:
    joined = candidates(spec, precision, instances, assumptions, demand)
    need = required_gpu_memory_gib(spec.params_b, precision, assumptions.kv_cache_headroom)
    out = []
    for (instance_type,), group in joined.group_by(["instance_type"], maintain_order=True):
        row = pick_row(group)
        if row is not None:
            out.append(Sized(str(instance_type), precision, row, float(row["instance_tok_s"]),  # type: ignore[arg-type]
                             int(row["engines"]), need))  # type: ignore[call-overload]
    return sorted(out, key=lambda s: s.instance_type)


def replicas_needed(demand: Demand, instance_tok_s: float, assumptions: Assumptions) -> int:
    """ceil(demand output tok/s ÷ (measured tok/s × target utilization)), at least 1; exact on the decimals."""
    demand_tok_s = exact(demand.output_tokens_per_month) / (exact(assumptions.hours_per_month) * 3600)
    capacity = exact(instance_tok_s) * exact(assumptions.target_utilization)
    return max(1, math.ceil(demand_tok_s / capacity))


def measured_sized(measured: list[MeasuredType], precision: str, required_gib: float) -> list[Sized]:
    """Instance types sized from the cluster's own throughput (engine.compare_measured): capacity_tok_s."""
    return [Sized(m.instance_type, precision, {}, m.capacity_tok_s, None, required_gib, m.source) for m in measured]


def throughput_source(s: Sized) -> str:
    if s.source is not None:
        return s.source
    r = s.row
    copies = f" × {s.engines} engine copies" if (s.engines or 1) > 1 else ""
    return (f"measured: {r['model']} {r['precision_raw']} on {r['hardware']}, {r['engine']} {r['engine_version']}, "
            f"{r['parallelism']}, concurrency {r['concurrency']}, {r['input_tokens']}/{r['output_tokens']} "
            f"tokens in/out: {r['output_tokens_per_s']:g} output tok/s{copies} — {r['source']}")


def self_hosted_options(spec: ModelSpec, precisions: list[str], demand: Demand, assumptions: Assumptions,
                        catalog: PriceCatalog, measured: list[MeasuredType] | None = None
                        ) -> tuple[list[CompareOption], list[Unavailable]]:
    """Options per precision; at `assumptions.measured_precision` the measured instance types replace the
    benchmark's sizing of the same types (docs/compare.md §3b)."""
    instances = gpu_instances(catalog, assumptions.region)
    options: list[CompareOption] = []
    unavailable: list[Unavailable] = []
    total_tokens = demand.input_tokens_per_month + demand.output_tokens_per_month
    for precision in precisions:
        sized = size_instances(spec, precision, instances, assumptions, demand)
        if measured and precision == assumptions.measured_precision:
            need = required_gpu_memory_gib(spec.params_b, precision, assumptions.kv_cache_headroom)
            own = measured_sized(measured, precision, need)
            taken = {m.instance_type for m in own}
            sized = sorted([s for s in sized if s.instance_type not in taken] + own, key=lambda s: s.instance_type)
        if not sized:
            unavailable.append(_no_throughput(spec, precision, assumptions))
            continue
        prices = instance_prices([s.instance_type for s in sized], assumptions, catalog)
        for s in sized:
            replicas = replicas_needed(demand, s.instance_tok_s, assumptions)
            for price in prices[s.instance_type]:
                if price.hourly_usd is None:
                    unavailable.append(Unavailable(kind=SELF_HOSTED, name=f"{spec.label} on {s.instance_type}",
                                                   instance_type=s.instance_type,
                                                   purchase_option=price.purchase_option, precision=precision,
                                                   reason=price.reason or "unpriced"))
                    continue
                monthly = replicas * price.hourly_usd * assumptions.hours_per_month
                options.append(CompareOption(
                    kind=SELF_HOSTED, name=f"{spec.label} on {s.instance_type}", instance_type=s.instance_type,
                    purchase_option=price.purchase_option, precision=precision, replicas=replicas,
                    hourly_usd=price.hourly_usd, monthly_usd=monthly, usd_per_1m_tokens=monthly / total_tokens * 1e6,
                    throughput_source=throughput_source(s), throughput_output_tokens_per_s=s.instance_tok_s,
                    engines_per_instance=s.engines, gpu_memory_required_gib=s.required_gib,
                    price_source=price.price_source))
    return options, unavailable


def _no_throughput(spec: ModelSpec, precision: str, assumptions: Assumptions) -> Unavailable:
    measured = spec.rows.filter(pl.col("precision") == precision)
    if measured.is_empty():
        reason = f"no measured throughput for {spec.label} at {precision} in the benchmark table (no estimate made)"
    elif assumptions.max_ttft_ms is not None or assumptions.max_itl_ms is not None:
        reason = (f"no benchmark row at {precision} meets the latency target on an instance type priced in "
                  f"{assumptions.region} (rows without a measured TTFT/ITL cannot show that they meet it)")
    else:
        need = required_gpu_memory_gib(spec.params_b, precision, assumptions.kv_cache_headroom)
        reason = (f"no instance type priced in {assumptions.region} matches a measured {precision} configuration "
                  f"with enough GPU memory ({need:.1f} GiB)")
    return Unavailable(kind=SELF_HOSTED, name=spec.label, precision=precision, reason=reason)
