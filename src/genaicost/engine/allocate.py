"""Container allocation (docs/cost-model.md section 3).

Which containers are billed, how many CPU cores / GiB / physical GPUs each holds, the clamp to node
capacity, and the cost at the node's unit rates. One output row per billable container row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from genaicost.engine.idle import CAPACITY_HOURS, QUANTITY_COLUMN, RATE_COLUMN, RESOURCES

BYTES_PER_GIB = float(2**30)
FINISHED_PHASES = ("Succeeded", "Failed")
# a MIG profile "3g.20gb" holds 3 compute slices of the card
_MIG_SLICES = r"^(\d+)g\."

ROW_KEYS = ("pod_uid", "namespace", "pod", "container", "node", "controller_kind", "controller")

_NODE_COLUMNS = (
    "node",
    "unpriced",
    "gpu_sharing",
    "gpu_replicas",
    "mig_slices_per_gpu",
    "neuron_cores_per_device",
    *RATE_COLUMN.values(),
)


@dataclass(frozen=True)
class Allocated:
    rows: pl.DataFrame  # one row per billable container row, with quantities and costs
    not_billed: pl.DataFrame  # reason -> containers (count of container rows not billed)
    warnings: list[str]


def not_billed_reason(node_names: pl.Series) -> pl.Expr:
    """Null for a billable container row, else why it costs nothing."""
    return (
        pl.when(pl.col("phase").is_in(list(FINISHED_PHASES)))
        .then(pl.lit("finished (Succeeded/Failed)"))
        .when(~pl.col("started").fill_null(False))
        .then(pl.lit("not started"))
        .when(pl.col("node").is_null())
        .then(pl.lit("not scheduled"))
        .when(~pl.col("node").is_in(node_names.implode()))
        .then(pl.lit("on a node not in the snapshot"))
        .otherwise(None)
    )


def _gpu_units() -> pl.Expr:
    """Physical accelerators held: whole/time-sliced GPUs + Neuron cores + MIG slices, as fractions."""
    replicas = (
        pl.when(pl.col("gpu_sharing") == "time-slicing")
        .then(pl.col("gpu_replicas").cast(pl.Float64).fill_null(1.0).clip(lower_bound=1.0))
        .otherwise(1.0)
    )
    whole = pl.col("gpu_request").fill_null(0.0) / replicas
    cores_per_device = pl.col("neuron_cores_per_device").cast(pl.Float64)
    neuron = (
        pl.when(cores_per_device > 0)
        .then(pl.col("neuroncore_request").fill_null(0.0) / cores_per_device)
        .otherwise(0.0)
    )
    slices_per_gpu = pl.col("mig_slices_per_gpu").cast(pl.Float64)
    mig = (
        pl.when(slices_per_gpu > 0)
        .then(pl.col("mig_count").fill_null(0.0) * _mig_slices().fill_null(0.0) / slices_per_gpu)
        .otherwise(0.0)
    )
    return whole + neuron + mig


def _mig_slices() -> pl.Expr:
    return pl.col("mig_profile").str.extract(_MIG_SLICES, 1).cast(pl.Float64)


def _unconvertible_gpu() -> pl.Expr:
    """GPU requests the node's data cannot convert to devices (billed as 0 GPUs)."""
    no_neuron = (pl.col("neuroncore_request").fill_null(0.0) > 0) & ~(
        pl.col("neuron_cores_per_device").fill_null(0) > 0
    )
    no_mig = (pl.col("mig_count").fill_null(0.0) > 0) & (
        ~(pl.col("mig_slices_per_gpu").fill_null(0) > 0) | _mig_slices().is_null()
    )
    return no_neuron | no_mig


def demand(billable: pl.DataFrame, nodes: pl.DataFrame) -> pl.DataFrame:
    """Quantities per container row before the clamp: max(request, usage) × hours, GPU units × hours.

    When a history source gives `cpu_billed_cores` / `ram_billed_bytes` (the mean over the row's hours of
    max(request, usage) at each step), that replaces max(request, usage)."""
    hours = pl.col("hours").fill_null(0.0)
    cpu_req, cpu_use = pl.col("cpu_request_cores").fill_null(0.0), pl.col("cpu_usage_cores")
    ram_req = pl.col("ram_request_bytes").fill_null(0.0) / BYTES_PER_GIB
    ram_use = pl.col("ram_usage_bytes") / BYTES_PER_GIB
    # history sources measure max(request, usage) at every step; its mean beats max of the means
    cpu_billed = pl.col("cpu_billed_cores")
    ram_billed = pl.col("ram_billed_bytes") / BYTES_PER_GIB
    df = billable.join(nodes.select(_NODE_COLUMNS), on="node", how="left")
    return df.select(
        *ROW_KEYS,
        "unpriced",
        *RATE_COLUMN.values(),
        (pl.coalesce(cpu_billed, pl.max_horizontal(cpu_req, cpu_use.fill_null(0.0))) * hours).alias("cpu_core_hours"),
        (pl.coalesce(ram_billed, pl.max_horizontal(ram_req, ram_use.fill_null(0.0))) * hours).alias("ram_gib_hours"),
        (_gpu_units() * hours).alias("gpu_hours"),
        (cpu_req * hours).alias("cpu_request_core_hours"),
        (cpu_use * hours).alias("cpu_usage_core_hours"),
        (ram_req * hours).alias("ram_request_gib_hours"),
        (ram_use * hours).alias("ram_usage_gib_hours"),
        _unconvertible_gpu().alias("gpu_unconvertible"),
        pl.col("gpu_utilization"),  # DCGM busy fraction (history sources), for engine.efficiency
    )


def clamp_to_capacity(rows: pl.DataFrame, nodes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scale a node-resource's allocations by capacity ÷ Σ allocated where Σ exceeds capacity.

    Returns the scaled rows and the per-node scale factors (`<res>_scale`, 1.0 when not clamped).
    """
    sums = rows.group_by("node").agg(pl.col(QUANTITY_COLUMN[r]).sum().alias(f"{r}_demand") for r in RESOURCES)
    factors = (
        nodes.select("node", *CAPACITY_HOURS.values())
        .join(sums, on="node", how="inner")
        .with_columns(
            pl.when(pl.col(f"{r}_demand") > pl.col(CAPACITY_HOURS[r]))
            .then(pl.col(CAPACITY_HOURS[r]) / pl.col(f"{r}_demand"))
            .otherwise(1.0)
            .alias(f"{r}_scale")
            for r in RESOURCES
        )
    )
    scaled = rows.join(factors.select("node", *(f"{r}_scale" for r in RESOURCES)), on="node", how="left")
    scaled = scaled.with_columns(
        (pl.col(QUANTITY_COLUMN[r]) * pl.col(f"{r}_scale")).alias(QUANTITY_COLUMN[r]) for r in RESOURCES
    ).drop(*(f"{r}_scale" for r in RESOURCES))
    return scaled, factors


def cost_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """cost = billed quantity × the node's unit rate (0 on an unpriced node)."""
    return rows.with_columns(
        (pl.col(QUANTITY_COLUMN[r]) * pl.col(RATE_COLUMN[r]).fill_null(0.0)).alias(f"{r}_usd")
        for r in RESOURCES
    ).drop(*RATE_COLUMN.values())


def allocate_containers(containers: pl.DataFrame, nodes: pl.DataFrame) -> Allocated:
    """Billable container rows with billed quantities and CPU / RAM / GPU costs.

    `nodes` is `idle.node_table(...)` (one row per node name, effective rates, capacity-hours).
    """
    reason = not_billed_reason(nodes.get_column("node"))
    classified = containers.with_columns(reason.alias("not_billed"))
    not_billed = (
        classified.filter(pl.col("not_billed").is_not_null())
        .group_by("not_billed", maintain_order=True)
        .agg(pl.len().alias("containers"))
        .sort("not_billed")
    )
    wanted = demand(classified.filter(pl.col("not_billed").is_null()), nodes)
    clamped, factors = clamp_to_capacity(wanted, nodes)
    warnings = clamp_warnings(factors) + gpu_warnings(wanted)
    return Allocated(
        rows=cost_rows(clamped.drop("gpu_unconvertible")), not_billed=not_billed, warnings=warnings
    )


def _name_list(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def clamp_warnings(factors: pl.DataFrame) -> list[str]:
    """One warning per resource naming the nodes whose allocations were scaled down to capacity."""
    labels = {"cpu": "CPU", "ram": "memory", "gpu": "GPU"}
    out = []
    for res in RESOURCES:
        hit = factors.filter(pl.col(f"{res}_scale") < 1.0 - 1e-9).sort("node")
        if hit.height:
            names = [f"{n} (×{s:.3f})" for n, s in hit.select("node", f"{res}_scale").iter_rows()]
            out.append(
                f"{labels[res]} allocated on {hit.height} node(s) exceeds capacity "
                f"(max(request, usage) summed); allocations scaled to capacity: {_name_list(names)}"
            )
    return out


def gpu_warnings(rows: pl.DataFrame) -> list[str]:
    nodes = rows.filter(pl.col("gpu_unconvertible")).get_column("node").unique().sort().to_list()
    if not nodes:
        return []
    return [
        f"Neuron-core or MIG requests on node(s) {_name_list(nodes)} cannot be converted to devices "
        "(node lacks neuron_cores_per_device / mig_slices_per_gpu, or unknown MIG profile): billed as 0 GPUs"
    ]
