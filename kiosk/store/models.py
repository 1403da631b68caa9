"""The terminal's local store: every table a hall needs, in one metadata.

Times are stored as timezone-aware UTC; dates (promised completion) as dates.
Citizens' personal fields live on `Application` only, so retention can blank
them in one place. Those fields, and every column that may quote them (form,
outbox and print payloads, audit details, notes, file names, comments), are
sealed at rest with the store's key (see `kiosk.store.types`).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Index,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from kiosk.store.types import NAMING, IdNumberIndex, SealedJSON, SealedString, SealedText, UTCDateTime, utcnow


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class CatalogVersion(Base):
    """A catalog as received (from the platform or the demo file), kept whole for offline work."""

    __tablename__ = "catalog_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict[str, Any]]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[list["ServiceItem"]] = relationship(back_populates="catalog_version", cascade="all, delete-orphan")


class ServiceItem(Base):
    __tablename__ = "service_items"
    __table_args__ = (UniqueConstraint("catalog_version_id", "code", name="uq_service_items_version_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(64))
    item_type: Mapped[str] = mapped_column(String(64))
    legal_limit_days: Mapped[int] = mapped_column(Integer)
    promised_limit_days: Mapped[int] = mapped_column(Integer)
    guide: Mapped[dict[str, Any]]
    catalog_version: Mapped[CatalogVersion] = relationship(back_populates="items")


class Application(Base):
    """A citizen's application; `id` is the client-generated UUID the platform dedupes on."""

    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    receipt_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    service_item_code: Mapped[str] = mapped_column(String(64), index=True)
    catalog_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    hall_code: Mapped[str] = mapped_column(String(12))
    device_no: Mapped[int] = mapped_column(Integer)
    # personal fields are sealed at rest (kiosk.store.types; migration 0010); the ID number is found through
    # its keyed index, which `_index_id_number` keeps in step with it
    applicant_name: Mapped[str | None] = mapped_column(SealedString("applications.applicant_name", 100))
    applicant_id_type: Mapped[str | None] = mapped_column(String(16))
    applicant_id_number: Mapped[str | None] = mapped_column(SealedString("applications.applicant_id_number", 32))
    applicant_id_index: Mapped[str | None] = mapped_column(IdNumberIndex(), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(SealedString("applications.applicant_phone", 32))
    form: Mapped[dict[str, Any]] = mapped_column(SealedJSON("applications.form"), default=dict)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    case_no: Mapped[str | None] = mapped_column(String(64), index=True)
    promised_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    status_note: Mapped[str | None] = mapped_column(SealedText("applications.status_note"))
    personal_data_purged_at: Mapped[datetime | None]
    # when the case reached a final state (approved/rejected/withdrawn), for on-time statistics (migration 0005)
    completed_at: Mapped[datetime | None]
    materials: Mapped[list["ApplicationMaterial"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationMaterial.position"
    )

    @validates("applicant_id_number")
    def _index_id_number(self, _key: str, value: str | None) -> str | None:
        """Every write of the number writes its keyed index (the type turns the clear number into the HMAC)."""
        self.applicant_id_index = value
        return value


class ApplicationMaterial(Base):
    __tablename__ = "application_materials"
    __table_args__ = (UniqueConstraint("application_id", "material_code", name="uq_application_materials_app_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    required: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer, default=0)
    review_state: Mapped[str] = mapped_column(String(16), default="unchecked")
    review_note: Mapped[str | None] = mapped_column(SealedText("application_materials.review_note"))
    # the citizen will hand this material in at the counter (no capture device at the kiosk; migration 0008)
    at_counter: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # the electronic licence that stood for it (`kiosk.licences.model.LicenceRef` as JSON; migration 0012)
    licence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # online cases: "passed" by the platform's pre-review or "original" to be seen at the counter (0012)
    prereview: Mapped[str | None] = mapped_column(String(16), nullable=True)
    original_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)
    original_seen_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    application: Mapped[Application] = relationship(back_populates="materials")
    files: Mapped[list["MaterialFile"]] = relationship(
        back_populates="material", cascade="all, delete-orphan", order_by="MaterialFile.position"
    )


class Attachment(Base):
    """One stored file, named by the SHA-256 of its plain bytes."""

    __tablename__ = "attachments"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    page_count: Mapped[int] = mapped_column(Integer, default=1)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    purged_at: Mapped[datetime | None]
    # set by sync when the platform has confirmed it holds these verified bytes (migration 0002)
    uploaded_at: Mapped[datetime | None]


class MaterialFile(Base):
    """Links a material to its files in order; the same file may serve two materials."""

    __tablename__ = "material_files"
    __table_args__ = (UniqueConstraint("material_id", "position", name="uq_material_files_material_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("application_materials.id", ondelete="CASCADE"), index=True)
    attachment_sha256: Mapped[str] = mapped_column(ForeignKey("attachments.sha256"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str | None] = mapped_column(SealedString("material_files.original_name", 255))
    material: Mapped[ApplicationMaterial] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship()


class OutboxItem(Base):
    """Something owed to the platform. Written in the same transaction as what it carries."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON("outbox.payload"), default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(SealedText("outbox.last_error"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class PendingDownload(Base):
    """A file of a case the platform assigned to this hall, still to be fetched (migration 0006).

    The material's `MaterialFile` row is written only once the bytes are stored
    and verified, so an `Attachment` row always means the file is here.
    """

    __tablename__ = "attachment_downloads"
    __table_args__ = (UniqueConstraint("application_id", "material_code", "position",
                                       name="uq_attachment_downloads_app_material_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    page_count: Mapped[int] = mapped_column(Integer, default=1)
    original_name: Mapped[str | None] = mapped_column(SealedString("attachment_downloads.original_name", 255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrintJob(Base):
    """A receipt or document owed to a printer; survives restarts until printed (see printing.queue)."""

    __tablename__ = "print_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    application_id: Mapped[str | None] = mapped_column(ForeignKey("applications.id"), index=True)
    printer: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON("print_jobs.payload"), default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Append-only log; each row's hash covers the previous row's hash (a chain)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(SealedJSON("audit_log.details"), default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # where the account comes from: "platform" (the hall's list, synced to a counter; kiosk.staff.apply_platform_staff)
    # or "local" (made on this terminal, for one that has never synced: tests and offline set-up)
    source: Mapped[str] = mapped_column(String(16), default="local", server_default="local")


class Rating(Base):
    """A citizen's satisfaction rating (national good/bad review scale: 5 very satisfied .. 1 very dissatisfied).

    Holds no personal data: only the service item and, when given, the receipt it concerns.
    """

    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    score: Mapped[int] = mapped_column(Integer)
    service_item_code: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[str | None] = mapped_column(ForeignKey("applications.id"), index=True)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(SealedText("ratings.comment"))
    channel: Mapped[str] = mapped_column(String(16), default="kiosk")


class ReceiptSequence(Base):
    """Per device and day, the last receipt sequence handed out."""

    __tablename__ = "receipt_sequences"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    device_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class KeyValue(Base):
    """Small pieces of terminal state (sync cursors, the catalog ETag)."""

    __tablename__ = "key_values"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- the hall queue on a kiosk (migration 0011; kiosk.queue.offline) ---------------------------------------

class HallNumberBlock(Base):
    """Numbers of one line and one day this kiosk may issue while the hub is away: a block the hub set
    aside (`source` "hub"), or the kiosk slot's emergency range ("emergency"). `next_number` is the next
    one to issue; the block is used up when it passes `last`."""

    __tablename__ = "hall_number_blocks"
    __table_args__ = (UniqueConstraint("service_day", "category", "first", name="uq_hall_number_blocks_day_cat_first"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_day: Mapped[str] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(8))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="hub")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class HallCategory(Base):
    """A line of the hall's queue as the hub last listed it, so the ticket screen works with the hub away."""

    __tablename__ = "hall_categories"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class HallOfflineTicket(Base):
    """A ticket this kiosk issued from its own numbers, written before it is printed and kept until the hub
    has explicitly accepted it (`state`: pending, handed_over, refused). The unique (day, line, number)
    is the store's own guarantee that a number is never issued twice.

    `lost_request_id`: the ticket id of an online request that timed out just before (the hub may have
    issued it without the kiosk hearing); `lost_request_state` says what the hand-over found at the hub:
    "unknown" (not asked yet), "absent", or "at_hub" with the number the hub gave it (`lost_request_number`),
    a ticket nobody holds, which the status shows staff so the counter can pass it over."""

    __tablename__ = "hall_offline_tickets"
    __table_args__ = (UniqueConstraint("service_day", "category", "number_value",
                                       name="uq_hall_offline_tickets_day_cat_number"),
                      Index("ix_hall_offline_tickets_state", "state"))
    ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    number_value: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(16))
    service_day: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(100))
    block_id: Mapped[int] = mapped_column(ForeignKey("hall_number_blocks.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    handed_over_at: Mapped[datetime | None]
    lost_request_id: Mapped[str | None] = mapped_column(String(36))
    lost_request_state: Mapped[str | None] = mapped_column(String(16))
    lost_request_number: Mapped[str | None] = mapped_column(String(16))


# --- appointments (migration 0013; kiosk.usecases.appointments, sync.appointments) ---------------------------

class Appointment(Base):
    """A booking of this hall as the last sync pass copied it (the next 7 days), so check-in works offline.

    The ID number is kept only as its keyed index (to find the booking of the card placed) and masked; the
    name is sealed. `state` is the platform's until something happens here (a check-in, a no-show), which
    the sync keeps until the platform has heard of it. `slot_start`/`slot_end` are the hall's local
    "HH:MM"; `ticket` is the queue ticket the check-in issued (`IssuedTicket` as JSON), so a second check-in
    gives the same one."""

    __tablename__ = "appointments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    booking_code: Mapped[str] = mapped_column(String(16), unique=True)
    service_item: Mapped[str] = mapped_column(String(64))
    item_name_zh: Mapped[str] = mapped_column(String(200))
    item_name_en: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date, index=True)
    slot_start: Mapped[str] = mapped_column(String(5))
    slot_end: Mapped[str] = mapped_column(String(5))
    holder_name: Mapped[str] = mapped_column(SealedString("appointments.holder_name", 100))
    holder_id_index: Mapped[str] = mapped_column(IdNumberIndex(), index=True)
    id_masked: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    checked_in_at: Mapped[datetime | None]
    checked_in_by: Mapped[str | None] = mapped_column(String(100))
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    ticket: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    no_show_at: Mapped[datetime | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppointmentEvent(Base):
    """A check-in or a no-show owed to the platform (`state`: pending, sent, rejected). The id is made here
    and the platform dedupes on it; one event per booking and kind, by constraint."""

    __tablename__ = "appointment_events"
    __table_args__ = (UniqueConstraint("appointment_id", "kind", name="uq_appointment_events_appointment_kind"),
                      Index("ix_appointment_events_state", "state"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    appointment_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class Visit(Base):
    """One trip the citizen made to the hall for a case (migration 0014): handing it in at a kiosk or a
    counter ("submission"), bringing a supplement ("supplement"), or finishing an online case at the window
    ("onsite"). An online application is no visit; `kiosk.visits` keeps the kinds."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))


class OnlinePreReview(Base):
    """The platform's pre-review of an online case as the feed brought it (0014): who, when, the note.
    Each material's verdict is `ApplicationMaterial.prereview`."""

    __tablename__ = "online_prereviews"
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(SealedText("online_prereviews.note"))


class HeartbeatReport(Base):
    """A heartbeat the terminal made for the platform's fleet view (migration 0015; `kiosk.heartbeat`).

    Made with each sync pass, also offline, and kept until the platform has it: a row is deleted once the
    platform answered for its id. The unsent rows are bounded (`kiosk.heartbeat.MAX_UNSENT`, oldest dropped)."""

    __tablename__ = "heartbeat_reports"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    made_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
