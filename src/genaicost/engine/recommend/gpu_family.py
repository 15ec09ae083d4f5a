"""`gpu-family`: a cheaper GPU instance type (another family, e.g. g5 → g6 / g6e) with enough GPU memory.

Per GPU node (not MIG / time-sliced): the cheapest catalog type of another family with at least as many whole
GPUs, at least the needed GPU memory per GPU, and the vCPU and memory its pods request. Needed GPU memory per GPU
= the largest DCGM framebuffer use per GPU held × (1 + headroom) when measured, else the current GPU's memory.
Saving = (node report price − the type's price, same capacity type and region) × 730.
"""

from __future__ import annotations

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.allocate import BYTES_PER_GIB
from genaicost.engine.recommend.candidates import cheapest_fitting, type_specs
from genaicost.engine.recommend.context import Context
from genaicost.engine.recommend.idle_gpus import gpu_nodes
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register

NAME = "gpu-family"


class GpuFamilySettings(StrategySettings):
    allowed_families: tuple[str, ...] = ()   # empty: every NVIDIA family in the catalog
    memory_headroom: float = 0.1
    min_monthly_savings_usd: float = 1.0


def _measured_memory(ctx: Context) -> pl.DataFrame:
    """Per node: the largest GPU memory used per GPU held by one of its containers (GiB), from DCGM."""
    c = ctx.snapshot.containers.filter(pl.col("gpu_memory_used_bytes").is_not_null()
                                       & (pl.col("gpu_request").fill_null(0.0) > 0))
    return c.group_by("node", maintain_order=True).agg(
        (pl.col("gpu_memory_used_bytes") / BYTES_PER_GIB / pl.col("gpu_request")).max().alias("used_per_gpu_gib"))


def run(ctx: Context, s: GpuFamilySettings) -> Outcome:
    nodes = gpu_nodes(ctx).filter(pl.col("gpu_sharing").fill_null("none") == "none")
    if not nodes.height:
        raise Skip("no priced GPU nodes with whole (unshared) GPUs in the snapshot")
    nodes = nodes.join(_measured_memory(ctx), on="node", how="left")
    out = []
    for n in nodes.iter_rows(named=True):
        spec = type_specs(ctx.catalog, n["instance_type"])
        if spec is None or spec.get("accelerator") != "nvidia" or not spec.get("gpu_count"):
            continue
        current_per_gpu = float(spec["gpu_memory_gib"]) / float(spec["gpu_count"])
        measured = n["used_per_gpu_gib"]
        need = measured * (1 + s.memory_headroom) if measured is not None else current_per_gpu
        family = str(n["instance_type"]).split(".")[0]
        types = ctx.types(n["region"], n["capacity_type"] or "on-demand").filter(
            (pl.col("family") != family) & (pl.col("accelerator") == "nvidia"))
        best = cheapest_fitting(types, vcpu=n["cpu_requested"], memory_gib=n["ram_requested_gib"], gpus=n["gpus"],
                                min_gpu_memory_per_gpu_gib=need - 1e-9, families=s.allowed_families,
                                below_usd_per_hour=n["hourly_usd"])
        if best is None:
            continue
        # run-rate of the window: 730 h for a node that ran the whole window
        saving = (n["hourly_usd"] - float(best["hourly_usd"])) * n["hours"] * ctx.to_monthly
        if saving < s.min_monthly_savings_usd:
            continue
        out.append(Recommendation(
            strategy=NAME, target=f"node/{n['node']}",
            action=f"move from {n['instance_type']} ({spec['gpu_model']}) to {best['instance_type']} "
            f"({best['gpu_model']})", monthly_savings_usd=saving,
            confidence="medium" if measured is not None else "low",
            confidence_rule="medium when the GPU memory need was measured (DCGM), low when it is assumed to be "
            "the current GPU's memory; GPU speed differs between models: benchmark before moving",
            evidence={"instance_type": n["instance_type"], "gpus": n["gpus"], "gpu_model": spec["gpu_model"],
                      "gpu_memory_per_gpu_gib": current_per_gpu, "measured_gpu_memory_per_gpu_gib": measured,
                      "needed_gpu_memory_per_gpu_gib": need, "node_usd_per_hour": n["hourly_usd"],
                      "node_hours": n["hours"],
                      "replacement": best["instance_type"], "replacement_gpu_memory_per_gpu_gib":
                      best["gpu_memory_per_gpu_gib"], "replacement_usd_per_hour": best["hourly_usd"],
                      "cpu_requested_cores": n["cpu_requested"], "ram_requested_gib": n["ram_requested_gib"]},
            assumptions={"memory_headroom": s.memory_headroom,
                         "throughput": "the replacement GPU serves the traffic (its speed is not modelled)",
                         "allowed_families": ",".join(s.allowed_families) or "any NVIDIA family"},
            resources=(f"node/{n['node']}",)))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="a cheaper NVIDIA instance family with enough GPU memory per GPU",
    needs=("GPU nodes", "instance specs", "DCGM GPU memory (optional)"), settings=GpuFamilySettings, run=run))
