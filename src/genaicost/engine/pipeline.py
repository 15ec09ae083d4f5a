"""The stages of the pure pipeline shared by the Report and the inference economics.

price (engine.price) -> split (engine.split) = `Priced`; node table, container allocation, volumes and
load balancers, node idle = `Costed` (once per snapshot); then `place_lines` aggregates the costed rows by
any keys and places shared namespaces, idle and overhead (once per aggregation: the report's keys, and
`pod` for the inference economics — the same dollars, grouped differently).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import UNMOUNTED
from genaicost.domain.snapshot import Snapshot
from genaicost.engine.aggregate import OWN_COST_COLUMNS, QUANTITY_SUMS, aggregate, synthetic_line
from genaicost.engine.allocate import Allocated, allocate_containers
from genaicost.engine.attach import Attached, attach
from genaicost.engine.idle import RESOURCES, node_idle, node_table
from genaicost.engine.price import control_plane_hourly, price_nodes, price_services, price_volumes, price_warnings
from genaicost.engine.share import Placed, place_idle, place_overhead, share_namespaces
from genaicost.engine.split import split_node_rates


@dataclass(frozen=True)
class Priced:
    """The snapshot's priced tables (engine.price / engine.split output) and the control-plane fee."""

    nodes: pl.DataFrame
    volumes: pl.DataFrame
    services: pl.DataFrame
    overhead_hourly_usd: float | None = None
    overhead_reason: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Costed:
    """Per-node costs and idle, and the billed container rows with their costs (before aggregation)."""

    nodes: pl.DataFrame  # engine.idle.node_table + node_idle
    alloc: Allocated
    attached: Attached
    idle_usd: dict[str, float]  # cpu_usd, ram_usd, gpu_usd (+ idle_usd: unsplit node cost)
    overhead_usd: float
    overhead_unpriced: bool
    is_eks: bool


def price_snapshot(snapshot: Snapshot, catalog: PriceCatalog, options: ReportOptions) -> Priced:
    nodes = split_node_rates(price_nodes(snapshot.nodes, catalog), catalog, options.split)
    hourly, reason = None, None
    if snapshot.cluster.is_eks:
        support = options.eks_support or snapshot.cluster.eks_support
        hourly, _source, reason = control_plane_hourly(catalog, snapshot.cluster.region, support)
    return Priced(
        nodes=nodes,
        volumes=price_volumes(snapshot.volumes, catalog),
        services=price_services(snapshot.services, catalog),
        overhead_hourly_usd=hourly,
        overhead_reason=reason,
        warnings=price_warnings(nodes, catalog.spot_as_of) + split_warnings(nodes),
    )


def split_warnings(nodes: pl.DataFrame) -> list[str]:
    """One warning per distinct split note (fallbacks, unsplittable nodes), with the node count."""
    if "split_note" not in nodes.columns:
        return []
    notes = (
        nodes.filter(pl.col("split_note").is_not_null())
        .group_by("split_note")
        .agg(pl.len())
        .sort("split_note")
    )
    return [f"{n} node(s): {note}" for note, n in notes.iter_rows()]


def cost_snapshot(snapshot: Snapshot, priced: Priced) -> Costed:
    """Allocation, volumes and load balancers, node idle; the control-plane fee only on EKS clusters."""
    nodes = node_table(priced.nodes)
    alloc = allocate_containers(snapshot.containers, nodes)
    att = attach(alloc.rows, priced.volumes, snapshot.mounts, priced.services, snapshot.service_pods)
    nodes = node_idle(nodes, att.rows)
    idle = {f"{r}_usd": float(nodes.get_column(f"idle_{r}_usd").sum()) for r in RESOURCES}
    unsplit_usd = float(nodes.get_column("unsplit_usd").sum())
    if unsplit_usd:
        idle["idle_usd"] = unsplit_usd
    is_eks = snapshot.cluster.is_eks
    overhead_usd = (priced.overhead_hourly_usd or 0.0) * snapshot.window.hours if is_eks else 0.0
    return Costed(
        nodes=nodes,
        alloc=alloc,
        attached=att,
        idle_usd=idle,
        overhead_usd=overhead_usd,
        overhead_unpriced=is_eks and priced.overhead_reason is not None,
        is_eks=is_eks,
    )


def _shared_rows_summary(rows: pl.DataFrame) -> dict[str, float]:
    sums = rows.select(pl.col(c).sum() for c in (*OWN_COST_COLUMNS, *QUANTITY_SUMS)).row(0, named=True)
    return {k: float(v or 0.0) for k, v in sums.items()}


def _unmounted(placed: Placed, att: Attached) -> None:
    if (
        att.unmounted_storage_usd
        or att.unmounted_network_usd
        or att.unmounted_storage_gib_hours
        or att.unmounted_unpriced
    ):
        values = {
            "storage_usd": att.unmounted_storage_usd,
            "network_usd": att.unmounted_network_usd,
            "storage_gib_hours": att.unmounted_storage_gib_hours,
        }
        line = synthetic_line(placed.lines, UNMOUNTED, values, att.unmounted_unpriced)
        placed.lines = pl.concat([placed.lines, line])


def place_lines(snapshot: Snapshot, costed: Costed, options: ReportOptions, keys: list[str]) -> Placed:
    """Aggregate the costed rows by `keys`; place shared namespaces, `__unmounted__`, idle and overhead."""
    rows = costed.attached.rows
    in_shared = pl.col("namespace").is_in(list(options.shared_namespaces))
    lines = aggregate(
        rows.filter(~in_shared), keys, snapshot.cluster.name, snapshot.pod_labels, snapshot.pod_annotations
    )
    placed = Placed(lines=lines)
    shared_rows = rows.filter(in_shared)
    if shared_rows.height:
        share_namespaces(placed, _shared_rows_summary(shared_rows), options.shared_namespaces)
    _unmounted(placed, costed.attached)
    place_idle(
        placed,
        costed.idle_usd,
        unpriced=bool(costed.nodes.get_column("unpriced").any()),
        include=options.include_idle,
        share=options.share_idle,
    )
    place_overhead(
        placed,
        costed.overhead_usd,
        unpriced=costed.overhead_unpriced,
        share=options.share_overhead,
        applies=costed.is_eks,
    )
    return placed
