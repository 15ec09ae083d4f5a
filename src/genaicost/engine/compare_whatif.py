"""What-if: re-price the cluster's GPU nodes on another instance family / purchase option (docs/compare.md §6).

For each GPU node of the measured report: the cheapest type of the target family with at least the node's GPU
count and GPU memory (from the catalog's instance specs), priced at the target purchase option with the same
catalog and price functions as the report. Monthly = hourly × hours_per_month × (node hours ÷ window hours), the
node's run rate over the measured window. Pure.
"""

from __future__ import annotations

import polars as pl
from pydantic import BaseModel, ConfigDict

from genaicost.domain.compare import PURCHASE_OPTIONS, Assumptions
from genaicost.domain.errors import InputError
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import NodeCost, Report
from genaicost.engine.compare_prices import price_types


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WhatIfNode(_Model):
    node: str
    instance_type: str | None
    capacity_type: str
    gpu_count: float
    gpu_memory_gib: float | None
    occupancy: float                  # node hours ÷ window hours
    current_hourly_usd: float | None
    current_monthly_usd: float | None
    target_instance_type: str | None
    target_purchase_option: str
    target_hourly_usd: float | None
    target_monthly_usd: float | None
    target_price_source: str | None
    monthly_savings_usd: float | None
    reason: str | None = None         # why the node cannot be re-priced


class WhatIfResult(_Model):
    cluster: str
    window_hours: float
    instance_family: str
    purchase_option: str
    nodes: list[WhatIfNode]
    current_monthly_usd: float        # nodes that could be re-priced only
    target_monthly_usd: float
    monthly_savings_usd: float
    assumptions: Assumptions
    prices_as_of: str
    warnings: list[str] = []


def what_if(report: Report, catalog: PriceCatalog, *, instance_family: str, purchase_option: str,
            assumptions: Assumptions) -> WhatIfResult:
    family = instance_family.strip().lower()
    if purchase_option not in PURCHASE_OPTIONS:
        raise InputError(f"unknown purchase option {purchase_option!r}; expected {', '.join(PURCHASE_OPTIONS)}",
                         field="--purchase-option")
    family_specs = _family(catalog, family)
    gpu_nodes = [n for n in report.nodes if n.gpu_count > 0]
    rows = [_node(n, report.window.hours, family_specs, catalog, purchase_option, assumptions) for n in gpu_nodes]
    done = [r for r in rows if r.monthly_savings_usd is not None]
    current = sum(r.current_monthly_usd or 0.0 for r in done)
    target = sum(r.target_monthly_usd or 0.0 for r in done)
    warnings = [] if gpu_nodes else ["the source has no GPU nodes: nothing to re-price"]
    if len(done) < len(rows):
        warnings.append(f"{len(rows) - len(done)} GPU node(s) could not be re-priced (see reason); totals leave "
                        "them out")
    return WhatIfResult(cluster=report.cluster, window_hours=report.window.hours, instance_family=family,
                        purchase_option=purchase_option, nodes=rows, current_monthly_usd=current,
                        target_monthly_usd=target, monthly_savings_usd=current - target, assumptions=assumptions,
                        prices_as_of=catalog.as_of.isoformat(), warnings=warnings)


def _family(catalog: PriceCatalog, family: str) -> pl.DataFrame:
    specs = catalog.specs.filter((pl.col("instance_type").str.split(".").list.first() == family)
                                 & (pl.col("gpu_count") >= 1))
    if specs.is_empty():
        known = sorted(set(catalog.specs.filter(pl.col("gpu_count") >= 1).get_column("instance_type")
                           .str.split(".").list.first().to_list()))
        raise InputError(f"no GPU/accelerator instance family {family!r} in the catalog; expected one of "
                         f"{', '.join(known)}", field="--instance-family")
    return specs


def _spec_memory(catalog: PriceCatalog, instance_type: str | None) -> float | None:
    if instance_type is None:
        return None
    found = catalog.specs.filter(pl.col("instance_type") == instance_type).get_column("gpu_memory_gib")
    return None if found.is_empty() or found[0] is None else float(found[0])


def _node(node: NodeCost, window_hours: float, family_specs: pl.DataFrame, catalog: PriceCatalog,
          purchase_option: str, assumptions: Assumptions) -> WhatIfNode:
    occupancy = node.hours / window_hours if window_hours > 0 else 0.0
    memory = _spec_memory(catalog, node.instance_type)
    current = None if node.hourly_usd is None else node.hourly_usd * assumptions.hours_per_month * occupancy
    out = WhatIfNode(node=node.name, instance_type=node.instance_type, capacity_type=node.capacity_type,
                     gpu_count=node.gpu_count, gpu_memory_gib=memory, occupancy=occupancy,
                     current_hourly_usd=node.hourly_usd, current_monthly_usd=current,
                     target_instance_type=None, target_purchase_option=purchase_option, target_hourly_usd=None,
                     target_monthly_usd=None, target_price_source=None, monthly_savings_usd=None)
    reason = _blocker(node, memory)
    if reason is not None or current is None or memory is None:
        return out.model_copy(update={"reason": reason})
    fits = family_specs.filter((pl.col("gpu_count") >= node.gpu_count) & (pl.col("gpu_memory_gib") >= memory))
    choice = _cheapest(fits.get_column("instance_type").to_list(), node.region or "", catalog, purchase_option,
                       assumptions)
    if isinstance(choice, str):
        return out.model_copy(update={"reason": choice})
    t, hourly, source = choice
    monthly = hourly * assumptions.hours_per_month * occupancy
    return out.model_copy(update={"target_instance_type": t, "target_hourly_usd": hourly,
                                  "target_monthly_usd": monthly, "target_price_source": source,
                                  "monthly_savings_usd": current - monthly})


def _blocker(node: NodeCost, memory: float | None) -> str | None:
    if node.hourly_usd is None:
        return "the node is unpriced in the report"
    if node.region is None:
        return "the node has no region label"
    if memory is None:
        return f"no GPU memory for {node.instance_type} in the catalog's instance specs"
    return None


def _cheapest(types: list[str], region: str, catalog: PriceCatalog, purchase_option: str,
              assumptions: Assumptions) -> tuple[str, float, str] | str:
    if not types:
        return "no type in the family has at least the node's GPU count and GPU memory"
    prices = price_types(types, region, assumptions, catalog, (purchase_option,))
    priced = [(c.hourly_usd, t, c.price_source) for t, cs in prices.items() for c in cs if c.hourly_usd is not None]
    if not priced:
        reasons = sorted({c.reason or "" for cs in prices.values() for c in cs})
        return f"no {purchase_option} price in {region} for {', '.join(sorted(types))}: {'; '.join(reasons)}"
    hourly, t, source = min(priced)
    return t, hourly, source
