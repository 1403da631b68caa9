"""heartbeat reports kept until the platform has them

One new table, `heartbeat_reports` (`kiosk.heartbeat`); no existing row changes.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "heartbeat_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("made_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat_reports")),
    )
    op.create_index(op.f("ix_heartbeat_reports_made_at"), "heartbeat_reports", ["made_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_heartbeat_reports_made_at"), table_name="heartbeat_reports")
    op.drop_table("heartbeat_reports")
