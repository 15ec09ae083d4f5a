"""Use case of `genaicost forecast` and `GET /forecast`: histories → per-series forecasts (docs/forecast.md).

validate (source, horizon, settings) → read the daily history (CSV or store) → fill gaps by the rule → per key:
forecast, optional backtest and anomalies. The result is a plain dict in the documented JSON shape:
- one total series: {"forecast": [...], "month_end": {...}, "model": "...", "notes": [...],
  + "backtest": {...} with backtest, + "anomalies": [...] with anomalies};
- keyed (a CSV with a key column, or an aggregate): {"aggregate": "namespace", "series": [{"key": "llm", <the
  same fields>}, ...], "notes": [...]} sorted by key; a key with < 2 days is skipped with a note, a key too short
  for a backtest gets "backtest": null and a note.
Money stays float64 USD here; renderers round half-even to cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from genaicost.app.cost_history import daily_costs_from_store, fill_gaps, read_history_csv
from genaicost.domain.errors import InputError
from genaicost.engine.forecast import MAX_HORIZON_DAYS, forecast_daily
from genaicost.engine.forecast_backtest import backtest, detect_anomalies
from genaicost.engine.forecast_models import MIN_DAYS
from genaicost.store import HistoryStore

DEFAULT_STORE_DAYS = 120      # days of store history the forecast reads


@dataclass(frozen=True)
class AnomalySettings:
    baseline_days: int = 7
    threshold_pct: float = 50.0
    min_spend_usd: float = 10.0


@dataclass(frozen=True)
class ForecastRequest:
    horizon_days: int
    today: date
    run_backtest: bool = False
    anomalies: AnomalySettings | None = None
    fill_rule: str = "error"

    def validate(self) -> None:
        if not 1 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise InputError(f"{self.horizon_days}; expected 1..{MAX_HORIZON_DAYS} days", field="--horizon")
        a = self.anomalies
        if a is not None and (a.baseline_days < 1 or a.threshold_pct <= 0 or a.min_spend_usd < 0):
            raise InputError("baseline days ≥ 1, threshold % > 0, minimum spend ≥ 0", field="--anomalies")


def forecast_from_csv(path: Path, request: ForecastRequest) -> dict[str, Any]:
    request.validate()
    frame = read_history_csv(path)
    aggregate = None if frame["key"].is_null().all() else "key"
    return forecast_frame(frame, request, aggregate=aggregate, source=str(path))


def forecast_from_store(store: HistoryStore, request: ForecastRequest, *, cluster: str | None,
                        aggregate: str | None, days: int = DEFAULT_STORE_DAYS) -> dict[str, Any]:
    request.validate()
    frame = daily_costs_from_store(store, cluster=cluster, aggregate=aggregate,
                                   start=request.today - timedelta(days=days), end=request.today)
    if frame.height == 0:
        where = f" for cluster {cluster!r}" if cluster else ""
        raise InputError(f"no complete day (24 collected hours) in the {days} days before {request.today}{where}",
                         field="--store")
    return forecast_frame(frame, request, aggregate=aggregate, source="store")


def forecast_frame(frame: pl.DataFrame, request: ForecastRequest, *, aggregate: str | None,
                   source: str) -> dict[str, Any]:
    filled, gap_notes = fill_gaps(frame, request.fill_rule, source=source)
    series, skipped = [], []
    for (key,), part in filled.group_by("key", maintain_order=True):
        notes = [n for n in gap_notes if key is None or repr(key) in n]
        history = part.select("date", "cost_usd").sort("date")
        if aggregate is not None and history.height < MIN_DAYS:
            skipped.append(f"series {key!r} skipped: {history.height} day(s) of history (< {MIN_DAYS})")
            continue
        series.append({"key": key, **_one(history, request, notes, key, strict=aggregate is None)})
    if aggregate is None:
        only = series[0]
        only.pop("key")
        return only
    return {"aggregate": aggregate, "series": sorted(series, key=lambda s: str(s["key"])), "notes": skipped}


def _one(history: pl.DataFrame, request: ForecastRequest, notes: list[str], key: str | None, *,
         strict: bool) -> dict[str, Any]:
    try:
        result = forecast_daily(history, horizon_days=request.horizon_days, today=request.today)
    except InputError as err:
        raise InputError(f"{'series ' + repr(key) + ': ' if key is not None else ''}{err}") from None
    out: dict[str, Any] = result.model_dump(mode="json")
    out["notes"] = notes + out["notes"]
    if request.run_backtest:
        try:
            out["backtest"] = backtest(history).model_dump(mode="json")
        except InputError as err:
            if strict:
                raise
            out["backtest"] = None
            out["notes"].append(f"no backtest: {err}")
    if request.anomalies is not None:
        a = request.anomalies
        found = detect_anomalies(history, baseline_days=a.baseline_days, threshold_pct=a.threshold_pct,
                                 min_spend_usd=a.min_spend_usd)
        out["anomalies"] = [x.model_dump(mode="json") for x in found]
    return out


def series_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-series dicts of a result (one with key None for a total series)."""
    return list(result["series"]) if "series" in result else [{"key": None, **result}]
