"""Daily rollups: `<kind>@day` rows = the sum of a UTC day's hourly rows of that kind, per key.

`refresh_day` recomputes one (cluster, day) in the caller's transaction (INSERT … SELECT … GROUP BY, in the
database): store.write_hour calls it after replacing an hour, retention after deleting hours, so the daily rows
always equal the hourly rows they summarize.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, delete, func, insert, literal, select

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

SUMMED = (*MONEY_COLUMNS, *QUANTITY_COLUMNS, *NULLABLE_COLUMNS,
          *(c for c in NODE_COLUMNS if c != "hourly_usd"), *MODEL_COLUMNS)
KEPT = tuple(d for d in DIMENSIONS if d != "labels")


def refresh_day(conn: Connection, cluster: str, day_s: int) -> None:
    kinds = [daily(k) for k in DAILY_KINDS]
    conn.execute(delete(Rollup).where(Rollup.cluster == cluster, Rollup.kind.in_(kinds), Rollup.hour == day_s))
    for kind in DAILY_KINDS:
        hourly = and_(Rollup.cluster == cluster, Rollup.kind == kind, Rollup.hour >= day_s,
                      Rollup.hour < day_s + DAY)
        columns = ["cluster", "kind", "hour", "key", "first_hour", "last_hour", *KEPT, "hourly_usd", *SUMMED]
        query = select(
            literal(cluster), literal(daily(kind)), literal(day_s), Rollup.key, func.min(Rollup.hour),
            func.max(Rollup.hour), *(func.max(getattr(Rollup, d)) for d in KEPT), func.max(Rollup.hourly_usd),
            *(func.sum(getattr(Rollup, c)) for c in SUMMED),
        ).where(hourly).group_by(Rollup.key)
        conn.execute(insert(Rollup).from_select(columns, query))
