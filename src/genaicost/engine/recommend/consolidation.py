"""`node-consolidation`: bin-pack the current requests onto fewer nodes of the same pool.

Per pool (Karpenter node pool / EKS node group, else the instance family), first-fit-decreasing: nodes are
tried for draining from the least requested; a node drains when every pod on it that is not a DaemonSet fits,
largest first (CPU, then memory), on the first remaining node of the pool with room under `max_fill` of its
capacity (vCPU, memory, whole GPUs; pods with a volume claim stay in their zone; MIG / time-sliced GPU pods
do not move). Each drained node saves its report price × 730.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.recommend.candidates import cheapest_fitting, type_specs
from genaicost.engine.recommend.context import Context
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register

NAME = "node-consolidation"
EPS = 1e-9


class ConsolidationSettings(StrategySettings):
    max_fill: float = 0.9
    min_nodes: int = 1
    downsize: bool = True                  # also replace remaining nodes by the cheapest type that fits them
    allowed_families: tuple[str, ...] = () # for downsizing; empty: the families the pool already uses
    exclude_pools: tuple[str, ...] = ()
    min_monthly_savings_usd: float = 1.0


@dataclass
class Pod:
    uid: str
    need: list[float]                      # vCPU, GiB, GPUs requested (mean over the node's hours)
    zonal: bool                            # mounts a volume claim: stays in its zone
    kind: str                              # "move" | "daemon" (goes with the node) | "stuck" (shared GPU)


@dataclass
class Bin:
    node: str
    zone: str | None
    hourly_usd: float
    monthly_usd: float                     # the node's window cost at the window's run-rate (price × 730 if it ran
                                           # the whole window)
    free: list[float]                      # vCPU, GiB, GPUs left under max_fill
    pods: list[Pod] = field(default_factory=list)
    capacity: list[float] = field(default_factory=list)  # vCPU, GiB, GPUs (whole node)
    instance_type: str | None = None
    region: str | None = None
    capacity_type: str | None = None
    hours: float = 0.0

    def used(self, max_fill: float) -> list[float]:
        """vCPU, GiB, GPUs requested on the node now (after any pods moved onto it)."""
        fill = [max_fill, max_fill, 1.0]
        return [c * f - free for c, f, free in zip(self.capacity, fill, self.free, strict=True)]


def _pods(ctx: Context, nodes: pl.DataFrame) -> dict[str, list[Pod]]:
    rows = ctx.rows.join(nodes.select("node", "hours", "gpu_sharing"), on="node", how="inner")
    claims = set(ctx.snapshot.mounts.get_column("pod_uid").to_list())
    pods = rows.group_by("node", "pod_uid", maintain_order=True).agg(
        (pl.col("cpu_request_core_hours").sum() / pl.col("hours").first()).alias("cpu"),
        (pl.col("ram_request_gib_hours").sum() / pl.col("hours").first()).alias("ram"),
        (pl.col("gpu_hours").sum() / pl.col("hours").first()).alias("gpu"),
        (pl.col("controller_kind").fill_null("").first() == "DaemonSet").alias("daemon"),
        pl.col("gpu_sharing").first())
    per_node: dict[str, list[Pod]] = {}
    for p in pods.iter_rows(named=True):
        shared_gpu = p["gpu"] > 0 and (p["gpu_sharing"] or "none") != "none"
        kind = "daemon" if p["daemon"] else "stuck" if shared_gpu else "move"
        per_node.setdefault(p["node"], []).append(
            Pod(p["pod_uid"], [p["cpu"], p["ram"], p["gpu"]], p["pod_uid"] in claims, kind))
    return per_node


def _bins(ctx: Context, s: ConsolidationSettings) -> dict[str, list[Bin]]:
    nodes = ctx.nodes.filter(~pl.col("unpriced") & (pl.col("hours") > 0)
                             & (pl.col("capacity_type").fill_null("") != "fargate"))
    per_node = _pods(ctx, nodes)
    pools: dict[str, list[Bin]] = {}
    for n in nodes.iter_rows(named=True):
        pool = n["nodepool"] or (n["instance_type"] or "?").split(".")[0]
        if pool in s.exclude_pools:
            continue
        gpus = n["gpu_capacity_hours"] / n["hours"]
        cap = [n["vcpu"] or 0.0, n["ram_gib"] or 0.0, gpus]
        b = Bin(n["node"], n["zone"], n["hourly_usd"], n["total_usd"] * ctx.to_monthly,
                [cap[0] * s.max_fill, cap[1] * s.max_fill, gpus], per_node.get(n["node"], []), cap,
                n["instance_type"], n["region"], n["capacity_type"], n["hours"])
        for pod in b.pods:
            b.free = [f - x for f, x in zip(b.free, pod.need, strict=True)]
        pools.setdefault(pool, []).append(b)
    return pools


def _fits(need: list[float], free: list[float]) -> bool:
    return all(x <= f + EPS for x, f in zip(need, free, strict=True))


def _try_drain(victim: Bin, targets: list[Bin]) -> dict[str, str] | None:
    """Place the victim's pods first-fit-decreasing on the targets' free capacity; commit only if all fit."""
    if any(p.kind == "stuck" for p in victim.pods):
        return None
    free = {t.node: list(t.free) for t in targets}
    plan: dict[str, str] = {}
    moving = sorted((p for p in victim.pods if p.kind == "move"),
                    key=lambda p: (-p.need[2], -p.need[0], -p.need[1], p.uid))
    for pod in moving:
        spot = next((t for t in targets if (not pod.zonal or t.zone == victim.zone) and _fits(pod.need, free[t.node])),
                    None)
        if spot is None:
            return None
        free[spot.node] = [f - x for f, x in zip(free[spot.node], pod.need, strict=True)]
        plan[pod.uid] = spot.node
    for t in targets:
        t.free = free[t.node]
    return plan


def _requested(b: Bin) -> float:
    return sum(p.need[0] for p in b.pods if p.kind != "daemon")


def consolidate(bins: list[Bin], min_nodes: int) -> list[tuple[Bin, dict[str, str]]]:
    """Drain nodes, least requested first (ties: the dearer node first), while the pool keeps min_nodes."""
    alive = list(bins)
    drained: list[tuple[Bin, dict[str, str]]] = []
    for victim in sorted(bins, key=lambda b: (_requested(b), -b.hourly_usd, b.node)):
        if len(alive) <= min_nodes:
            break
        targets = sorted((b for b in alive if b is not victim), key=lambda b: (sum(b.free[:2]), b.node))
        plan = _try_drain(victim, targets)
        if plan is not None:
            alive.remove(victim)
            drained.append((victim, plan))
    return drained


@dataclass(frozen=True)
class Downsized:
    node: str
    instance_type: str
    usd_per_hour: float
    replacement: str
    replacement_usd_per_hour: float
    monthly_saving_usd: float


def downsize(ctx: Context, alive: list[Bin], s: ConsolidationSettings) -> list[Downsized]:
    """Each remaining node → the cheapest type of the allowed families whose capacity × max_fill holds what is
    requested on it (whole GPUs of the same model); saving = price difference × the node's hours, run-rate."""
    families = s.allowed_families or tuple(sorted({(b.instance_type or "").split(".")[0] for b in alive}))
    out = []
    for b in alive:
        spec = type_specs(ctx.catalog, b.instance_type)
        if spec is None or b.region is None:
            continue
        cpu, ram, gpus = b.used(s.max_fill)
        types = ctx.types(b.region, b.capacity_type or "on-demand")
        best = cheapest_fitting(types, vcpu=cpu / s.max_fill, memory_gib=ram / s.max_fill, gpus=gpus,
                                gpu_model=spec["gpu_model"] if gpus > 0 else None, families=families,
                                below_usd_per_hour=b.hourly_usd - 1e-9, exclude=b.instance_type)
        if best is None or (gpus == 0 and float(best["gpu_count"]) > 0):
            continue
        saving = (b.hourly_usd - float(best["hourly_usd"])) * b.hours * ctx.to_monthly
        out.append(Downsized(b.node, str(b.instance_type), b.hourly_usd, str(best["instance_type"]),
                             float(best["hourly_usd"]), saving))
    return out


def run(ctx: Context, s: ConsolidationSettings) -> Outcome:
    pools = _bins(ctx, s)
    if not pools:
        raise Skip("no priced EC2 nodes in the snapshot")
    out = []
    for pool, bins in sorted(pools.items()):
        drained = consolidate(bins, max(1, s.min_nodes))
        gone = {id(b) for b, _ in drained}
        smaller = downsize(ctx, [b for b in bins if id(b) not in gone], s) if s.downsize else []
        saving = sum(b.monthly_usd for b, _ in drained) + sum(d.monthly_saving_usd for d in smaller)
        if not (drained or smaller) or saving < s.min_monthly_savings_usd:
            continue
        moved = sum(len(plan) for _, plan in drained)
        steps = [f"drain and remove {len(drained)} of {len(bins)} node(s): " + ", ".join(b.node for b, _ in drained)]
        steps += [f"replace {d.node} ({d.instance_type}) with {d.replacement}" for d in smaller]
        out.append(Recommendation(
            strategy=NAME, target=f"pool/{pool}",
            action="; ".join(steps[0 if drained else 1:]),
            monthly_savings_usd=saving, confidence="medium" if ctx.snapshot.window.hours >= 24 else "low",
            confidence_rule="medium when the requests come from ≥ 1 day of history, low for an instant snapshot "
            "(requests change); never high: taints, affinities and topology spread are not checked",
            evidence={"nodes_before": len(bins), "nodes_after": len(bins) - len(drained),
                      "drained_nodes": ", ".join(b.node for b, _ in drained), "pods_moved": moved,
                      "drained_usd_per_hour": sum(b.hourly_usd for b, _ in drained),
                      "requested_vcpu_on_drained": sum(_requested(b) for b, _ in drained),
                      **({"downsized_nodes": ", ".join(f"{d.node} {d.instance_type} ${d.usd_per_hour:.4f}/h → "
                                                       f"{d.replacement} ${d.replacement_usd_per_hour:.4f}/h"
                                                       for d in smaller)} if smaller else {})},
            assumptions={"max_fill": s.max_fill, "algorithm": "first-fit-decreasing (GPUs, then vCPU, then memory)",
                         "downsize_families": ",".join(s.allowed_families) or "the pool's own families",
                         "not_checked": "taints, node affinity, topology spread, PodDisruptionBudgets"},
            resources=tuple(f"node/{b.node}" for b in bins)))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="bin-pack the current requests onto fewer nodes of the same pool (first-fit-decreasing)",
    needs=("node capacities", "pod requests"), settings=ConsolidationSettings, run=run))
