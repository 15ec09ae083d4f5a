"""Where budgets read spend from: a cost CSV (`--history`) or the `serve` history store (`--store`).

Both answer per scope a daily (date, cost_usd) series up to their last day, the values a scope can name (for the
unknown-scope warning), and — the store only — idle GPU cost and model token usage per day.

- CSV: a cluster scope sums every row; a namespace / label / model scope sums the rows whose key is its value.
  The last day of the file is the evaluation day (a complete day).
- Store: complete UTC days only (app.cost_history); namespace → aggregate namespace, label → label:KEY,
  model → the model rows (key namespace/model, matched on the model name or the whole key), cluster → the
  cluster totals (of the cluster named by value, else every cluster). The last complete day before `today` (the
  current UTC day, still being collected) is the evaluation day, as for `genaicost forecast --store`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Protocol

import polars as pl
from sqlalchemy import func, select

from genaicost.app.cost_history import complete_days, daily_costs_from_store
from genaicost.domain.budget import Scope
from genaicost.domain.report import IDLE
from genaicost.engine.budgets import scope_series
from genaicost.store import HistoryStore
from genaicost.store.schema import Rollup

STORE_HISTORY_DAYS = 120          # history read from the store for the forecasts and baselines
DAY_S = 86400


class CostSource(Protocol):
    name: str

    def last_day(self) -> date | None: ...

    def series(self, scope: Scope) -> pl.DataFrame: ...

    def known(self, scope: Scope) -> set[str] | None: ...

    def idle_gpu(self) -> pl.DataFrame | None: ...

    def token_usage(self) -> pl.DataFrame | None: ...


class CsvCosts:
    def __init__(self, frame: pl.DataFrame, name: str) -> None:
        self.frame = frame
        self.name = name

    def last_day(self) -> date | None:
        value = self.frame["date"].max()
        return value if isinstance(value, date) else None

    def _bounds(self) -> tuple[date, date]:
        first, last = self.frame["date"].min(), self.frame["date"].max()
        assert isinstance(first, date) and isinstance(last, date)
        return first, last

    def series(self, scope: Scope) -> pl.DataFrame:
        first, last = self._bounds()
        keys = None if scope.kind == "cluster" else {scope.value or ""}
        return scope_series(self.frame, keys, start=first, end=last)

    def known(self, scope: Scope) -> set[str] | None:
        if scope.kind == "cluster":
            return None
        return {k for k in self.frame["key"].unique().to_list() if k is not None}

    def idle_gpu(self) -> pl.DataFrame | None:
        return None

    def token_usage(self) -> pl.DataFrame | None:
        return None


class StoreCosts:
    def __init__(self, store: HistoryStore, *, today: date, name: str = "store") -> None:
        self.store = store
        self.name = name
        self.start = today - timedelta(days=STORE_HISTORY_DAYS)
        self.end = today                  # the current UTC day is never complete: days before it only
        self._frame = cache(self._read)

    def _read(self, cluster: str | None, aggregate: str | None) -> pl.DataFrame:
        return daily_costs_from_store(self.store, cluster=cluster, aggregate=aggregate, start=self.start,
                                      end=self.end)

    def last_day(self) -> date | None:
        days = complete_days(self.store, cluster=None, start=self.start, end=self.end)
        return days[-1] if days else None

    @staticmethod
    def _aggregate(scope: Scope) -> tuple[str | None, str | None]:
        if scope.kind == "cluster":
            return scope.value, None
        return None, "label:" + (scope.key or "") if scope.kind == "label" else scope.kind

    def series(self, scope: Scope) -> pl.DataFrame:
        cluster, aggregate = self._aggregate(scope)
        frame = self._frame(cluster, aggregate)
        last = self.last_day()
        if frame.height == 0 or last is None:
            return pl.DataFrame(schema={"date": pl.Date, "cost_usd": pl.Float64})
        first = frame["date"].min()
        assert isinstance(first, date)
        keys = None if scope.kind == "cluster" else self._matching(frame, scope)
        return scope_series(frame, keys, start=first, end=last)

    @staticmethod
    def _matching(frame: pl.DataFrame, scope: Scope) -> set[str]:
        keys = {k for k in frame["key"].unique().to_list() if k is not None}
        if scope.kind == "model":
            return {k for k in keys if scope.value in (k, k.split("/", 1)[-1])}
        return {scope.value or ""} & keys

    def known(self, scope: Scope) -> set[str] | None:
        if scope.kind == "cluster":
            return set(self.store.clusters()) if scope.value is not None else None
        keys = {k for k in self._frame(*self._aggregate(scope))["key"].unique().to_list() if k is not None}
        return keys | {k.split("/", 1)[-1] for k in keys} if scope.kind == "model" else keys

    def idle_gpu(self) -> pl.DataFrame | None:
        day = (Rollup.hour // DAY_S).label("day")
        query = (select(day, func.sum(Rollup.gpu_usd).label("idle_gpu_usd"))
                 .where(Rollup.kind == "idle", Rollup.key == IDLE, Rollup.hour >= _s(self.start),
                        Rollup.hour < _s(self.end)).group_by(day))
        frame = self.store.frame(query)
        if frame.height == 0:
            return None
        return frame.select(_date(), pl.col("idle_gpu_usd").cast(pl.Float64))

    def token_usage(self) -> pl.DataFrame | None:
        day = (Rollup.hour // DAY_S).label("day")
        query = (select(day, Rollup.model.label("model"), func.sum(Rollup.total_usd).label("cost_usd"),
                        func.sum(Rollup.input_tokens + Rollup.output_tokens).label("tokens"))
                 .where(Rollup.kind == "model", Rollup.hour >= _s(self.start), Rollup.hour < _s(self.end))
                 .group_by(day, Rollup.model))
        frame = self.store.frame(query)
        if frame.height == 0:
            return None
        return frame.select(_date(), pl.col("model").cast(pl.String), pl.col("cost_usd").cast(pl.Float64),
                            pl.col("tokens").cast(pl.Float64))


def _date() -> pl.Expr:
    return pl.col("day").cast(pl.Int32).cast(pl.Date).alias("date")


def _s(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_S
