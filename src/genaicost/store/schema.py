"""Tables of the history store (SQLAlchemy 2). The Alembic migrations in store/migrations create them.

- `collected_hours`: one row per (cluster, hour) whose rollups are committed; written in the same transaction
  as the hour's rollups, so an hour is either complete or absent.
- `rollups`: hourly rows keyed by (cluster, hour, kind, key). Kinds: `container`, `pod` (with its node,
  controller and collected labels), `namespace` (what /allocation?aggregate=namespace reads), `model` (key
  `namespace/model`, with tokens and requests), `node`, `idle` (key = node name, plus `__idle__` for the cluster
  line) and `overhead` (key `__overhead__`). The DAILY_KINDS are also kept summed per UTC day as `<kind>@day`
  rows (hour = the day's start, first_hour / last_hour = the hours summed), recomputed in the transaction that
  writes any hour of that day; a window reads whole days from them and its edges from the hourly rows.
  Money in USD for the hour; quantities in hours (core-hours, GiB-hours, GPU-hours).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

KINDS = ("container", "pod", "namespace", "model", "node", "idle", "overhead")
DAILY_KINDS = ("namespace", "model", "node", "idle", "overhead")    # also kept as `<kind>@day` rows
DAY = 86400


def daily(kind: str) -> str:
    return f"{kind}@day"


MONEY_COLUMNS = ("cpu_usd", "ram_usd", "gpu_usd", "pv_usd", "lb_usd", "overhead_usd", "total_usd")
QUANTITY_COLUMNS = (
    "cpu_core_hours", "cpu_request_core_hours", "ram_gib_hours", "ram_request_gib_hours", "gpu_hours",
    "pv_gib_hours",
)
# efficiency inputs (null when not measured): usage and the requests / GPU hours / GPU dollars of measured members
NULLABLE_COLUMNS = ("cpu_usage_core_hours", "cpu_measured_request_core_hours", "ram_usage_gib_hours",
                    "ram_measured_request_gib_hours", "gpu_busy_hours", "gpu_measured_hours", "gpu_busy_usd",
                    "gpu_measured_usd")
NODE_COLUMNS = ("idle_cpu_usd", "idle_ram_usd", "idle_gpu_usd", "vcpu", "ram_gib", "gpu_count", "hourly_usd")
MODEL_COLUMNS = ("input_tokens", "output_tokens", "requests", "input_usd", "output_usd")
DIMENSIONS = ("namespace", "node", "pod", "container", "controller", "controller_kind", "model", "instance_type",
              "capacity_type", "labels")


class Base(DeclarativeBase):
    pass


class CollectedHour(Base):
    __tablename__ = "collected_hours"

    cluster: Mapped[str] = mapped_column(String(253), primary_key=True)
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)   # Unix seconds of the hour start (UTC)
    committed_at: Mapped[float] = mapped_column(Float)      # Unix seconds
    source: Mapped[str] = mapped_column(String(64))
    exact: Mapped[int] = mapped_column(Integer)             # 1: history of that hour; 0: run-rate × 1 h
    prices_as_of: Mapped[str] = mapped_column(String(10))
    total_usd: Mapped[float] = mapped_column(Float)
    rows: Mapped[int] = mapped_column(Integer)


class Rollup(Base):
    __tablename__ = "rollups"
    __table_args__ = (
        PrimaryKeyConstraint("cluster", "kind", "hour", "key", name="pk_rollups"),
        Index("ix_rollups_hour", "cluster", "hour"),
        {"sqlite_with_rowid": False},
    )

    cluster: Mapped[str] = mapped_column(String(253))
    kind: Mapped[str] = mapped_column(String(16))
    hour: Mapped[int] = mapped_column(BigInteger)   # Unix seconds of the hour start (UTC)
    key: Mapped[str] = mapped_column(String(1024))
    namespace: Mapped[str | None] = mapped_column(String(253))
    node: Mapped[str | None] = mapped_column(String(253))
    pod: Mapped[str | None] = mapped_column(String(253))
    container: Mapped[str | None] = mapped_column(String(253))
    controller: Mapped[str | None] = mapped_column(String(512))
    controller_kind: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(253))
    instance_type: Mapped[str | None] = mapped_column(String(64))
    capacity_type: Mapped[str | None] = mapped_column(String(16))
    labels: Mapped[str | None] = mapped_column(Text)         # JSON object of the pod's collected labels
    first_hour: Mapped[int | None] = mapped_column(BigInteger)   # daily rows: first and last hour summed
    last_hour: Mapped[int | None] = mapped_column(BigInteger)
    cpu_usd: Mapped[float] = mapped_column(Float, default=0.0)
    ram_usd: Mapped[float] = mapped_column(Float, default=0.0)
    gpu_usd: Mapped[float] = mapped_column(Float, default=0.0)
    pv_usd: Mapped[float] = mapped_column(Float, default=0.0)
    lb_usd: Mapped[float] = mapped_column(Float, default=0.0)
    overhead_usd: Mapped[float] = mapped_column(Float, default=0.0)
    total_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cpu_core_hours: Mapped[float] = mapped_column(Float, default=0.0)
    cpu_request_core_hours: Mapped[float] = mapped_column(Float, default=0.0)
    cpu_usage_core_hours: Mapped[float | None] = mapped_column(Float)
    ram_gib_hours: Mapped[float] = mapped_column(Float, default=0.0)
    ram_request_gib_hours: Mapped[float] = mapped_column(Float, default=0.0)
    ram_usage_gib_hours: Mapped[float | None] = mapped_column(Float)
    gpu_hours: Mapped[float] = mapped_column(Float, default=0.0)
    gpu_busy_hours: Mapped[float | None] = mapped_column(Float)
    cpu_measured_request_core_hours: Mapped[float | None] = mapped_column(Float)
    ram_measured_request_gib_hours: Mapped[float | None] = mapped_column(Float)
    gpu_measured_hours: Mapped[float | None] = mapped_column(Float)
    gpu_busy_usd: Mapped[float | None] = mapped_column(Float)
    gpu_measured_usd: Mapped[float | None] = mapped_column(Float)
    pv_gib_hours: Mapped[float] = mapped_column(Float, default=0.0)
    idle_cpu_usd: Mapped[float] = mapped_column(Float, default=0.0)
    idle_ram_usd: Mapped[float] = mapped_column(Float, default=0.0)
    idle_gpu_usd: Mapped[float] = mapped_column(Float, default=0.0)
    vcpu: Mapped[float] = mapped_column(Float, default=0.0)
    ram_gib: Mapped[float] = mapped_column(Float, default=0.0)
    gpu_count: Mapped[float] = mapped_column(Float, default=0.0)
    hourly_usd: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[float] = mapped_column(Float, default=0.0)
    output_tokens: Mapped[float] = mapped_column(Float, default=0.0)
    requests: Mapped[float] = mapped_column(Float, default=0.0)
    input_usd: Mapped[float] = mapped_column(Float, default=0.0)     # model cost attributed to input tokens
    output_usd: Mapped[float] = mapped_column(Float, default=0.0)


ROLLUP_COLUMNS = tuple(c.name for c in Rollup.__table__.columns)
