"""materials schema changes (reserved slot: filled in by the materials work; empty until then)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import kiosk.store.types  # noqa: F401

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Materials capture needed no schema change: attachments.purged_at and
    # applications.personal_data_purged_at, which retention sets, are in 0001.
    pass


def downgrade() -> None:
    pass
