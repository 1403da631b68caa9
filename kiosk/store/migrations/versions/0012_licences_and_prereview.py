"""application materials: the electronic licence that stood for one; online cases' pre-review and originals seen

Four nullable columns on application_materials; every existing row keeps its values.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_materials") as batch:
        batch.add_column(sa.Column("licence", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("prereview", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("original_seen_at", kiosk.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("original_seen_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application_materials") as batch:
        batch.drop_column("original_seen_by")
        batch.drop_column("original_seen_at")
        batch.drop_column("prereview")
        batch.drop_column("licence")
