"""Read rollups summed in SQL: per step bucket and the requested dimension columns.

`sum_rollups` is the one query behind /allocation, /assets and /inference: `WHERE kind = ? AND hour in [start,
end) GROUP BY (hour - start) / step, <columns>` with SUM of every money / quantity column, so the database does
the work and Python only sees one row per (step, group). For the DAILY_KINDS, the whole UTC days of the window
are read from the `<kind>@day` rows (24× fewer rows) when no step boundary falls inside a day, and only the
window's edges from the hourly rows; the partial results are summed per (step, group).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Select, bindparam, func, select

from genaicost.store.schema import (
    DAILY_KINDS,
    DAY,
    DIMENSIONS,
    MODEL_COLUMNS,
    MONEY_COLUMNS,
    NODE_COLUMNS,
    NULLABLE_COLUMNS,
    QUANTITY_COLUMNS,
    Rollup,
    daily,
)
from genaicost.store.store import HistoryStore

SUM_COLUMNS = (*MONEY_COLUMNS, *QUANTITY_COLUMNS, *NULLABLE_COLUMNS)
GROUPABLE = ("cluster", "key", *DIMENSIONS)
NODE_SUMS = NODE_COLUMNS
MODEL_SUMS = MODEL_COLUMNS
_NULLABLE = frozenset(NULLABLE_COLUMNS)


def rollup_query(kind: str, origin_s: int, lo_s: int, hi_s: int, step_s: int, group_by: Sequence[str],
                 extra_sums: Sequence[str] = (), keys: Sequence[str] | None = None,
                 exclude_key: str | None = None, day_rows: bool = False) -> tuple[Select[tuple[object, ...]],
                                                                                  dict[str, Any]]:
    """The statement (built once per shape and reused: ~80 sums make building it cost more than running it on
    daily rows) and its parameters."""
    for name in group_by:
        if name not in GROUPABLE:
            raise ValueError(f"cannot group rollups by {name!r}")
    query = _rollup_select(tuple(group_by), tuple(extra_sums), keys is not None, exclude_key is not None, day_rows)
    params: dict[str, Any] = {"kind": daily(kind) if day_rows else kind, "origin_s": origin_s, "lo_s": lo_s,
                              "hi_s": hi_s, "step_s": step_s}
    if keys is not None:
        params["keys"] = list(keys)
    if exclude_key is not None:
        params["exclude_key"] = exclude_key
    return query, params


@functools.lru_cache(maxsize=256)
def _rollup_select(group_by: tuple[str, ...], extra_sums: tuple[str, ...], with_keys: bool, with_exclude: bool,
                   day_rows: bool) -> Select[tuple[object, ...]]:
    bucket = ((Rollup.hour - bindparam("origin_s", type_=BigInteger)) // bindparam("step_s", type_=BigInteger)
              ).label("step")
    groups = [getattr(Rollup, name) for name in group_by]
    sums = [func.sum(getattr(Rollup, c)).label(c) for c in (*SUM_COLUMNS, *extra_sums)]
    first, last = (Rollup.first_hour, Rollup.last_hour) if day_rows else (Rollup.hour, Rollup.hour)
    query = (
        select(bucket, *groups, func.min(first).label("first_hour"), func.max(last).label("last_hour"), *sums)
        .where(Rollup.kind == bindparam("kind"), Rollup.hour >= bindparam("lo_s", type_=BigInteger),
               Rollup.hour < bindparam("hi_s", type_=BigInteger))
        .group_by(bucket, *groups)
    )
    if with_keys:
        query = query.where(Rollup.key.in_(bindparam("keys", expanding=True)))
    if with_exclude:
        query = query.where(Rollup.key != bindparam("exclude_key"))
    return query


def day_span(start_s: int, end_s: int, step_s: int) -> tuple[int, int] | None:
    """[first, last) whole UTC days of the window readable from daily rows, or None."""
    whole_window = step_s >= end_s - start_s
    if not whole_window and not (step_s % DAY == 0 and start_s % DAY == 0):
        return None
    first, last = -(-start_s // DAY) * DAY, end_s // DAY * DAY
    return (first, last) if last - first >= DAY else None


def sum_rollups(store: HistoryStore, kind: str, *, start_s: int, end_s: int, step_s: int,
                group_by: Sequence[str] = (), extra_sums: Sequence[str] = (), keys: Sequence[str] | None = None,
                exclude_key: str | None = None) -> pl.DataFrame:
    """One row per (step, group): `step` (0-based bucket), the group columns, first_hour / last_hour (Unix s),
    and the sums (Float64; null when every member is null)."""
    days = day_span(start_s, end_s, step_s) if kind in DAILY_KINDS else None
    parts = [(start_s, end_s, False)] if days is None else [
        (start_s, days[0], False), (days[0], days[1], True), (days[1], end_s, False)]
    frames = [_typed(store.frame(*rollup_query(kind, start_s, lo, hi, step_s, group_by, extra_sums, keys,
                                               exclude_key, day_rows=by_day)), group_by, extra_sums)
              for lo, hi, by_day in parts if hi > lo]
    if len(frames) == 1:
        return frames[0]
    sums = (*SUM_COLUMNS, *extra_sums)
    merged = pl.concat(frames).group_by(["step", *group_by]).agg(
        pl.col("first_hour").min(), pl.col("last_hour").max(),
        *(pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c) if c in _NULLABLE
          else pl.col(c).sum() for c in sums))
    return merged.select(frames[0].columns)


def _typed(frame: pl.DataFrame, group_by: Sequence[str], extra_sums: Sequence[str]) -> pl.DataFrame:
    sums = (*SUM_COLUMNS, *extra_sums)
    schema = {"step": pl.Int64, **{g: pl.String for g in group_by}, "first_hour": pl.Int64,
              "last_hour": pl.Int64, **{c: pl.Float64 for c in sums}}
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return frame.with_columns(pl.col(c).cast(t) for c, t in schema.items()).select(list(schema))
