"""Open a history store (SQLite file in WAL mode, or PostgreSQL through psycopg 3), migrate it to head, write
one (cluster, hour) per transaction, delete old hours.

An hour is written by `write_hour` in ONE transaction: delete that (cluster, hour)'s rollups, insert the new
ones, upsert its `collected_hours` row. A crash before the commit leaves the previous state of the hour (absent
or the older complete version); re-running the same hour replaces it. Nothing is ever appended twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from genaicost.domain.errors import InputError
from genaicost.store.daily import refresh_day
from genaicost.store.schema import (
    DAY,
    MODEL_COLUMNS,
    MONEY_COLUMNS,
    NODE_COLUMNS,
    QUANTITY_COLUMNS,
    ROLLUP_COLUMNS,
    CollectedHour,
    Rollup,
)

MIGRATIONS = Path(__file__).parent / "migrations"
URL_FORMS = "sqlite:////abs/path.db or postgresql+psycopg://user:password@host:5432/db"
INSERT_BATCH = 5000
ZERO_DEFAULT = tuple(c for c in (*MONEY_COLUMNS, *QUANTITY_COLUMNS, *NODE_COLUMNS, *MODEL_COLUMNS) if c != "hourly_usd")


@dataclass(frozen=True)
class HourMeta:
    source: str
    exact: bool               # True: computed from the history of that hour; False: run-rate × 1 h
    prices_as_of: str
    total_usd: float


class HistoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def write_hour(self, cluster: str, hour_s: int, rows: pl.DataFrame, meta: HourMeta) -> None:
        """Replace (cluster, hour)'s rollups with `rows` (columns ⊆ ROLLUP_COLUMNS, without cluster / hour)
        and mark the hour committed, atomically."""
        if hour_s % 3600:
            raise ValueError(f"hour {hour_s} is not the start of an hour")
        unknown = set(rows.columns) - set(ROLLUP_COLUMNS)
        if unknown:
            raise ValueError(f"unknown rollup columns {sorted(unknown)}")
        filled = rows.with_columns(
            *(pl.col(c).fill_null(0.0) if c in rows.columns else pl.lit(0.0).alias(c) for c in ZERO_DEFAULT))
        records = filled.with_columns(pl.lit(cluster).alias("cluster"), pl.lit(hour_s).alias("hour")).to_dicts()
        with self.engine.begin() as conn:
            conn.execute(delete(Rollup).where(Rollup.cluster == cluster, Rollup.hour == hour_s))
            for chunk in _chunks(records, INSERT_BATCH):
                conn.execute(insert(Rollup), chunk)
            refresh_day(conn, cluster, hour_s - hour_s % DAY)
            conn.execute(delete(CollectedHour).where(CollectedHour.cluster == cluster, CollectedHour.hour == hour_s))
            conn.execute(insert(CollectedHour).values(
                cluster=cluster, hour=hour_s, committed_at=time.time(), source=meta.source, exact=int(meta.exact),
                prices_as_of=meta.prices_as_of, total_usd=meta.total_usd, rows=len(records),
            ))

    def committed_hours(self, cluster: str | None = None, start_s: int | None = None,
                        end_s: int | None = None) -> pl.DataFrame:
        """collected_hours rows (cluster, hour, exact, source, total_usd, rows), ordered by cluster and hour."""
        query = select(CollectedHour.cluster, CollectedHour.hour, CollectedHour.exact, CollectedHour.source,
                       CollectedHour.total_usd, CollectedHour.rows, CollectedHour.prices_as_of)
        if cluster is not None:
            query = query.where(CollectedHour.cluster == cluster)
        if start_s is not None:
            query = query.where(CollectedHour.hour >= start_s)
        if end_s is not None:
            query = query.where(CollectedHour.hour < end_s)
        return self.frame(query.order_by(CollectedHour.cluster, CollectedHour.hour))

    def clusters(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(CollectedHour.cluster).distinct().order_by(CollectedHour.cluster))
                        .scalars())

    def delete_before(self, cutoff_s: int) -> int:
        """Retention: delete every hour starting before `cutoff_s`; returns the number of hours deleted."""
        with self.engine.begin() as conn:
            hours = conn.execute(select(func.count()).select_from(CollectedHour)
                                 .where(CollectedHour.hour < cutoff_s)).scalar_one()
            clusters = list(conn.execute(select(CollectedHour.cluster).distinct()).scalars())
            conn.execute(delete(Rollup).where(Rollup.hour < cutoff_s))
            conn.execute(delete(CollectedHour).where(CollectedHour.hour < cutoff_s))
            for cluster in clusters:                   # the day the cutoff cuts keeps only its remaining hours
                refresh_day(conn, cluster, cutoff_s - cutoff_s % DAY)
        return int(hours)

    def frame(self, query: Any, params: dict[str, Any] | None = None) -> pl.DataFrame:
        """Run a SELECT and return its rows as a Polars frame (column names from the query)."""
        with self.engine.connect() as conn:
            result = conn.execute(query, params or {})
            names = list(result.keys())
            rows = result.fetchall()
        if not rows:
            return pl.DataFrame({n: [] for n in names})
        return pl.DataFrame([tuple(r) for r in rows], schema=names, orient="row", infer_schema_length=None)

    def close(self) -> None:
        self.engine.dispose()


def _chunks(records: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(records), size):
        yield records[i:i + size]


def open_store(url: str) -> HistoryStore:
    """Connect, set SQLite to WAL, and run the migrations to head; bad URLs are InputErrors naming --store."""
    engine = _engine(url)
    try:
        migrate(engine)
    except OperationalError as err:
        engine.dispose()
        raise InputError(f"cannot open the store {_safe(url)}: {err.orig}", field="--store") from None
    return HistoryStore(engine)


def migrate(engine: Engine) -> None:
    from alembic import command  # imported when a store opens, not when the CLI starts (~150 ms)
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"{url!r} is not a database URL; expected {URL_FORMS}", field="--store") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise InputError(f"{url!r}: give a SQLite file path; expected {URL_FORMS}", field="--store")
        parent = Path(parsed.database).parent
        if not parent.is_dir():
            raise InputError(f"{url!r}: the directory {parent} does not exist", field="--store")
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql+psycopg":
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise InputError(f"{_safe(url)}: unsupported database {parsed.drivername!r}; expected {URL_FORMS}",
                     field="--store")


def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the URL"
