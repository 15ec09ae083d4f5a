"""compute_report: the whole pure pipeline, Snapshot + PriceCatalog + ReportOptions -> Report.

price (engine.price) -> split (engine.split) -> node table and allocation (idle, allocate) -> volumes and
load balancers (attach) -> aggregation (aggregate) -> shared namespaces, idle, overhead (share) -> Report.
The arithmetic is in docs/cost-model.md sections 3–6; the invariant
Σ allocations.total_usd + idle.total_usd + overhead.total_usd = totals.total_usd holds for every option.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import polars as pl

from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import UNMOUNTED, PricingInfo, Report, WindowOut
from genaicost.domain.snapshot import Snapshot
from genaicost.engine import report_build as build
from genaicost.engine.aggregate import (
    OWN_COST_COLUMNS,
    QUANTITY_SUMS,
    aggregate,
    parse_aggregate,
    synthetic_line,
)
from genaicost.engine.allocate import allocate_containers
from genaicost.engine.attach import Attached, attach
from genaicost.engine.idle import RESOURCES, node_idle, node_table
from genaicost.engine.price import (
    control_plane_hourly,
    price_nodes,
    price_services,
    price_volumes,
    price_warnings,
)
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


def compute_report(
    snapshot: Snapshot, catalog: PriceCatalog, options: ReportOptions, *, generated_at: datetime
) -> Report:
    """Price the snapshot with the catalog and build the Report for the options."""
    pricing = PricingInfo(catalog_as_of=catalog.as_of, split=options.split, sources=dict(catalog.sources))
    return report_from_priced(
        snapshot,
        price_snapshot(snapshot, catalog, options),
        options,
        pricing=pricing,
        generated_at=generated_at,
    )


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


def _place(snapshot: Snapshot, rows: pl.DataFrame, options: ReportOptions, keys: list[str]) -> Placed:
    """Aggregate the workload rows and set the shared namespaces' cost aside."""
    in_shared = pl.col("namespace").is_in(list(options.shared_namespaces))
    lines = aggregate(
        rows.filter(~in_shared), keys, snapshot.cluster.name, snapshot.pod_labels, snapshot.pod_annotations
    )
    placed = Placed(lines=lines)
    shared_rows = rows.filter(in_shared)
    if shared_rows.height:
        share_namespaces(placed, _shared_rows_summary(shared_rows), options.shared_namespaces)
    return placed


def report_from_priced(
    snapshot: Snapshot,
    priced: Priced,
    options: ReportOptions,
    *,
    pricing: PricingInfo,
    generated_at: datetime,
) -> Report:
    """Allocation, idle, overhead, sharing and aggregation over already priced tables.

    The control-plane fee in `priced` only applies to EKS clusters (`snapshot.cluster.is_eks`)."""
    if not snapshot.cluster.is_eks:
        priced = replace(priced, overhead_hourly_usd=None, overhead_reason=None)
    keys = parse_aggregate(options.aggregate)
    window_hours = snapshot.window.hours
    nodes = node_table(priced.nodes)
    alloc = allocate_containers(snapshot.containers, nodes)
    att = attach(alloc.rows, priced.volumes, snapshot.mounts, priced.services, snapshot.service_pods)
    nodes = node_idle(nodes, att.rows)
    placed = _place(snapshot, att.rows, options, keys)
    shared_usd = float(placed.lines.get_column("shared_usd").sum())
    _unmounted(placed, att)
    idle = {f"{r}_usd": float(nodes.get_column(f"idle_{r}_usd").sum()) for r in RESOURCES}
    unsplit_usd = float(nodes.get_column("unsplit_usd").sum())
    if unsplit_usd:
        idle["idle_usd"] = unsplit_usd
    place_idle(
        placed,
        idle,
        unpriced=bool(nodes.get_column("unpriced").any()),
        include=options.include_idle,
        share=options.share_idle,
    )
    overhead_usd = (priced.overhead_hourly_usd or 0.0) * window_hours
    place_overhead(
        placed,
        overhead_usd,
        unpriced=priced.overhead_reason is not None,
        share=options.share_overhead,
        applies=snapshot.cluster.is_eks,
    )
    lines = build.finish_lines(placed.lines, window_hours)
    storage_usd = _hourly_total(priced.volumes)
    network_usd = _hourly_total(priced.services)
    return Report(
        generated_at=generated_at,
        cluster=snapshot.cluster.name,
        source=snapshot.cluster.source,
        window=WindowOut(start=snapshot.window.start, end=snapshot.window.end, hours=window_hours),
        prices_as_of=pricing.catalog_as_of,
        aggregate=keys,
        options=_options_dict(options),
        totals=build.totals(
            nodes, storage_usd, network_usd, overhead_usd, sum(idle.values()), shared_usd, window_hours
        ),
        nodes=build.node_costs(nodes),
        allocations=build.allocations(lines, keys),
        idle=build.breakdown(placed.idle_outside),
        overhead=build.breakdown(
            {"overhead_usd": placed.overhead_outside_usd} if placed.overhead_outside_usd else {}
        ),
        unpriced=build.unpriced_items(priced.nodes, priced.volumes, priced.services, priced.overhead_reason),
        warnings=[
            *snapshot.warnings,
            *priced.warnings,
            *alloc.warnings,
            *placed.warnings,
            *_unpriced_warnings(priced, unsplit_usd),
        ],
        notes=[*snapshot.notes, *build.not_billed_note(alloc.not_billed), *placed.notes],
        pricing=pricing,
    )


def _hourly_total(frame: pl.DataFrame) -> float:
    return float(
        frame.select((pl.col("hourly_usd").fill_null(0.0) * pl.col("hours").fill_null(0.0)).sum()).item()
    )


def _unpriced_warnings(priced: Priced, unsplit_usd: float) -> list[str]:
    out = []
    for kind, frame in (("volume", priced.volumes), ("load balancer", priced.services)):
        n = int(frame.get_column("hourly_usd").is_null().sum())
        if n:
            out.append(f"{n} {kind}(s) unpriced (left out of the totals)")
    if priced.overhead_reason is not None:
        out.append(f"EKS control plane unpriced: {priced.overhead_reason}")
    if unsplit_usd:
        out.append(
            f"${unsplit_usd:.2f} of node cost could not be split by resource (nodes without capacity): "
            "counted as idle"
        )
    return out


def _options_dict(options: ReportOptions) -> dict[str, str | bool | float | list[str] | None]:
    out: dict[str, str | bool | float | list[str] | None] = {}
    for name, value in options.model_dump().items():
        out[name] = list(value) if isinstance(value, tuple | list) else value
    return out


__all__ = ["Priced", "compute_report", "price_snapshot", "report_from_priced"]
