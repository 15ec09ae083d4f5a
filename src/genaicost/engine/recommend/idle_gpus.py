"""`idle-gpus`: GPUs no pod holds (remove the node or shrink it) and GPUs held but barely used (share them).

Per GPU node: allocated GPUs = Σ GPU-hours of its pods ÷ the node's hours (the report's allocation).
- none allocated and only DaemonSets on it → remove the node: saving = its report price × 730;
- none allocated but other pods → the GPU part of its report cost (idle GPU $ × 730 / window);
- some whole GPUs free → the cheapest catalog type with the same GPU model and enough GPUs, vCPU and memory
  for the requests: saving = (node price − that type's price) × 730;
- DCGM utilization of a pod's whole GPUs below `underused_below` → share (MIG / time-slicing): saving = its GPU
  cost × (1 − max(utilization ÷ target_utilization, 1 ÷ max_shares)).
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from genaicost.domain.recommendation import Recommendation, Scalar
from genaicost.engine.recommend.candidates import cheapest_fitting, type_specs
from genaicost.engine.recommend.context import WINDOW_RULE, Context, window_confidence
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register
from genaicost.engine.recommend.workloads import costed_rows, workload_nodes

NAME = "idle-gpus"


class IdleGpuSettings(StrategySettings):
    underused_below: float = 0.3
    target_utilization: float = 0.8
    max_shares: int = 7
    min_monthly_savings_usd: float = 1.0


def gpu_nodes(ctx: Context) -> pl.DataFrame:
    """GPU nodes with allocated GPUs and requests (averaged over the node's hours) and non-DaemonSet pods."""
    rows = ctx.rows
    alloc = rows.group_by("node", maintain_order=True).agg(
        pl.col("gpu_hours").sum(), pl.col("cpu_request_core_hours").sum(), pl.col("ram_request_gib_hours").sum(),
        (pl.col("controller_kind").fill_null("") != "DaemonSet").sum().alias("movable_rows"))
    nodes = ctx.nodes.filter((pl.col("gpu_capacity_hours") > 0) & ~pl.col("unpriced") & (pl.col("hours") > 0))
    return nodes.join(alloc, on="node", how="left").with_columns(
        (pl.col("gpu_hours").fill_null(0.0) / pl.col("hours")).alias("gpus_allocated"),
        (pl.col("gpu_capacity_hours") / pl.col("hours")).alias("gpus"),
        (pl.col("cpu_request_core_hours").fill_null(0.0) / pl.col("hours")).alias("cpu_requested"),
        (pl.col("ram_request_gib_hours").fill_null(0.0) / pl.col("hours")).alias("ram_requested_gib"),
        pl.col("movable_rows").fill_null(0))


def _num(n: dict[str, Any], key: str) -> float:
    value = n.get(key)
    return float(value) if value is not None else 0.0


def _node_rec(ctx: Context, n: dict[str, Any], s: IdleGpuSettings) -> Recommendation | None:
    gpus, used, hourly = _num(n, "gpus"), _num(n, "gpus_allocated"), _num(n, "hourly_usd")
    monthly_hours = _num(n, "hours") * ctx.to_monthly     # 730 for a node that ran the whole window
    evidence: dict[str, Scalar] = {
        "instance_type": n["instance_type"], "gpus": gpus, "gpus_allocated": used, "node_usd_per_hour": hourly,
        "node_hours": _num(n, "hours"),
        "node_monthly_usd": _num(n, "total_usd") * ctx.to_monthly, "dcgm_gpu_utilization": n.get("gpu_utilization"),
        "cpu_requested_cores": _num(n, "cpu_requested"), "ram_requested_gib": _num(n, "ram_requested_gib"),
        "window_hours": ctx.window_hours}

    def rec(action: str, saving: float, extra: dict[str, Scalar], assumptions: dict[str, Scalar]) -> Recommendation:
        return Recommendation(strategy=NAME, target=f"node/{n['node']}", action=action, monthly_savings_usd=saving,
                              confidence=window_confidence(ctx.window_hours), confidence_rule=WINDOW_RULE,
                              evidence={**evidence, **extra}, assumptions=assumptions,
                              resources=(f"node/{n['node']}",))

    if used == 0 and n["movable_rows"] == 0:
        return rec("remove the node: no pod holds its GPUs, only DaemonSets run on it",
                   _num(n, "total_usd") * ctx.to_monthly,
                   {}, {"removal": "the node pool does not scale it back up"})
    if used == 0:
        saving = _num(n, "gpu_usd") * ctx.to_monthly
        return rec("move its pods to a CPU node and remove the GPU node", saving, {"gpu_monthly_usd": saving},
                   {"cpu_pods": "its other pods cost the same on a CPU node"})
    need = math.ceil(used - 1e-9)
    spec = type_specs(ctx.catalog, n["instance_type"])
    if need >= gpus or spec is None:
        return None
    types = ctx.types(str(n["region"]), str(n["capacity_type"] or "on-demand"))
    best = cheapest_fitting(types, vcpu=_num(n, "cpu_requested"), memory_gib=_num(n, "ram_requested_gib"),
                            gpus=need, gpu_model=spec["gpu_model"], below_usd_per_hour=hourly)
    if best is None:
        return None
    saving = (hourly - float(best["hourly_usd"])) * monthly_hours
    return rec(f"replace with {best['instance_type']} ({need} GPU(s) of the same model)", saving,
               {"replacement": best["instance_type"], "replacement_usd_per_hour": best["hourly_usd"]},
               {"placement": "the node's pods fit the smaller type's vCPU, memory and GPUs as requested"})


def _share_recs(ctx: Context, s: IdleGpuSettings) -> list[Recommendation]:
    rows = costed_rows(ctx).filter((pl.col("gpu_hours") > 0) & pl.col("gpu_utilization").is_not_null()
                                   & (pl.col("gpu_sharing").fill_null("none") == "none"))
    per = rows.group_by("workload", maintain_order=True).agg(
        pl.col("gpu_usd").sum(), pl.col("gpu_hours").sum(),
        ((pl.col("gpu_utilization") * pl.col("gpu_hours")).sum() / pl.col("gpu_hours").sum()).alias("util"),
        pl.col("pod_uid").n_unique().alias("pods")).filter(pl.col("util") < s.underused_below).sort("workload")
    on_nodes = workload_nodes(ctx)
    out = []
    for r in per.iter_rows(named=True):
        share = max(r["util"] / s.target_utilization, 1.0 / s.max_shares)
        saving = r["gpu_usd"] * (1.0 - share) * ctx.to_monthly
        if saving < s.min_monthly_savings_usd:
            continue
        out.append(Recommendation(
            strategy=NAME, target=r["workload"],
            action=f"share its GPUs (MIG or time-slicing): it needs about {share:.0%} of what it holds",
            monthly_savings_usd=saving, confidence="low" if ctx.window_hours < 24 else "medium",
            confidence_rule="medium with ≥ 1 day of DCGM utilization, low below (peaks may need the whole GPU)",
            evidence={"pods": r["pods"], "gpu_hours": r["gpu_hours"], "dcgm_gpu_utilization": r["util"],
                      "gpu_monthly_usd_now": r["gpu_usd"] * ctx.to_monthly},
            assumptions={"target_utilization": s.target_utilization, "max_shares": s.max_shares,
                         "memory": "the model's GPU memory fits the shared slice"},
            resources=(f"workload/{r['workload']}#gpu", *on_nodes.get(r["workload"], ()))))
    return out


def run(ctx: Context, s: IdleGpuSettings) -> Outcome:
    nodes = gpu_nodes(ctx)
    if not nodes.height:
        raise Skip("no priced GPU nodes in the snapshot")
    per_node = ctx.priced.nodes.select(pl.col("name").alias("node"), "gpu_utilization").group_by(
        "node", maintain_order=True).agg(pl.col("gpu_utilization").mean())
    dcgm = ctx.nodes.join(per_node, on="node", how="left")
    nodes = nodes.join(dcgm.select("node", "gpu_utilization"), on="node", how="left")
    recs = [r for n in nodes.iter_rows(named=True) if (r := _node_rec(ctx, n, s)) and
            r.monthly_savings_usd >= s.min_monthly_savings_usd]
    out = Outcome(recs)
    if ctx.rows.get_column("gpu_utilization").is_null().all():
        out.skipped_parts.append("share under-used GPUs: no DCGM GPU utilization in the snapshot (use --prometheus "
                                 "with dcgm-exporter)")
    else:
        out.recommendations += _share_recs(ctx, s)
    return out


STRATEGY = register(Strategy(
    name=NAME, summary="GPUs no pod holds, GPU nodes larger than their pods need, GPUs held but barely used",
    needs=("GPU requests", "DCGM utilization (to share under-used GPUs)"), settings=IdleGpuSettings, run=run))
