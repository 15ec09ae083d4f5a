"""alert_state and alert_deliveries (budgets and alerts, docs/budgets.md)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_state",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("alert", sa.Text, nullable=False),              # the Alert as JSON
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("starts_at", sa.Float, nullable=False),         # Unix seconds
        sa.Column("last_notified_at", sa.Float),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("target", sa.String(253), nullable=False),
        sa.Column("alert_keys", sa.Text, nullable=False),         # JSON list
        sa.Column("ok", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_alert_deliveries_at", "alert_deliveries", ["at"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_at", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_table("alert_state")
