"""online cases: files of cases the platform assigned to this hall, still to be fetched

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("material_code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE",
                                name=op.f("fk_attachment_downloads_application_id_applications")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_downloads")),
        sa.UniqueConstraint("application_id", "material_code", "position",
                            name="uq_attachment_downloads_app_material_position"),
    )
    with op.batch_alter_table("attachment_downloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_downloads_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_downloads_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachment_downloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_downloads_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_downloads_application_id"))
    op.drop_table("attachment_downloads")
