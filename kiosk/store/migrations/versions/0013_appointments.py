"""the hall's appointments for the next days, their check-ins and no-shows

Two new tables and nothing else changed, so every existing row stays as it was: `appointments` (the
hall's bookings as the last sync pass copied them, with what happened here since) and
`appointment_events` (check-ins and no-shows owed to the platform, each sent exactly once).

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kiosk.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("booking_code", sa.String(length=16), nullable=False),
        sa.Column("service_item", sa.String(length=64), nullable=False),
        sa.Column("item_name_zh", sa.String(length=200), nullable=False),
        sa.Column("item_name_en", sa.String(length=300), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_start", sa.String(length=5), nullable=False),
        sa.Column("slot_end", sa.String(length=5), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("holder_id_index", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("checked_in_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(length=100), nullable=True),
        sa.Column("ticket_number", sa.String(length=16), nullable=True),
        sa.Column("ticket", sa.JSON(), nullable=True),
        sa.Column("no_show_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.Column("synced_at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("booking_code", name=op.f("uq_appointments_booking_code")),
    )
    op.create_index(op.f("ix_appointments_day"), "appointments", ["day"])
    op.create_index(op.f("ix_appointments_holder_id_index"), "appointments", ["holder_id_index"])
    op.create_table(
        "appointment_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("appointment_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", kiosk.store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("ticket_number", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", kiosk.store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_events")),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_appointment_events_appointment_kind"),
    )
    op.create_index("ix_appointment_events_state", "appointment_events", ["state"])


def downgrade() -> None:
    op.drop_index("ix_appointment_events_state", table_name="appointment_events")
    op.drop_table("appointment_events")
    op.drop_index(op.f("ix_appointments_holder_id_index"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_day"), table_name="appointments")
    op.drop_table("appointments")
