"""`batching`: model servers running few requests with little KV cache used while their GPUs idle.

Per serving workload with load gauges (vLLM num_requests_running, gpu_cache_usage_perc): when the mean running
requests per replica is below `running_below`, the mean KV-cache use below `kv_below` and (when measured) the
DCGM utilization below `gpu_below`, fewer replicas each batching more requests serve the same traffic.
Replicas needed = max(min_replicas, ⌈replicas × max(peak KV use ÷ kv_target, peak running per replica ÷
running_target)⌉). Saving = the workload's report cost × (replicas − needed) ÷ replicas.
"""

from __future__ import annotations

import math

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.recommend.context import Context
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register
from genaicost.engine.recommend.workloads import costed_rows, workload_nodes

NAME = "batching"


class BatchingSettings(StrategySettings):
    running_below: float = 4.0
    kv_below: float = 0.3
    gpu_below: float = 0.5
    running_target: float = 16.0
    kv_target: float = 0.8
    min_replicas: int = 2
    min_monthly_savings_usd: float = 1.0


def _load(ctx: Context) -> pl.DataFrame:
    rows = costed_rows(ctx)
    cost = rows.group_by("workload", maintain_order=True).agg(
        pl.col("compute_usd").sum(), pl.col("pod_uid").n_unique().alias("replicas"),
        ((pl.col("gpu_utilization") * pl.col("gpu_hours")).sum() / pl.col("gpu_hours").sum()).alias("gpu_util"),
        pl.col("gpu_utilization").is_not_null().any().alias("has_dcgm"))
    pods = rows.select("namespace", "pod", "workload").unique()
    measured = ctx.snapshot.serving_load.join(pods, on=["namespace", "pod"], how="inner")
    load = measured.group_by("workload", maintain_order=True).agg(
        pl.col("model").first(), pl.col("running_requests_mean").mean().alias("running_mean"),
        pl.col("running_requests_max").max().alias("running_max"),
        pl.col("kv_cache_usage_mean").mean().alias("kv_mean"), pl.col("kv_cache_usage_max").max().alias("kv_max"),
        pl.col("pod").n_unique().alias("measured_pods"))
    return load.join(cost, on="workload", how="inner").sort("workload")


def run(ctx: Context, s: BatchingSettings) -> Outcome:
    if not ctx.snapshot.serving_load.height:
        raise Skip("no serving-engine load gauges (running requests, KV-cache use) in the snapshot; they come "
                   "from --prometheus with vLLM metrics")
    on_nodes = workload_nodes(ctx)
    out = []
    for w in _load(ctx).iter_rows(named=True):
        gpu_util = w["gpu_util"] if w["has_dcgm"] else None
        low = (w["running_mean"] or 0.0) < s.running_below and (w["kv_mean"] or 0.0) < s.kv_below
        if not low or (gpu_util is not None and gpu_util >= s.gpu_below):
            continue
        peak = max((w["kv_max"] or 0.0) / s.kv_target, (w["running_max"] or 0.0) / s.running_target)
        replicas = int(w["replicas"])
        needed = max(s.min_replicas, math.ceil(replicas * peak - 1e-9))
        if needed >= replicas:
            continue
        saving = w["compute_usd"] * (replicas - needed) / replicas * ctx.to_monthly
        if saving < s.min_monthly_savings_usd:
            continue
        out.append(Recommendation(
            strategy=NAME, target=str(w["workload"]),
            action=f"batch more per replica (raise max-num-seqs) and run {needed} replica(s) instead of {replicas}",
            monthly_savings_usd=saving,
            confidence=("medium" if ctx.window_hours >= 24 else "low") if gpu_util is not None else "low",
            confidence_rule="medium with ≥ 1 day of serving and DCGM metrics, low otherwise (latency targets are "
            "not checked)",
            evidence={"model": w["model"], "replicas": replicas, "running_requests_mean": w["running_mean"],
                      "running_requests_max": w["running_max"], "kv_cache_usage_mean": w["kv_mean"],
                      "kv_cache_usage_max": w["kv_max"], "dcgm_gpu_utilization": gpu_util,
                      "monthly_usd_now": w["compute_usd"] * ctx.to_monthly, "window_hours": ctx.window_hours},
            assumptions={"running_target": s.running_target, "kv_target": s.kv_target, "min_replicas": s.min_replicas,
                         "latency": "latency stays acceptable at the larger batch"},
            resources=(f"workload/{w['workload']}#cpu-ram", f"workload/{w['workload']}#gpu",
                       *on_nodes.get(w["workload"], ()))))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="few running requests and little KV cache while the GPU idles: fewer, fuller replicas",
    needs=("serving load gauges (vLLM)", "DCGM utilization (optional)"), settings=BatchingSettings, run=run))
