"""Shared namespaces, idle and overhead: spread or kept as their own lines (docs/cost-model.md section 4).

Every spread is proportional to each workload line's own cost (cpu + ram + gpu + storage + network,
before anything is spread); synthetic lines (`__idle__`, `__unmounted__`, `__overhead__`, `__shared__`)
never receive. When the workload lines' own costs add up to less than $1e-12 there is nothing to spread over:
the amount stays on its own line and a warning says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from genaicost.domain.report import IDLE, OVERHEAD, SHARED
from genaicost.engine.aggregate import OWN_COST_COLUMNS, own_cost, synthetic_line


@dataclass
class Placed:
    """Lines after sharing, plus what stays outside allocations[] (report.idle / report.overhead)."""

    lines: pl.DataFrame
    idle_outside: dict[str, float] = field(default_factory=dict)  # cpu_usd, ram_usd, gpu_usd
    overhead_outside_usd: float = 0.0
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# Below this Σ own cost there is nothing to spread over (also keeps float division away from subnormals).
MIN_WEIGHT_USD = 1e-12


def spread(lines: pl.DataFrame, amount_usd: float, into: str) -> tuple[pl.DataFrame, bool]:
    """Add amount × own_i ÷ Σ own to column `into` of each workload line; False when impossible."""
    if amount_usd == 0.0:
        return lines, True
    receivers = ~pl.col("synthetic")
    weight_usd = float(lines.filter(receivers).select(own_cost().sum()).item() or 0.0)
    if weight_usd < MIN_WEIGHT_USD:
        return lines, False
    # own ÷ Σ own first: a fraction ≤ 1, so a tiny (even subnormal) Σ own cannot overflow amount ÷ Σ own
    share = pl.when(receivers).then(own_cost() / weight_usd * amount_usd).otherwise(0.0)
    return lines.with_columns((pl.col(into) + share).alias(into)), True


def share_namespaces(placed: Placed, shared: Mapping[str, float], namespaces: Sequence[str]) -> None:
    """Spread the cost of the shared namespaces' rows (`shared`: own-cost columns and quantities)."""
    amount = sum(shared.get(c, 0.0) for c in OWN_COST_COLUMNS)
    names = ", ".join(namespaces)
    placed.lines, done = spread(placed.lines, amount, "shared_usd")
    if done:
        placed.notes.append(
            f"{SHARED}: ${amount:.2f} of shared namespace(s) {names} spread over the other "
            "allocations in proportion to their cost (shared_usd)"
        )
        return
    placed.lines = pl.concat([placed.lines, synthetic_line(placed.lines, SHARED, shared)])
    placed.warnings.append(
        f"shared namespace(s) {names}: no other allocation with a cost to spread "
        f"${amount:.2f} over; kept as the {SHARED} line"
    )


def place_idle(
    placed: Placed, idle_usd: Mapping[str, float], *, unpriced: bool, include: bool, share: bool
) -> None:
    """Spread idle (share), show it as the `__idle__` line (include), or keep it in report.idle."""
    amount = sum(idle_usd.values())
    if share:
        placed.lines, done = spread(placed.lines, amount, "idle_usd")
        if done:
            return
        kept = f"kept as the {IDLE} line" if include else "kept in the report's idle"
        placed.warnings.append(
            f"share idle: no allocation with a cost to spread ${amount:.2f} of idle over; {kept}"
        )
    if include:
        placed.lines = pl.concat([placed.lines, synthetic_line(placed.lines, IDLE, idle_usd, unpriced)])
    else:
        placed.idle_outside = dict(idle_usd)


def place_overhead(
    placed: Placed, overhead_usd: float, *, unpriced: bool, share: bool, applies: bool
) -> None:
    """Spread the control-plane fee (share) or show it as the `__overhead__` line (EKS clusters)."""
    if not applies:
        return
    if share:
        placed.lines, done = spread(placed.lines, overhead_usd, "overhead_usd")
        if done and not unpriced:
            return
        if not done:
            placed.warnings.append(
                f"share overhead: no allocation with a cost to spread ${overhead_usd:.2f} "
                f"over; kept as the {OVERHEAD} line"
            )
    placed.lines = pl.concat(
        [placed.lines, synthetic_line(placed.lines, OVERHEAD, {"overhead_usd": overhead_usd}, unpriced)]
    )
