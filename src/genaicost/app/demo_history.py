"""`--demo`: a generated history of the bundled demo cluster, so charts have shape.

For each hour of the last `demo_history_days` days not yet in the store, the demo snapshot at that hour is varied
deterministically by the hour of day (UTC) and the weekday, saved to a temporary file and reported with
app.report.build_report (the same path as `genaicost report --snapshot`):
- the Karpenter spot pool `cpu-spot` runs its third node (and the pods on it) only 08:00–20:00;
- the `llm-batch` namespace runs only 00:00–06:00 (nightly batch);
- the `ml-dev` notebooks run only on weekdays 09:00–18:00.
Everything else is the demo cluster as `genaicost report --demo` shows it.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from genaicost.sources.demo import demo_snapshot
from genaicost.sources.snapshot_file import save_snapshot

if TYPE_CHECKING:
    from genaicost.app.collect import Collector

DAY_SPOT_NODE_POOL = "cpu-spot"


def varied_snapshot(hour: datetime):  # type: ignore[no-untyped-def]
    """The demo snapshot for [hour, hour + 1 h) with the hour-of-day variation of the module docstring."""
    snap = demo_snapshot(hour + timedelta(hours=1), window_hours=1.0)
    h, weekday = hour.hour, hour.weekday()
    nodes, containers = snap.nodes, snap.containers
    if not 8 <= h < 20:
        spot = nodes.filter(pl.col("nodepool") == DAY_SPOT_NODE_POOL)["name"].sort().to_list()
        gone = spot[2:]
        nodes = nodes.filter(~pl.col("name").is_in(gone))
        containers = containers.filter(~pl.col("node").is_in(gone) | pl.col("node").is_null())
    if not 0 <= h < 6:
        containers = containers.filter(pl.col("namespace") != "llm-batch")
    if not (weekday < 5 and 9 <= h < 18):
        containers = containers.filter(pl.col("namespace") != "ml-dev")
    return replace(snap, nodes=nodes, containers=containers)


def seed_demo_history(collector: Collector, now: datetime) -> list[datetime]:
    """Write every missing hour of the last N days before the current hour; returns the hours written."""
    from genaicost.app.collect import hour_start, write_report

    current = hour_start(now)
    days = collector.settings.demo_history_days
    hours = [current - timedelta(hours=i) for i in range(days * 24, 0, -1)]
    if not hours:
        return []
    done = set(collector.store.committed_hours(start_s=int(hours[0].timestamp()),
                                               end_s=int(current.timestamp()))["hour"].to_list())
    written = []
    with tempfile.TemporaryDirectory(prefix="genaicost-demo-") as tmp:
        path = Path(tmp) / "snapshot.json"
        for hour in hours:
            if int(hour.timestamp()) in done:
                continue
            save_snapshot(varied_snapshot(hour), path)
            report = collector._build(hour + timedelta(hours=1), demo=False, snapshot_files=[path])
            write_report(collector.store, report, hour, exact=True, label_keys=collector.settings.label_keys)
            written.append(hour)
    return written
