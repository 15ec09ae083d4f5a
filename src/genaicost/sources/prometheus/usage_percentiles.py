"""Usage percentiles and serving-engine load over the window, for `genaicost recommend`.

Per (namespace, pod, container): CPU cores and working-set bytes at p50 / p95 / p99 / max over the window, from
`quantile_over_time` / `max_over_time` over a subquery of the per-step usage (CPU: irate over 2.5 steps, as the
report's history queries). Per (namespace, pod, model_name): vLLM running requests and KV-cache use, mean and max.
HorizontalPodAutoscalers seen in the window, with their scale target, from kube-state-metrics
(`kube_horizontalpodautoscaler_info`, `…_spec_min_replicas`, `…_spec_max_replicas`).

Chunked like the history queries (sources.prometheus.chunks): one instant query per template and chunk, so the
number of queries does not grow with pods (17 templates × chunks). Chunks combine by max for percentiles:
the window's percentile is at most the largest chunk percentile, so the value used is an upper bound (right-
sizing then saves less, never more). Means combine as Σ sum_over_time ÷ Σ count_over_time (exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from genaicost.domain.snapshot import TABLE_SCHEMAS, empty_table
from genaicost.domain.window import Window
from genaicost.sources.prometheus.chunks import Combine, chunked_instant, promql_duration
from genaicost.sources.prometheus.client import PrometheusClient
from genaicost.sources.prometheus.queries import CPU_SECONDS, WORKING_SET

CHUNK_HOURS: Final = 24.0
KEYS: Final = ["namespace", "pod", "container"]
QUANTILES: Final = {"p50": 0.5, "p95": 0.95, "p99": 0.99}
CPU_STEP: Final = "sum by (namespace, pod, container) (irate(" + CPU_SECONDS + "[{irate}]))"
RAM_STEP: Final = "sum by (namespace, pod, container) (" + WORKING_SET + ")"
SERVING_KEYS: Final = ["namespace", "pod", "model_name"]
RUNNING: Final = "sum by (namespace, pod, model_name) (vllm:num_requests_running)"
KV_CACHE: Final = "max by (namespace, pod, model_name) (vllm:gpu_cache_usage_perc or vllm:kv_cache_usage_perc)"


HPA_KEYS: Final = ["namespace", "horizontalpodautoscaler"]
HPA_INFO: Final = ("max by (namespace, horizontalpodautoscaler, scaletargetref_kind, scaletargetref_name) "
                   "(max_over_time(kube_horizontalpodautoscaler_info[{chunk}]))")
HPA_REPLICAS: Final = ("max by (namespace, horizontalpodautoscaler) "
                       "(max_over_time(kube_horizontalpodautoscaler_spec_{}_replicas[{{chunk}}]))")


def percentile_templates(step_s: float) -> dict[str, str]:
    """Column → PromQL template with `{range}` (the chunk's subquery range)."""
    cpu = CPU_STEP.replace("{irate}", promql_duration(2.5 * step_s))
    out: dict[str, str] = {}
    for resource, inner, unit in (("cpu", cpu, "cores"), ("ram", RAM_STEP, "bytes")):
        for name, q in QUANTILES.items():
            out[f"{resource}_{name}_{unit}"] = f"quantile_over_time({q:g}, ({inner})[{{range}}])"
        out[f"{resource}_max_{unit}"] = f"max_over_time(({inner})[{{range}}])"
    return out


def serving_templates() -> dict[str, tuple[str, Combine]]:
    out: dict[str, tuple[str, Combine]] = {}
    for name, inner in (("running", RUNNING), ("kv", KV_CACHE)):
        out[f"{name}_sum"] = (f"sum_over_time(({inner})[{{range}}])", "sum")
        out[f"{name}_count"] = (f"count_over_time(({inner})[{{range}}])", "sum")
        out[f"{name}_max"] = (f"max_over_time(({inner})[{{range}}])", "max")
    return out


def _merge(frames: dict[str, pl.DataFrame], keys: list[str]) -> pl.DataFrame | None:
    merged: pl.DataFrame | None = None
    for column, frame in frames.items():
        part = frame.rename({"value": column})
        merged = part if merged is None else merged.join(part, on=keys, how="full", coalesce=True, nulls_equal=True)
    return merged


def usage_percentiles(client: PrometheusClient, window: Window, *, step_s: float) -> pl.DataFrame:
    frames = {column: chunked_instant(client, template, window, step_s=step_s, chunk_hours=CHUNK_HOURS, by=KEYS,
                                      combine="max")
              for column, template in percentile_templates(step_s).items()}
    merged = _merge(frames, KEYS)
    if merged is None or not merged.height:
        return empty_table("usage_percentiles")
    schema = TABLE_SCHEMAS["usage_percentiles"]
    values = [c for c in schema if c not in KEYS]
    return merged.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in KEYS)).select(
        [pl.col(c).cast(t) for c, t in schema.items()]).with_columns(pl.col(values).fill_nan(None)).sort(KEYS)


def serving_load(client: PrometheusClient, window: Window, *, step_s: float) -> pl.DataFrame:
    frames = {column: chunked_instant(client, template, window, step_s=step_s, chunk_hours=CHUNK_HOURS,
                                      by=SERVING_KEYS, combine=combine)
              for column, (template, combine) in serving_templates().items()}
    merged = _merge(frames, SERVING_KEYS)
    if merged is None or not merged.height:
        return empty_table("serving_load")
    mean = {name: pl.when(pl.col(f"{name}_count") > 0).then(pl.col(f"{name}_sum") / pl.col(f"{name}_count"))
            for name in ("running", "kv")}
    out = merged.select(
        "namespace", "pod", pl.col("model_name").alias("model"), pl.lit("vllm").alias("engine"),
        mean["running"].alias("running_requests_mean"), pl.col("running_max").alias("running_requests_max"),
        mean["kv"].alias("kv_cache_usage_mean"), pl.col("kv_max").alias("kv_cache_usage_max"))
    schema = TABLE_SCHEMAS["serving_load"]
    gauges = [c for c, t in schema.items() if t == pl.Float64]
    return out.select([pl.col(c).cast(t) for c, t in schema.items()]).with_columns(
        pl.col(gauges).fill_nan(None)).sort("namespace", "pod", "model")


def autoscalers(client: PrometheusClient, window: Window, *, step_s: float) -> pl.DataFrame:
    """HPAs that existed in the window (kube-state-metrics), with their scale target and replica bounds."""
    def run(template: str, by: list[str]) -> pl.DataFrame:
        return chunked_instant(client, template, window, step_s=step_s, chunk_hours=CHUNK_HOURS, by=by,
                               combine="max")

    info = run(HPA_INFO, [*HPA_KEYS, "scaletargetref_kind", "scaletargetref_name"]).drop("value")
    if not info.height:
        return empty_table("autoscalers")
    for bound in ("min", "max"):
        info = info.join(run(HPA_REPLICAS.format(bound), HPA_KEYS).rename({"value": f"{bound}_replicas"}),
                         on=HPA_KEYS, how="left")
    out = info.select("namespace", pl.col("horizontalpodautoscaler").alias("name"),
                      pl.col("scaletargetref_kind").alias("target_kind"),
                      pl.col("scaletargetref_name").alias("target_name"), "min_replicas", "max_replicas")
    schema = TABLE_SCHEMAS["autoscalers"]
    return out.select([pl.col(c).cast(t) for c, t in schema.items()]).sort("namespace", "name")


@dataclass(frozen=True)
class RecommendExtras:
    usage_percentiles: pl.DataFrame
    serving_load: pl.DataFrame
    autoscalers: pl.DataFrame
    warnings: list[str]


def load_recommend_extras(client: PrometheusClient, window: Window, *, step_s: float) -> RecommendExtras:
    """The recommend tables for the window, and a warning when the percentiles are missing."""
    percentiles = usage_percentiles(client, window, step_s=step_s)
    warnings = [] if percentiles.height else [
        "no cAdvisor usage series for percentiles (container_cpu_usage_seconds_total, "
        "container_memory_working_set_bytes): right-sizing falls back to the history's mean usage"]
    return RecommendExtras(percentiles, serving_load(client, window, step_s=step_s),
                           autoscalers(client, window, step_s=step_s), warnings)
