"""Read rollups summed in SQL: per step bucket and the requested dimension columns.

`sum_rollups` is the one query behind /allocation, /assets and /inference: `WHERE kind = ? AND hour in [start,
end) GROUP BY (hour - start) / step, <columns>` with SUM of every money / quantity column, so the database does
the work and Python only sees one row per (step, group).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlalchemy import Select, func, select

from genaicost.store.schema import (
    DIMENSIONS,
    MODEL_COLUMNS,
    MONEY_COLUMNS,
    NODE_COLUMNS,
    NULLABLE_COLUMNS,
    QUANTITY_COLUMNS,
    Rollup,
)
from genaicost.store.store import HistoryStore

SUM_COLUMNS = (*MONEY_COLUMNS, *QUANTITY_COLUMNS, *NULLABLE_COLUMNS)
GROUPABLE = ("cluster", "key", *DIMENSIONS)


def rollup_query(kind: str, start_s: int, end_s: int, step_s: int, group_by: Sequence[str],
                 extra_sums: Sequence[str] = (), keys: Sequence[str] | None = None,
                 exclude_key: str | None = None) -> Select[tuple[object, ...]]:
    for name in group_by:
        if name not in GROUPABLE:
            raise ValueError(f"cannot group rollups by {name!r}")
    bucket = ((Rollup.hour - start_s) // step_s).label("step")
    groups = [getattr(Rollup, name) for name in group_by]
    sums = [func.sum(getattr(Rollup, c)).label(c) for c in (*SUM_COLUMNS, *extra_sums)]
    query = (
        select(bucket, *groups, func.min(Rollup.hour).label("first_hour"), func.max(Rollup.hour).label("last_hour"),
               *sums)
        .where(Rollup.kind == kind, Rollup.hour >= start_s, Rollup.hour < end_s)
        .group_by(bucket, *groups)
    )
    if keys is not None:
        query = query.where(Rollup.key.in_(list(keys)))
    if exclude_key is not None:
        query = query.where(Rollup.key != exclude_key)
    return query


def sum_rollups(store: HistoryStore, kind: str, *, start_s: int, end_s: int, step_s: int,
                group_by: Sequence[str] = (), extra_sums: Sequence[str] = (), keys: Sequence[str] | None = None,
                exclude_key: str | None = None) -> pl.DataFrame:
    """One row per (step, group): `step` (0-based bucket), the group columns, first_hour / last_hour (Unix s),
    and the sums (Float64; null when every member is null)."""
    frame = store.frame(rollup_query(kind, start_s, end_s, step_s, group_by, extra_sums, keys, exclude_key))
    sums = (*SUM_COLUMNS, *extra_sums)
    if frame.height == 0:
        schema = {"step": pl.Int64, **{g: pl.String for g in group_by}, "first_hour": pl.Int64,
                  "last_hour": pl.Int64, **{c: pl.Float64 for c in sums}}
        return pl.DataFrame(schema=schema)
    return frame.with_columns(
        pl.col("step", "first_hour", "last_hour").cast(pl.Int64),
        *(pl.col(c).cast(pl.Float64) for c in sums),
        *(pl.col(g).cast(pl.String) for g in group_by),
    )


NODE_SUMS = NODE_COLUMNS
MODEL_SUMS = MODEL_COLUMNS
