"""The platform's tables for online cases pre-reviewed on the platform and visits per case (V) (new tables only, schema 7: `create_all` makes them)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.store.types import UTCDateTime, utcnow
from sync.server.models import PlatformBase


class CasePreReview(PlatformBase):
    """An online case's pre-review: each material passed or its original to be seen at the counter.

    One per case; recording it again (before the hall decided) replaces it, and the hall hears of each
    through the feed."""

    __tablename__ = "case_prereviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    verdicts: Mapped[dict[str, Any]] = mapped_column(JSON)  # material code -> "passed" | "original"


class CaseVisits(PlatformBase):
    """How many trips to the hall a case took, as its counter last reported them with a decision."""

    __tablename__ = "case_visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    visits: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
