"""collected_hours and rollups

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_FLOAT_COLUMNS = (
    "cpu_usd", "ram_usd", "gpu_usd", "pv_usd", "lb_usd", "overhead_usd", "total_usd",
    "cpu_core_hours", "cpu_request_core_hours", "ram_gib_hours", "ram_request_gib_hours", "gpu_hours",
    "pv_gib_hours", "idle_cpu_usd", "idle_ram_usd", "idle_gpu_usd", "vcpu", "ram_gib", "gpu_count",
    "input_tokens", "output_tokens", "requests", "input_usd", "output_usd",
)
_NULLABLE_FLOATS = (
    "cpu_usage_core_hours", "ram_usage_gib_hours", "gpu_busy_hours", "hourly_usd", "cpu_measured_request_core_hours",
    "ram_measured_request_gib_hours", "gpu_measured_hours", "gpu_busy_usd", "gpu_measured_usd",
)


def upgrade() -> None:
    op.create_table(
        "collected_hours",
        sa.Column("cluster", sa.String(253), primary_key=True),
        sa.Column("hour", sa.BigInteger, primary_key=True),
        sa.Column("committed_at", sa.Float, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("exact", sa.Integer, nullable=False),
        sa.Column("prices_as_of", sa.String(10), nullable=False),
        sa.Column("total_usd", sa.Float, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
    )
    op.create_table(
        "rollups",
        sa.Column("cluster", sa.String(253), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hour", sa.BigInteger, nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("namespace", sa.String(253)),
        sa.Column("node", sa.String(253)),
        sa.Column("pod", sa.String(253)),
        sa.Column("container", sa.String(253)),
        sa.Column("controller", sa.String(512)),
        sa.Column("controller_kind", sa.String(64)),
        sa.Column("model", sa.String(253)),
        sa.Column("instance_type", sa.String(64)),
        sa.Column("capacity_type", sa.String(16)),
        sa.Column("labels", sa.Text),
        sa.Column("first_hour", sa.BigInteger),
        sa.Column("last_hour", sa.BigInteger),
        *(sa.Column(name, sa.Float, nullable=False) for name in _FLOAT_COLUMNS),
        *(sa.Column(name, sa.Float) for name in _NULLABLE_FLOATS),
        # rows of one kind and hour are contiguous (SQLite: a clustered WITHOUT ROWID table), so a window of one
        # kind is a range scan; (cluster, hour) finds an hour's rows to replace or delete
        sa.PrimaryKeyConstraint("cluster", "kind", "hour", "key", name="pk_rollups"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_rollups_hour", "rollups", ["cluster", "hour"])


def downgrade() -> None:
    op.drop_index("ix_rollups_hour", table_name="rollups")
    op.drop_table("rollups")
    op.drop_table("collected_hours")
