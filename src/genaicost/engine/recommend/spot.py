"""`spot-candidates`: stateless workloads on on-demand nodes that could run on spot.

Stateless = controller Deployment (or ReplicaSet), more than one replica, no PersistentVolumeClaim, and
(unless require_pdb=false) a PodDisruptionBudget selecting its pods. Saving per pod = its report cost ×
(1 − spot price of its node's instance type ÷ the node's report price).
"""

from __future__ import annotations

import polars as pl

from genaicost.domain.recommendation import Recommendation
from genaicost.engine.recommend.context import Context
from genaicost.engine.recommend.registry import Outcome, Skip, Strategy, StrategySettings, register
from genaicost.engine.recommend.workloads import costed_rows, pod_labels, selector_matches, workload_nodes

NAME = "spot-candidates"


class SpotSettings(StrategySettings):
    controller_kinds: tuple[str, ...] = ("Deployment", "ReplicaSet")
    min_replicas: int = 2
    require_pdb: bool = True
    exclude_namespaces: tuple[str, ...] = ("kube-system",)
    min_monthly_savings_usd: float = 1.0


def _spot_prices(ctx: Context) -> pl.DataFrame:
    return ctx.catalog.ec2.select("region", "instance_type", "spot_usd_per_hour", "spot_source").unique(
        ["region", "instance_type"], keep="first")


def _pdb_for(ctx: Context, namespace: str, uids: list[str], labels: dict[str, dict[str, str]]) -> str | None:
    pdbs = ctx.snapshot.disruption_budgets.filter(pl.col("namespace") == namespace)
    for name, match in pdbs.select("name", "match_labels").iter_rows():
        if all(selector_matches(match, labels.get(uid, {})) for uid in uids):
            return str(name)
    return None


def run(ctx: Context, s: SpotSettings) -> Outcome:
    if s.require_pdb and not ctx.snapshot.disruption_budgets.height:
        raise Skip("the source gave no PodDisruptionBudgets (kubectl: add poddisruptionbudgets to `kubectl get`; "
                   "live: none listed, or get/list refused; Prometheus has no PDB selectors); set "
                   "spot-candidates.require_pdb=false to go without")
    nodes = ctx.nodes.select("node", "region")
    rows = costed_rows(ctx).join(nodes, on="node", how="left").filter(
        (pl.col("capacity_type") == "on-demand") & pl.col("controller_kind").is_in(list(s.controller_kinds))
        & ~pl.col("namespace").is_in(list(s.exclude_namespaces)) & pl.col("node_hourly_usd").is_not_null())
    claims = ctx.snapshot.mounts.get_column("pod_uid").unique().to_list()
    replicas = costed_rows(ctx).group_by("workload", maintain_order=True).agg(
        pl.col("pod_uid").n_unique().alias("replicas"))
    stateful = costed_rows(ctx).filter(pl.col("pod_uid").is_in(claims)).get_column("workload").unique().to_list()
    rows = rows.join(replicas, on="workload").filter(
        (pl.col("replicas") >= s.min_replicas) & ~pl.col("workload").is_in(stateful))
    rows = rows.join(_spot_prices(ctx), on=["region", "instance_type"], how="left").filter(
        pl.col("spot_usd_per_hour").is_not_null() & (pl.col("spot_usd_per_hour") < pl.col("node_hourly_usd")))
    rows = rows.with_columns(
        (pl.col("compute_usd") * (1.0 - pl.col("spot_usd_per_hour") / pl.col("node_hourly_usd"))).alias("saving"))
    labels = pod_labels(ctx)
    on_nodes = workload_nodes(ctx)
    out = []
    for (workload,), group in rows.group_by(["workload"], maintain_order=True):
        namespace = str(group.get_column("namespace")[0])
        uids = group.get_column("pod_uid").unique().to_list()
        pdb = _pdb_for(ctx, namespace, uids, labels)
        if pdb is None and s.require_pdb:
            continue
        saving = float(group.get_column("saving").sum()) * ctx.to_monthly
        if saving < s.min_monthly_savings_usd:
            continue
        types = group.select("instance_type", "node_hourly_usd", "spot_usd_per_hour", "spot_source").unique()
        first = types.row(0, named=True)
        out.append(Recommendation(
            strategy=NAME, target=str(workload), action="run these pods on spot capacity (a spot node pool / "
            "Karpenter capacity-type spot)", monthly_savings_usd=saving,
            confidence="medium" if pdb else "low",
            confidence_rule="medium: stateless with a PodDisruptionBudget (spot prices move and capacity can be "
            "reclaimed); low without a PodDisruptionBudget",
            evidence={"replicas_on_demand": len(uids), "replicas_total": int(group.get_column("replicas")[0]),
                      "pod_disruption_budget": pdb, "persistent_volume_claims": 0,
                      "instance_type": first["instance_type"], "node_usd_per_hour": first["node_hourly_usd"],
                      "spot_usd_per_hour": first["spot_usd_per_hour"], "spot_price_source": first["spot_source"],
                      "monthly_usd_now": float(group.get_column("compute_usd").sum()) * ctx.to_monthly},
            assumptions={"spot_price": "the catalog's spot price of the same instance type and region",
                         "interruptions": "the workload tolerates 2-minute interruption notices"},
            resources=(f"workload/{workload}#cpu-ram", f"workload/{workload}#gpu", *on_nodes.get(str(workload), ())),
        ))
    return Outcome(out)


STRATEGY = register(Strategy(
    name=NAME, summary="stateless replicated workloads on on-demand nodes, priced at the catalog's spot price",
    needs=("PodDisruptionBudgets", "controllers", "volume mounts", "spot prices"), settings=SpotSettings, run=run))
