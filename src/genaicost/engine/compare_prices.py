"""Hourly price of an instance type per purchase option, through `engine.price.price_nodes` (docs/compare.md §3).

on-demand and spot are priced exactly as the report prices a node of that capacity type (overrides, catalog
discounts, the bundled spot estimate); a spot node the catalog has no spot price for is unpriced here (the report's
on-demand upper bound would make spot look free of risk at no saving). Savings plans: the on-demand list price
× (1 − the configured discount); without a configured discount they are unpriced, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from genaicost.domain.compare import PURCHASE_OPTIONS, Assumptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.snapshot import NODE_SCHEMA
from genaicost.engine.price import price_nodes

SP_UNCONFIGURED = "no savings-plan rate configured"


@dataclass(frozen=True)
class PriceChoice:
    purchase_option: str
    hourly_usd: float | None
    price_source: str
    reason: str | None = None


def _nodes(instance_types: list[str], region: str) -> pl.DataFrame:
    rows = []
    for capacity in ("on-demand", "spot"):
        for t in instance_types:
            rows.append({"name": f"{t}/{capacity}", "instance_type": t, "region": region, "capacity_type": capacity,
                         "compute_type": "ec2", "gpu_sharing": "none", "gpu_replicas": 1, "hours": 1.0})
    return pl.DataFrame(rows, schema=NODE_SCHEMA)


def price_types(instance_types: list[str], region: str, assumptions: Assumptions, catalog: PriceCatalog,
                purchase_options: tuple[str, ...] = PURCHASE_OPTIONS) -> dict[str, list[PriceChoice]]:
    """Per instance type, one PriceChoice per purchase option (in `purchase_options` order)."""
    priced = price_nodes(_nodes(instance_types, region), catalog)
    out: dict[str, list[PriceChoice]] = {t: [] for t in instance_types}
    for row in priced.iter_rows(named=True):   # 2 rows per instance type, not per usage sample
        t, capacity = row["instance_type"], row["capacity_type"]
        if capacity == "on-demand":
            if "on-demand" in purchase_options:
                out[t].append(_priced("on-demand", row))
            for option, discount in (("savings-plan-1y", assumptions.savings_plan_1y_discount),
                                     ("savings-plan-3y", assumptions.savings_plan_3y_discount)):
                if option in purchase_options:
                    out[t].append(_savings_plan(option, discount, row, region))
        elif "spot" in purchase_options:
            out[t].append(_spot(row, region))
    order = {p: i for i, p in enumerate(purchase_options)}
    return {t: sorted(v, key=lambda c: order[c.purchase_option]) for t, v in out.items()}


def instance_prices(instance_types: list[str], assumptions: Assumptions, catalog: PriceCatalog
                    ) -> dict[str, list[PriceChoice]]:
    return price_types(instance_types, assumptions.region, assumptions, catalog)


def _priced(option: str, row: dict[str, object]) -> PriceChoice:
    hourly = row["hourly_usd"]
    if hourly is None:
        return PriceChoice(option, None, "unpriced", str(row["unpriced_reason"]))
    return PriceChoice(option, float(hourly), str(row["price_source"]))  # type: ignore[arg-type]


def _spot(row: dict[str, object], region: str) -> PriceChoice:
    if row["price_source"] == "ondemand-upper-bound":
        return PriceChoice("spot", None, "unpriced", f"no spot price for {row['instance_type']} in {region} "
                                                     "in the catalog")
    return _priced("spot", row)


def _savings_plan(option: str, discount: float | None, row: dict[str, object], region: str) -> PriceChoice:
    flag = "--" + option + "-discount"
    if discount is None:
        return PriceChoice(option, None, "unpriced", f"{SP_UNCONFIGURED} (we bundle no sourced Savings Plans "
                                                     f"rates); give {flag} FRACTION")
    listed = row["ondemand_usd_per_hour"]
    if listed is None:
        return PriceChoice(option, None, "unpriced", f"no on-demand price for {row['instance_type']} in {region}")
    return PriceChoice(option, float(listed) * (1.0 - discount),  # type: ignore[arg-type]
                       f"on-demand list × (1 − {discount:g}) ({flag})")
