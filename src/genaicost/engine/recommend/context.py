"""The inputs every strategy reads: the snapshot and the report's own priced and costed tables.

`build_context` runs the same pipeline stages as `compute_report` (engine.pipeline.price_snapshot and
cost_snapshot), so every saving is in the report's prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from genaicost.domain.options import ReportOptions
from genaicost.domain.prices import PriceCatalog
from genaicost.domain.recommendation import Confidence
from genaicost.domain.snapshot import Snapshot
from genaicost.domain.window import HOURS_PER_MONTH
from genaicost.engine.pipeline import Costed, Priced, cost_snapshot, price_snapshot
from genaicost.engine.recommend.candidates import priced_types

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0


@dataclass(frozen=True)
class Context:
    snapshot: Snapshot
    catalog: PriceCatalog
    options: ReportOptions
    priced: Priced
    costed: Costed
    _types: dict[tuple[str, str], pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    def types(self, region: str, capacity_type: str) -> pl.DataFrame:
        """engine.recommend.candidates.priced_types, computed once per (region, capacity type)."""
        key = (region, capacity_type)
        if key not in self._types:
            self._types[key] = priced_types(self.catalog, region, capacity_type)
        return self._types[key]

    @property
    def window_hours(self) -> float:
        return self.snapshot.window.hours

    @property
    def to_monthly(self) -> float:
        """Multiply a window's dollars by this for $/month (730 h) at the window's run-rate."""
        return HOURS_PER_MONTH / self.window_hours

    @property
    def nodes(self) -> pl.DataFrame:
        """One row per node (engine.idle.node_table + node_idle): hourly_usd is the report's node price."""
        return self.costed.nodes

    @property
    def rows(self) -> pl.DataFrame:
        """The billed container rows with their costs (engine.attach output)."""
        return self.costed.attached.rows


def build_context(snapshot: Snapshot, catalog: PriceCatalog, options: ReportOptions) -> Context:
    priced = price_snapshot(snapshot, catalog, options)
    return Context(snapshot, catalog, options, priced, cost_snapshot(snapshot, priced))


def window_confidence(hours: float) -> Confidence:
    """The rule most strategies share: ≥ 7 days of history high, ≥ 1 day medium, else low."""
    if hours >= HOURS_PER_WEEK:
        return "high"
    if hours >= HOURS_PER_DAY:
        return "medium"
    return "low"


WINDOW_RULE = "high when the window covers ≥ 7 days, medium ≥ 1 day, low below (one instant sample)"
