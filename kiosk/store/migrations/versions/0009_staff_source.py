"""staff accounts say where they come from: the platform's hall list, or this terminal

Staff accounts are the platform's: a counter receives its hall's list when
it syncs and checks passwords offline against it. Accounts made on the
terminal itself (`onewindow staff add`) remain for a terminal that has never
synced; every existing row was made that way, so the column defaults to
"local" and no row changes.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="local"))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("source")
