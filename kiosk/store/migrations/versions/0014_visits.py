"""on-site visits per case, and the platform's pre-review of online cases

Two new tables. `visits` gets one "submission" row for every application already handed in at the hall (every channel
but "online": an online application is not a visit), so the one-visit figures of a terminal upgraded in place
count its old cases too; no existing row changes.

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_visits_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_application_id"), "visits", ["application_id"])
    op.create_table(
        "online_prereviews",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_online_prereviews_application_id_applications")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_online_prereviews")),
    )
    op.execute("INSERT INTO visits (application_id, kind, at, actor) "
               "SELECT id, 'submission', COALESCE(submitted_at, created_at), 'migration' FROM applications "
               "WHERE channel != 'online' AND status != 'draft'")


def downgrade() -> None:
    op.drop_table("online_prereviews")
    op.drop_index(op.f("ix_visits_application_id"), table_name="visits")
    op.drop_table("visits")
