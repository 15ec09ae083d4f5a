"""`quantization`: weights + KV cache at a lower precision fit on fewer GPUs.

Per GPU workload: parameters (billions) from the `parameters_b` setting, else the pod label
`genaicost.io/parameters-b` (`parameters_label`), else the model name (`model` label,
controller or pod name: "llama-3-70b" → 70, "mixtral-8x7b" → 56). GPU memory needed at a precision =
params × bytes per parameter (bf16 2, fp8 1, int4 0.5) × (1 + overhead_fraction) + kv_cache_gib; GPUs needed =
that ÷ (GPU memory per GPU × gpu_memory_utilization), rounded up (to a power of two for tensor parallelism).
Saving = the workload's report GPU cost × (1 − GPUs needed ÷ GPUs held).
"""

from __future__ import annotations

import math
import re
from typing import Literal

import polars as pl
from pydantic import Field

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.recommend.candidates import type_specs
from genaicost.engine.recommend.context import Context
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register
from genaicost.engine.recommend.workloads import costed_rows, workload_nodes

NAME = "quantization"
Precision = Literal["bf16", "fp8", "int4"]
BYTES_PER_PARAM: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "int4": 0.5}
GIB = 2.0**30
_MOE = re.compile(r"(?<![a-z0-9.])(\d+)x(\d+(?:\.\d+)?)b(?![a-z0-9])")
_DENSE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)b(?![a-z0-9])")


class QuantizationSettings(StrategySettings):
    model_label: str = "model"
    parameters_label: str = "genaicost.io/parameters-b"   # pod label with the parameter count in billions
    parameters_b: dict[str, float] = Field(default_factory=dict)  # model name -> billions (beats the name)
    current_precision: Precision = "bf16"
    precisions: tuple[Precision, ...] = ("fp8", "int4")
    overhead_fraction: float = 0.05          # activations, CUDA graphs, fragmentation
    kv_cache_gib: float = 4.0                # per replica: the least KV cache worth serving with
    gpu_memory_utilization: float = 0.9      # vLLM --gpu-memory-utilization
    power_of_two_gpus: bool = True
    min_monthly_savings_usd: float = 1.0


def parameters_from_name(name: str) -> float | None:
    """Billions of parameters in a model name: "llama-3.1-70b-instruct" → 70.0, "mixtral-8x7b" → 56.0."""
    text = name.lower()
    moe = _MOE.search(text)
    if moe:
        return float(moe.group(1)) * float(moe.group(2))
    dense = _DENSE.findall(text)
    return float(dense[-1]) if dense else None


def gpus_needed(params_b: float, precision: str, per_gpu_gib: float, s: QuantizationSettings) -> tuple[int, float]:
    """(GPUs, GiB needed) for the weights at `precision` plus overhead and KV cache."""
    need_gib = params_b * 1e9 * BYTES_PER_PARAM[precision] / GIB * (1 + s.overhead_fraction) + s.kv_cache_gib
    gpus = max(1, math.ceil(need_gib / (per_gpu_gib * s.gpu_memory_utilization) - 1e-9))
    if s.power_of_two_gpus:
        gpus = 1 << (gpus - 1).bit_length()
    return gpus, need_gib


def _workloads(ctx: Context, s: QuantizationSettings) -> pl.DataFrame:
    per_container = ctx.snapshot.containers.group_by("pod_uid", "container", maintain_order=True).agg(
        pl.col("gpu_request").fill_null(0.0).max())   # history sources have a row per interval
    requests = per_container.group_by("pod_uid", maintain_order=True).agg(pl.col("gpu_request").sum().alias("held"))
    labels = ctx.snapshot.pod_labels
    names = labels.filter(pl.col("key") == s.model_label).select("pod_uid", pl.col("value").alias("model"))
    declared = labels.filter(pl.col("key") == s.parameters_label).select(
        "pod_uid", pl.col("value").cast(pl.Float64, strict=False).alias("label_parameters_b"))
    rows = costed_rows(ctx).filter((pl.col("gpu_hours") > 0) & (pl.col("gpu_sharing").fill_null("none") == "none"))
    pods = rows.group_by("workload", "pod_uid", maintain_order=True).agg(
        pl.col("gpu_usd").sum(), pl.col("instance_type").first(), pl.col("controller").first(), pl.col("pod").first())
    pods = pods.join(requests, on="pod_uid", how="left").join(names, on="pod_uid", how="left").join(
        declared, on="pod_uid", how="left")
    return pods.sort("workload", "pod_uid").group_by("workload", maintain_order=True).agg(
        pl.col("gpu_usd").sum(), pl.len().alias("pods"), pl.col("held").max(), pl.col("instance_type").first(),
        pl.coalesce("model", "controller", "pod").first().alias("model"),
        pl.col("label_parameters_b").drop_nulls().first()).sort("workload")


def _best(params: float, per_gpu: float, held: float, s: QuantizationSettings) -> tuple[str, int, float] | None:
    best: tuple[str, int, float] | None = None
    for precision in s.precisions:
        gpus, need = gpus_needed(params, precision, per_gpu, s)
        if gpus < held and (best is None or gpus < best[1]):
            best = (precision, gpus, need)
    return best


def run(ctx: Context, s: QuantizationSettings) -> Outcome:
    work = _workloads(ctx, s)
    if not work.height:
        raise Skip("no workload holds whole, unshared GPUs")
    on_nodes = workload_nodes(ctx)
    out: list[Recommendation] = []
    unknown: list[str] = []
    odd: list[str] = []
    for w in work.iter_rows(named=True):
        params = (s.parameters_b.get(w["model"]) or w["label_parameters_b"]
                  or parameters_from_name(w["model"] or ""))
        spec = type_specs(ctx.catalog, w["instance_type"])
        if params is None:
            unknown.append(str(w["workload"]))
            continue
        if spec is None or not spec.get("gpu_count") or not spec.get("gpu_memory_gib") or not w["held"]:
            continue
        per_gpu = float(spec["gpu_memory_gib"]) / float(spec["gpu_count"])
        now_gpus, _ = gpus_needed(params, s.current_precision, per_gpu, s)
        if now_gpus > w["held"]:
            odd.append(f"{w['workload']} ({now_gpus} GPUs at {s.current_precision} by the estimate, "
                       f"holds {w['held']:g})")
            continue
        best = _best(params, per_gpu, w["held"], s)
        if best is None:
            continue
        precision, gpus, need = best
        saving = w["gpu_usd"] * (1 - gpus / w["held"]) * ctx.to_monthly
        if saving < s.min_monthly_savings_usd:
            continue
        out.append(Recommendation(
            strategy=NAME, target=str(w["workload"]),
            action=f"serve {w['model']} at {precision.upper()}: {gpus} GPU(s) per replica instead of {w['held']:g}",
            monthly_savings_usd=saving, confidence="medium" if precision == "fp8" else "low",
            confidence_rule="medium for FP8 (small quality loss on most models), low for INT4 (evaluate quality "
            "first); the memory need is an estimate from the parameter count",
            evidence={"model": w["model"], "parameters_b": params, "replicas": w["pods"], "gpus_per_replica": w["held"],
                      "instance_type": w["instance_type"], "gpu_memory_per_gpu_gib": per_gpu,
                      "memory_needed_gib": need, "gpus_needed": gpus,
                      "gpu_monthly_usd_now": w["gpu_usd"] * ctx.to_monthly},
            assumptions={"current_precision": s.current_precision, "overhead_fraction": s.overhead_fraction,
                         "kv_cache_gib": s.kv_cache_gib, "gpu_memory_utilization": s.gpu_memory_utilization,
                         "freed_gpus": "the freed GPUs are released (smaller instances or fewer nodes)"},
            resources=(f"workload/{w['workload']}#gpu", *on_nodes.get(w["workload"], ()))))
    result = Outcome(out)
    if unknown:
        result.skipped_parts.append("no parameter count in the model name (set quantization.parameters_b): "
                                    + ", ".join(unknown))
    if odd:
        result.skipped_parts.append("the estimate says the current precision would not fit (already quantized? "
                                    "set quantization.current_precision or parameters_b): " + "; ".join(odd))
    return result


STRATEGY = register(Strategy(
    name=NAME, summary="weights + KV cache at FP8 / INT4 fit on fewer GPUs",
    needs=("GPU workloads", "a parameter count (model name or setting)", "GPU memory (catalog)"),
    settings=QuantizationSettings, run=run))
