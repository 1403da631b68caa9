"""a material may be handed in at the counter instead of captured at the kiosk

A kiosk with no document camera, no scanner and no USB stick lets the
citizen go on with a material marked "to be handed in at the counter"
(交窗口核验); the counter's review and the receipt name it. Existing rows
were all captured, so the new column defaults to false and no row changes.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_materials") as batch:
        batch.add_column(sa.Column("at_counter", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("application_materials") as batch:
        batch.drop_column("at_counter")
