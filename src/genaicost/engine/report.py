"""compute_report: the whole pure pipeline, Snapshot + PriceCatalog + ReportOptions -> Report.

price (engine.price) -> split (engine.split) -> node table and allocation (idle, allocate) -> volumes and
load balancers (attach) -> aggregation (aggregate) -> shared namespaces, idle, overhead (share) ->
efficiency (efficiency) -> Report; with serving metrics also the per-model economics (inference), from the
same costed rows aggregated by pod. The stages are in engine.pipeline. The arithmetic is in
docs/cost-model.md sections 3–8; the invariant
Σ allocations.total_usd + idle.total_usd + overhead.total_usd = totals.total_usd holds for every option.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import InferenceLine, PricingInfo, Report, WindowOut
from genaicost.domain.snapshot import Snapshot
from genaicost.engine import report_build as build
from genaicost.engine.aggregate import parse_aggregate
from genaicost.engine.efficiency import add_efficiency, node_gpu_utilization
from genaicost.engine.inference import DEFAULT_IO_COST_RATIO, DEFAULT_MODEL_LABEL, inference_from_costed
from genaicost.engine.pipeline import Costed, Priced, cost_snapshot, place_lines, price_snapshot, split_warnings


def compute_report(
    snapshot: Snapshot,
    catalog: PriceCatalog,
    options: ReportOptions,
    *,
    generated_at: datetime,
    model_label: str = DEFAULT_MODEL_LABEL,
    io_cost_ratio: float = DEFAULT_IO_COST_RATIO,
) -> Report:
    """Price the snapshot with the catalog and build the Report for the options.

    `model_label` and `io_cost_ratio` apply to `Report.inference` (engine.inference), computed when the
    snapshot has serving-engine metrics (`snapshot.model_usage`)."""
    pricing = PricingInfo(catalog_as_of=catalog.as_of, split=options.split, sources=dict(catalog.sources))
    return report_from_priced(
        snapshot,
        price_snapshot(snapshot, catalog, options),
        options,
        pricing=pricing,
        generated_at=generated_at,
        model_label=model_label,
        io_cost_ratio=io_cost_ratio,
    )


def report_from_priced(
    snapshot: Snapshot,
    priced: Priced,
    options: ReportOptions,
    *,
    pricing: PricingInfo,
    generated_at: datetime,
    model_label: str = DEFAULT_MODEL_LABEL,
    io_cost_ratio: float = DEFAULT_IO_COST_RATIO,
) -> Report:
    """Allocation, idle, overhead, sharing, aggregation and efficiency over already priced tables, and the
    inference economics when the snapshot has serving metrics.

    The control-plane fee in `priced` only applies to EKS clusters (`snapshot.cluster.is_eks`)."""
    keys = parse_aggregate(options.aggregate)
    window_hours = snapshot.window.hours
    costed = cost_snapshot(snapshot, priced)
    placed = place_lines(snapshot, costed, options, keys)
    shared_usd = float(placed.lines.get_column("shared_usd").sum())
    lines = build.finish_lines(add_efficiency(placed.lines), window_hours)
    inference: list[InferenceLine] = []
    inference_warnings: list[str] = []
    if snapshot.model_usage.height:
        inference, inference_warnings = inference_from_costed(
            snapshot, costed, options, model_label=model_label, io_cost_ratio=io_cost_ratio
        )
    nodes = costed.nodes.join(node_gpu_utilization(priced.nodes), on="node", how="left")
    return Report(
        generated_at=generated_at,
        cluster=snapshot.cluster.name,
        source=snapshot.cluster.source,
        window=WindowOut(start=snapshot.window.start, end=snapshot.window.end, hours=window_hours),
        prices_as_of=pricing.catalog_as_of,
        aggregate=keys,
        options=_options_dict(options),
        totals=build.totals(
            nodes,
            _hourly_total(priced.volumes),
            _hourly_total(priced.services),
            costed.overhead_usd,
            sum(costed.idle_usd.values()),
            shared_usd,
            window_hours,
        ),
        nodes=build.node_costs(nodes),
        allocations=build.allocations(lines, keys),
        idle=build.breakdown(placed.idle_outside),
        overhead=build.breakdown(
            {"overhead_usd": placed.overhead_outside_usd} if placed.overhead_outside_usd else {}
        ),
        unpriced=build.unpriced_items(
            priced.nodes, priced.volumes, priced.services, _overhead_reason(priced, costed)
        ),
        warnings=[
            *snapshot.warnings,
            *priced.warnings,
            *costed.alloc.warnings,
            *placed.warnings,
            *_unpriced_warnings(priced, costed),
            *inference_warnings,
        ],
        notes=[*snapshot.notes, *build.not_billed_note(costed.alloc.not_billed), *placed.notes],
        pricing=pricing,
        partial=snapshot.partial,
        inference=inference,
        volumes=build.volume_costs(priced.volumes),
    )


def _overhead_reason(priced: Priced, costed: Costed) -> str | None:
    return priced.overhead_reason if costed.is_eks else None


def _hourly_total(frame: pl.DataFrame) -> float:
    return float(
        frame.select((pl.col("hourly_usd").fill_null(0.0) * pl.col("hours").fill_null(0.0)).sum()).item()
    )


def _unpriced_warnings(priced: Priced, costed: Costed) -> list[str]:
    unsplit_usd = costed.idle_usd.get("idle_usd", 0.0)
    out = []
    for kind, frame in (("volume", priced.volumes), ("load balancer", priced.services)):
        n = int(frame.get_column("hourly_usd").is_null().sum())
        if n:
            out.append(f"{n} {kind}(s) unpriced (left out of the totals)")
    reason = _overhead_reason(priced, costed)
    if reason is not None:
        out.append(f"EKS control plane unpriced: {reason}")
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


__all__ = ["Priced", "compute_report", "price_snapshot", "report_from_priced", "split_warnings"]
