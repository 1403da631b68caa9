"""the hall queue on a kiosk: number blocks, the lines last seen, tickets issued with the hub away

Three new tables and nothing else changed, so every existing row stays as it was.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hall_number_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_day", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall_number_blocks")),
        sa.UniqueConstraint("service_day", "category", "first", name="uq_hall_number_blocks_day_cat_first"),
    )
    op.create_index(op.f("ix_hall_number_blocks_service_day"), "hall_number_blocks", ["service_day"])
    op.create_table(
        "hall_categories",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("seen_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_hall_categories")),
    )
    op.create_table(
        "hall_offline_tickets",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("number_value", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("service_day", sa.String(length=10), nullable=False),
        sa.Column("issued_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("handed_over_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.Column("lost_request_id", sa.String(length=36), nullable=True),
        sa.Column("lost_request_state", sa.String(length=16), nullable=True),
        sa.Column("lost_request_number", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["block_id"], ["hall_number_blocks.id"],
                                name=op.f("fk_hall_offline_tickets_block_id_hall_number_blocks")),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_hall_offline_tickets")),
        sa.UniqueConstraint("service_day", "category", "number_value", name="uq_hall_offline_tickets_day_cat_number"),
    )
    op.create_index("ix_hall_offline_tickets_state", "hall_offline_tickets", ["state"])


def downgrade() -> None:
    op.drop_index("ix_hall_offline_tickets_state", table_name="hall_offline_tickets")
    op.drop_table("hall_offline_tickets")
    op.drop_table("hall_categories")
    op.drop_index(op.f("ix_hall_number_blocks_service_day"), table_name="hall_number_blocks")
    op.drop_table("hall_number_blocks")
