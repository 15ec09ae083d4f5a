"""Use case behind `GET /assets`: one OpenCost-style Node asset per node over the window, from `node` rollups.

cpuCores / ramBytes / gpuCount are the hours-weighted mean capacity (Σ per-hour capacity ÷ hours present);
costs are the node's cost over the window, split as the report splits it (--split), with its idle part.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from genaicost.app.allocation_lines import GIB
from genaicost.app.api_params import iso, window_json
from genaicost.domain.window import Window
from genaicost.store import HistoryStore
from genaicost.store.queries import sum_rollups
from genaicost.store.schema import NODE_COLUMNS


def query_assets(store: HistoryStore, window: Window) -> list[dict[str, dict[str, Any]]]:
    start_s, end_s = int(window.start.timestamp()), int(window.end.timestamp())
    rows = sum_rollups(store, "node", start_s=start_s, end_s=end_s, step_s=end_s - start_s,
                       group_by=["cluster", "node", "instance_type", "capacity_type"],
                       extra_sums=[c for c in NODE_COLUMNS if c != "hourly_usd"])
    rows = rows.with_columns(((pl.col("last_hour") + 3600 - pl.col("first_hour")) / 3600.0).alias("hours"))
    out: dict[str, dict[str, Any]] = {}
    for row in rows.sort("node").to_dicts():
        hours = row["hours"] or 1.0
        key = f"{row['cluster']}/node/{row['node']}"
        out[key] = {
            "type": "Node", "properties": {"category": "Compute", "provider": "AWS", "service": "Kubernetes",
                                           "cluster": row["cluster"], "name": row["node"]},
            "window": window_json(start_s, end_s), "start": iso(row["first_hour"]),
            "end": iso(row["last_hour"] + 3600), "minutes": hours * 60.0,
            "nodeType": row["instance_type"], "preemptible": 1.0 if row["capacity_type"] == "spot" else 0.0,
            "cpuCores": row["vcpu"] / hours, "ramBytes": row["ram_gib"] * GIB / hours,
            "gpuCount": row["gpu_count"] / hours, "cpuCoreHours": row["vcpu"],
            "ramByteHours": row["ram_gib"] * GIB, "GPUHours": row["gpu_hours"],
            "cpuCost": row["cpu_usd"], "ramCost": row["ram_usd"], "gpuCost": row["gpu_usd"],
            "idleCost": row["idle_cpu_usd"] + row["idle_ram_usd"] + row["idle_gpu_usd"],
            "adjustment": 0.0, "discount": 0.0, "totalCost": row["total_usd"],
        }
    return [out]
