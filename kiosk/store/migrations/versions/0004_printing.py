"""printing: when a print job was last tried and may next be tried; jobs looked up by state

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Additive only: existing jobs keep their rows and stay due (NULL next attempt = now).
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_attempt_at", kiosk.store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_attempt_at", kiosk.store.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_print_jobs_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("print_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_jobs_state"))
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("last_attempt_at")
