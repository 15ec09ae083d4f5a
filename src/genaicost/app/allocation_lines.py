"""Allocation lines (summed rollups) → OpenCost's /allocation sets: `[{name: {...fields}}, ...]`, one per step.

Units: rollups keep GiB-hours; OpenCost speaks bytes (× 2³⁰). Averages over the line's active hours
(`minutes` = from its first to the end of its last hour): cpuCores = cpuCoreHours ÷ hours, etc.
Efficiency (docs/cost-model.md §7): usage ÷ request over the measured members; totalEfficiency weights CPU, RAM
and (DCGM-measured) GPU by their cost. `idleCost` (genaicost extension) is the idle received with shareIdle;
`totalCost` includes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from genaicost.app.api_params import iso, window_json
from genaicost.store.queries import SUM_COLUMNS
from genaicost.store.schema import NULLABLE_COLUMNS

GIB = float(1 << 30)
_NULLABLE = frozenset(NULLABLE_COLUMNS)


def sum_exprs(columns: Iterable[str]) -> list[pl.Expr]:
    """Σ per column; the efficiency inputs stay null when no member has them."""
    return [
        pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c) if c in _NULLABLE
        else pl.col(c).fill_null(0.0).sum().alias(c)
        for c in columns
    ]


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den).when(num > 0).then(1.0).when(num.is_not_null()).then(0.0)


def _fields(lines: pl.DataFrame) -> pl.DataFrame:
    hours = ((pl.col("last_hour") + 3600 - pl.col("first_hour")) / 3600.0)
    cpu_eff = _ratio(pl.col("cpu_usage_core_hours"), pl.col("cpu_measured_request_core_hours"))
    ram_eff = _ratio(pl.col("ram_usage_gib_hours"), pl.col("ram_measured_request_gib_hours"))
    return lines.with_columns(
        hours.alias("_h"), cpu_eff.alias("cpuEfficiency"), ram_eff.alias("ramEfficiency"),
    ).with_columns(_total_efficiency().alias("_te"))


def _total_efficiency() -> pl.Expr:
    """(cpu_usd·cpu_eff + ram_usd·ram_eff + gpu_busy_usd) ÷ (the same costs of the measured parts); null when
    nothing was measured."""
    cpu_known, ram_known = pl.col("cpuEfficiency").is_not_null(), pl.col("ramEfficiency").is_not_null()
    weighted = pl.sum_horizontal(
        pl.when(cpu_known).then(pl.col("cpu_usd") * pl.col("cpuEfficiency")).otherwise(0.0),
        pl.when(ram_known).then(pl.col("ram_usd") * pl.col("ramEfficiency")).otherwise(0.0),
        pl.col("gpu_busy_usd").fill_null(0.0))
    weight = pl.sum_horizontal(
        pl.when(cpu_known).then(pl.col("cpu_usd")).otherwise(0.0),
        pl.when(ram_known).then(pl.col("ram_usd")).otherwise(0.0),
        pl.col("gpu_measured_usd").fill_null(0.0))
    return pl.when(weight > 0).then(weighted / weight)


def _record(row: dict[str, object], props: dict[str, str], step_window: dict[str, str]) -> dict[str, object]:
    def f(name: str) -> float:
        value = row.get(name)
        return float(value) if isinstance(value, int | float) else 0.0

    hours = f("_h") or 1.0
    first, last = int(f("first_hour")), int(f("last_hour"))
    return {
        "name": row["name"], "properties": props, "window": step_window,
        "start": iso(first), "end": iso(last + 3600), "minutes": hours * 60.0,
        "cpuCores": f("cpu_core_hours") / hours,
        "cpuCoreRequestAverage": f("cpu_request_core_hours") / hours,
        "cpuCoreUsageAverage": f("cpu_usage_core_hours") / hours,
        "cpuCoreHours": f("cpu_core_hours"), "cpuCost": f("cpu_usd"), "cpuCostAdjustment": 0.0,
        "cpuEfficiency": f("cpuEfficiency"),
        "gpuCount": f("gpu_hours") / hours, "gpuHours": f("gpu_hours"), "gpuCost": f("gpu_usd"),
        "gpuCostAdjustment": 0.0,
        "networkTransferBytes": 0.0, "networkReceiveBytes": 0.0, "networkCost": 0.0, "networkCostAdjustment": 0.0,
        "loadBalancerCost": f("lb_usd"), "loadBalancerCostAdjustment": 0.0,
        "pvBytes": f("pv_gib_hours") * GIB / hours, "pvByteHours": f("pv_gib_hours") * GIB, "pvCost": f("pv_usd"),
        "pvCostAdjustment": 0.0,
        "ramBytes": f("ram_gib_hours") * GIB / hours,
        "ramByteRequestAverage": f("ram_request_gib_hours") * GIB / hours,
        "ramByteUsageAverage": f("ram_usage_gib_hours") * GIB / hours,
        "ramByteHours": f("ram_gib_hours") * GIB, "ramCost": f("ram_usd"), "ramCostAdjustment": 0.0,
        "ramEfficiency": f("ramEfficiency"),
        "sharedCost": 0.0, "externalCost": 0.0, "overheadCost": f("overhead_usd"), "idleCost": f("idle_cost"),
        "totalCost": f("total_usd") + f("idle_cost"),
        "totalEfficiency": f("_te"),
        "rawAllocationOnly": None,
    }


def opencost_sets(lines: pl.DataFrame, extras: Sequence[pl.DataFrame], *, start_s: int, end_s: int,
                  step_s: int, n_steps: int, aggregate: Sequence[str]) -> list[dict[str, dict[str, object]]]:
    """One dict per step (empty when the store has no hour there), lines by name, then idle / overhead lines."""
    sets: list[dict[str, dict[str, object]]] = [{} for _ in range(n_steps)]
    windows = [window_json(start_s + i * step_s, min(start_s + (i + 1) * step_s, end_s)) for i in range(n_steps)]
    for row in _fields(lines).sort("name").to_dicts():
        step = int(row["step"])
        sets[step][str(row["name"])] = _record(row, {}, windows[step]) | {"properties": _props(row, aggregate)}
    for extra in extras:
        if extra.height == 0:
            continue
        merged = extra.with_columns(pl.lit(0.0).alias("idle_cost")).group_by(["step", "name"]).agg(
            *sum_exprs((*SUM_COLUMNS, "idle_cost")), pl.col("first_hour").min(), pl.col("last_hour").max())
        for row in _fields(merged).sort("name").to_dicts():
            step = int(row["step"])
            sets[step][str(row["name"])] = _record(row, {}, windows[step])
    return sets


def _props(row: dict[str, object], aggregate: Sequence[str]) -> dict[str, object]:
    """OpenCost's properties: {"namespace": "x", ...}; label keys under "labels"."""
    props: dict[str, object] = {}
    labels: dict[str, str] = {}
    for i, key in enumerate(aggregate):
        value = str(row[f"key_{i}"])
        if key.startswith("label:"):
            labels[key.partition(":")[2]] = value
        else:
            props[key] = value
    if labels:
        props["labels"] = labels
    return props
