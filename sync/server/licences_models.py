"""The platform's tables for the licence library (L1): the licences a province holds and every use of one.

New tables only (schema 7: `create_all` makes them). A licence's file and its signature are kept with the
licence itself: the library stands in for a province's, which answers from its own records. Each use is one
row, unique by the terminal's `use_id`, so a retried use is the same use; its annotated copy lives in the
platform's blob store, owned by the hall that made the use (`HallBlob`).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.models import PlatformBase, utcnow

LICENCE_STATUSES = ("valid", "revoked")


class Licence(PlatformBase):
    """One electronic licence; `valid_until` None means long-term (长期有效)."""

    __tablename__ = "licences"
    identifier: Mapped[str] = mapped_column(String(128), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(32), index=True)
    holder_id_number: Mapped[str] = mapped_column(String(18), index=True)
    holder_name: Mapped[str] = mapped_column(String(100))
    issuer_name: Mapped[str] = mapped_column(String(200))
    issuer_code: Mapped[str] = mapped_column(String(18))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # one of LICENCE_STATUSES
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(200))
    gbt_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)  # GB/T 36903 elements, face included
    file_pdf: Mapped[bytes] = mapped_column(LargeBinary)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_signature: Mapped[str] = mapped_column(String(100))  # base64 Ed25519 over file_sha256 (ASCII hex)
    key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LicenceUse(PlatformBase):
    """A licence used for one material of one application, with the citizen's consent: the audit's row."""

    __tablename__ = "licence_uses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_id: Mapped[str] = mapped_column(String(36), unique=True)
    identifier: Mapped[str] = mapped_column(ForeignKey("licences.identifier"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    service_item: Mapped[str] = mapped_column(String(64))
    material_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    consent_text_version: Mapped[str] = mapped_column(String(32))
    consent_given_at: Mapped[datetime]
    consent_by: Mapped[str] = mapped_column(String(64))
    copy_sha256: Mapped[str] = mapped_column(String(64), index=True)
    copy_size: Mapped[int] = mapped_column(Integer)
    copy_pages: Mapped[int] = mapped_column(Integer)
    copy_signature: Mapped[str] = mapped_column(String(100))
    key_id: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))  # what was asked: the same use_id must ask the same
    at: Mapped[datetime] = mapped_column(default=utcnow)
