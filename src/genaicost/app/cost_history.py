"""Daily cost histories for the forecast: from a CSV (`date,cost_usd[,key]`) or from the `serve` history store.

Both give a frame (date Date, key String, cost_usd Float64), one row per (date, key); key is null for a single
total series. Gaps (docs/forecast.md §7): within each key, the days between its first and last day must all be
present; `fill_gaps(frame, rule)` applies the rule: `error` (InputError listing the missing days), `zero` (a
missing day cost $0), `linear` (interpolated between the neighbouring days).

From the store, only COMPLETE days are returned: a UTC day whose every cluster with data that day has its 24
hours committed; an incomplete day is left out (a gap for the rule). On a complete day a key with no row cost $0.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import func, select

from genaicost.domain.errors import InputError
from genaicost.domain.forecast import KEYED_HISTORY_SCHEMA
from genaicost.domain.report import IDLE, OVERHEAD, UNALLOCATED
from genaicost.store import HistoryStore
from genaicost.store.schema import CollectedHour, Rollup

DAY_S = 86400
GAP_RULES = ("error", "zero", "linear")
AGGREGATE_FORMS = "namespace, model or label:KEY"
CSV_FORM = "a header date,cost_usd[,key] then rows like 2026-11-01,123.45[,llm]"


def read_history_csv(path: Path) -> pl.DataFrame:
    source = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", source=source) from None
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if set(header) not in ({"date", "cost_usd"}, {"date", "cost_usd", "key"}) or len(set(header)) != len(header):
            raise InputError(f"line 1: header {','.join(header) or '(empty)'}; expected {CSV_FORM}", source=source)
        col = {name: i for i, name in enumerate(header)}
        rows: list[tuple[date, str | None, float]] = []
        seen: dict[tuple[date, str | None], int] = {}
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            parsed = _row(row, col, line, source)
            if parsed[:2] in seen:
                raise InputError(f"line {line}: {parsed[0]}{_key_text(parsed[1])} already given on line "
                                 f"{seen[parsed[:2]]}", source=source)
            seen[parsed[:2]] = line
            rows.append(parsed)
    if not rows:
        raise InputError(f"no rows; expected {CSV_FORM}", source=source)
    frame = pl.DataFrame(rows, schema=KEYED_HISTORY_SCHEMA, orient="row")
    return frame.sort("key", "date", nulls_last=True)


def _key_text(key: str | None) -> str:
    return "" if key is None else f" for key {key!r}"


def _row(row: list[str], col: dict[str, int], line: int, source: str) -> tuple[date, str | None, float]:
    if len(row) != len(col):
        raise InputError(f"line {line}: {len(row)} fields; expected {len(col)} ({','.join(col)})", source=source)
    text = row[col["date"]].strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"line {line}: date {text!r} is not a date; expected YYYY-MM-DD", source=source,
                         field="date") from None
    text = row[col["cost_usd"]].strip()
    try:
        cost = float(text)
    except ValueError:
        cost = math.nan
    if not math.isfinite(cost) or cost < 0:
        raise InputError(f"line {line}: cost_usd {text!r}; expected a number of USD ≥ 0", source=source,
                         field="cost_usd")
    key = row[col["key"]].strip() if "key" in col else None
    if key == "":
        raise InputError(f"line {line}: empty key; give the series name (e.g. a namespace)", source=source,
                         field="key")
    return day, key, cost


def fill_gaps(frame: pl.DataFrame, rule: str, *, source: str = "history") -> tuple[pl.DataFrame, list[str]]:
    """Every key's days made consecutive by `rule`; returns the frame and a note per key with filled days."""
    if rule not in GAP_RULES:
        raise InputError(f"{rule!r}; expected one of {', '.join(GAP_RULES)}", field="--fill-gaps")
    parts, notes = [], []
    for (key,), part in frame.sort("date").group_by("key", maintain_order=True):
        first, last = part["date"].min(), part["date"].max()
        assert isinstance(first, date) and isinstance(last, date)
        full = pl.DataFrame({"date": pl.date_range(first, last, "1d", eager=True)})
        merged = full.join(part.select("date", "cost_usd"), on="date", how="left")
        missing = merged.filter(pl.col("cost_usd").is_null())["date"].to_list()
        if missing:
            shown = ", ".join(str(d) for d in missing[:10]) + (" …" if len(missing) > 10 else "")
            if rule == "error":
                raise InputError(f"{len(missing)} missing day(s){_key_text(key)}: {shown}; give every day or "
                                 "--fill-gaps zero|linear", source=source)
            filled = pl.col("cost_usd").fill_null(0.0) if rule == "zero" else pl.col("cost_usd").interpolate()
            merged = merged.with_columns(filled)
            notes.append(f"{len(missing)} missing day(s){_key_text(key)} filled ({rule}): {shown}")
        parts.append(merged.with_columns(pl.lit(key, dtype=pl.String).alias("key")))
    return pl.concat(parts).select(list(KEYED_HISTORY_SCHEMA)), notes


def complete_days(store: HistoryStore, *, cluster: str | None, start: date, end: date) -> list[date]:
    """UTC days in [start, end) whose every cluster with data that day has 24 committed hours."""
    day = (CollectedHour.hour // DAY_S).label("day")
    query = (select(CollectedHour.cluster, day, func.count().label("hours"))
             .where(CollectedHour.hour >= _epoch_s(start), CollectedHour.hour < _epoch_s(end))
             .group_by(CollectedHour.cluster, day))
    if cluster is not None:
        query = query.where(CollectedHour.cluster == cluster)
    frame = store.frame(query)
    if frame.height == 0:
        return []
    days = frame.group_by("day").agg((pl.col("hours") >= 24).all().alias("complete")).filter("complete")
    return sorted(date(1970, 1, 1) + timedelta(days=int(d)) for d in days["day"])


def daily_costs_from_store(store: HistoryStore, *, cluster: str | None, aggregate: str | None, start: date,
                           end: date) -> pl.DataFrame:
    """Daily cost per key over the complete days in [start, end); aggregate None → one total series (key null):
    the committed hours' cluster totals. namespace / label:KEY also carry the `__idle__` and `__overhead__`
    lines, so their keys add up to the total; model carries the model pods only."""
    days = complete_days(store, cluster=cluster, start=start, end=end)
    if not days:
        return pl.DataFrame(schema=KEYED_HISTORY_SCHEMA)
    lo, hi = _epoch_s(days[0]), _epoch_s(days[-1]) + DAY_S
    if aggregate is None:
        day = (CollectedHour.hour // DAY_S).label("day")
        query = select(day, func.sum(CollectedHour.total_usd).label("cost_usd")).where(
            CollectedHour.hour >= lo, CollectedHour.hour < hi).group_by(day)
        if cluster is not None:
            query = query.where(CollectedHour.cluster == cluster)
        frame = _typed(store.frame(query).with_columns(pl.lit(None, dtype=pl.String).alias("key")))
    else:
        frame = _aggregate(store, cluster, aggregate, lo, hi)
    return _zero_fill(frame, days)


def _aggregate(store: HistoryStore, cluster: str | None, aggregate: str, lo: int, hi: int) -> pl.DataFrame:
    prefix, _, label = aggregate.partition(":")
    if aggregate not in ("namespace", "model") and not (prefix == "label" and label):
        raise InputError(f"unknown aggregate {aggregate!r}; expected {AGGREGATE_FORMS}", field="--aggregate")
    if aggregate in ("namespace", "model"):
        frames = [_sum_by(store, cluster, aggregate, Rollup.key, lo, hi)]
    else:
        by_labels = _sum_by(store, cluster, "pod", Rollup.labels, lo, hi)
        values = {s: _label_value(s, label) for s in by_labels["key"].unique().to_list()}
        frames = [by_labels.with_columns(pl.col("key").replace_strict(values, default=UNALLOCATED,
                                                                      return_dtype=pl.String))]
    if aggregate != "model":
        frames += [_sum_by(store, cluster, "idle", Rollup.key, lo, hi, only=IDLE),
                   _sum_by(store, cluster, "overhead", Rollup.key, lo, hi, only=OVERHEAD)]
    merged = pl.concat([_typed(f) for f in frames])
    return merged.group_by("day", "key").agg(pl.col("cost_usd").sum())


def _label_value(labels_json: str | None, key: str) -> str:
    if not labels_json:
        return UNALLOCATED
    value = json.loads(labels_json).get(key)
    return str(value) if value not in (None, "") else UNALLOCATED


def _sum_by(store: HistoryStore, cluster: str | None, kind: str, column: Any, lo: int, hi: int,
            only: str | None = None) -> pl.DataFrame:
    day = (Rollup.hour // DAY_S).label("day")
    query = (select(day, column.label("key"), func.sum(Rollup.total_usd).label("cost_usd"))
             .where(Rollup.kind == kind, Rollup.hour >= lo, Rollup.hour < hi).group_by(day, column))
    if cluster is not None:
        query = query.where(Rollup.cluster == cluster)
    if only is not None:
        query = query.where(Rollup.key == only)
    return store.frame(query)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    if frame.height == 0:
        return pl.DataFrame(schema={"day": pl.Int64, "key": pl.String, "cost_usd": pl.Float64})
    return frame.select(pl.col("day").cast(pl.Int64), pl.col("key").cast(pl.String),
                        pl.col("cost_usd").cast(pl.Float64))


def _zero_fill(frame: pl.DataFrame, days: list[date]) -> pl.DataFrame:
    """Every (complete day, key) pair; a key without a row on a complete day cost $0."""
    grid = pl.DataFrame({"date": days}).join(frame.select("key").unique(), how="cross")
    dated = frame.with_columns(pl.col("day").cast(pl.Int32).cast(pl.Date).alias("date")).drop("day")
    out = grid.join(dated, on=["date", "key"], how="left", nulls_equal=True).with_columns(
        pl.col("cost_usd").fill_null(0.0))
    return out.select(list(KEYED_HISTORY_SCHEMA)).sort("key", "date", nulls_last=True)


def _epoch_s(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_S
