"""Use case `collect`: build the Report(s) with app.report.build_report and write hourly rollups to the store.

- Prometheus history: every complete hour in the lookback (default the last 3 h) that is not yet committed as
  exact is computed from the history of exactly that hour and written (exact = True).
- Instant sources (live API, snapshot files, demo): the run-rate report (1 h window ending now) × 1 h is written
  as the CURRENT hour (exact = False); each collection in the hour replaces it (last writer wins), so the hour
  holds the last run-rate seen in it.
- `--demo` first seeds a generated history (see app.demo_history) of the hours not yet in the store.
Every hour is one transaction (store.write_hour); retention then deletes hours older than N days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from genaicost.app.recommend import build_report_with_recommendations
from genaicost.app.report import HistorySource, build_report
from genaicost.app.rollups import report_aggregate, rollup_rows
from genaicost.app.serve_settings import CollectSettings
from genaicost.app.spot_prices import SpotPrices
from genaicost.app.window import floor_to_step
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.report import Report
from genaicost.domain.window import Window
from genaicost.pricing.bundled import load_catalog
from genaicost.store import HistoryStore, HourMeta

log = logging.getLogger("genaicost.collect")
HOUR = timedelta(hours=1)


@dataclass
class CollectResult:
    latest: Report | None
    hours_written: list[datetime]
    hours_deleted: int


def hour_start(moment: datetime) -> datetime:
    return floor_to_step(moment.astimezone(UTC), 3600)


def write_report(store: HistoryStore, report: Report, hour: datetime, *, exact: bool,
                 label_keys: tuple[str, ...]) -> None:
    rows = rollup_rows(report, label_keys)
    meta = HourMeta(source=report.source, exact=exact, prices_as_of=report.prices_as_of.isoformat(),
                    total_usd=report.totals.total_usd / report.window.hours)
    store.write_hour(report.cluster, int(hour.timestamp()), rows, meta)


class Collector:
    """One source + cost model; `collect(now)` runs one collection (thread-safe enough for one caller)."""

    def __init__(self, settings: CollectSettings, store: HistoryStore, *, retention_days: int | None = None,
                 open_prometheus: Callable[[], Any] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.retention_days = retention_days
        self.options = settings.options.model_copy(update={
            "aggregate": report_aggregate(settings.label_keys), "include_idle": True, "share_idle": False,
            "shared_namespaces": (), "share_overhead": False})
        self.catalog: PriceCatalog = load_catalog(settings.catalog_dir, settings.overrides)
        self.session = None
        if settings.spot_prices is not SpotPrices.bundled and not settings.demo:
            import boto3

            self.session = boto3.Session()
        self._open_prometheus = open_prometheus
        self._have_latest = False

    def _build(self, now: datetime, history: HistorySource | None = None, *, recommend: bool = False,
               **source: Any) -> Report:
        """The report of one source; with `recommend` (the latest report only) also its recommendations."""
        s = self.settings
        spot = SpotPrices.bundled if s.demo else s.spot_prices
        base: dict[str, Any] = {"demo": s.demo, "snapshot_files": list(s.snapshot_files),
                                "kubeconfig": s.kubeconfig, "context": s.context}
        base.update(source)
        build = build_report_with_recommendations if recommend and s.recommendations else build_report
        return build(**base, window_hours=None if history else 1.0, options=self.options,
                            catalog=self.catalog, now=now, spot_prices=spot, aws_session=self.session,
                            history=history, settings=s.inference)

    def collect(self, now: datetime, on_latest: Callable[[Report], None] | None = None) -> CollectResult:
        """One collection; `on_latest` gets the latest report as soon as it is stored (before the demo history
        is generated, so a fresh `serve --demo` is ready in seconds)."""
        written: list[datetime] = []
        if self.settings.prometheus is not None:
            latest = self._collect_history(now, written)
        else:
            latest = self._build(now, recommend=True)
            write_report(self.store, latest, hour_start(now), exact=False, label_keys=self.settings.label_keys)
            written.append(hour_start(now))
            if on_latest is not None:
                on_latest(latest)
            if self.settings.demo:
                from genaicost.app.demo_history import seed_demo_history

                written += seed_demo_history(self, now)
        deleted = 0
        if self.retention_days is not None:
            cutoff = hour_start(now) - timedelta(days=self.retention_days)
            deleted = self.store.delete_before(int(cutoff.timestamp()))
        return CollectResult(latest, written, deleted)

    def _collect_history(self, now: datetime, written: list[datetime]) -> Report | None:
        prom = self.settings.prometheus
        assert prom is not None
        current = hour_start(now)
        hours = [current - HOUR * i for i in range(self.settings.lookback_hours, 0, -1)]
        done = self.store.committed_hours(start_s=int(hours[0].timestamp()), end_s=int(current.timestamp()))
        exact = {int(h) for h, e in zip(done["hour"].to_list(), done["exact"].to_list(), strict=True) if e}
        latest = None
        assert self._open_prometheus is not None
        with self._open_prometheus() as client:
            for hour in hours:
                # the last complete hour is recomputed once per process so the server has a latest report
                if int(hour.timestamp()) in exact and not (hour == hours[-1] and not self._have_latest):
                    continue
                history = HistorySource(client, Window(start=hour, end=hour + HOUR), prom.resolution_s)
                report = self._build(now, history=history, recommend=hour == hours[-1])
                write_report(self.store, report, hour, exact=True, label_keys=self.settings.label_keys)
                written.append(hour)
                latest = report
                self._have_latest = True
                log.info("collected hour %s from Prometheus history", hour.isoformat())
        return latest
