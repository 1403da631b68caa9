"""the hall's appointments for the next days, their check-ins and no-shows (A1 fills this in)

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
