"""The platform's own tables; nothing here is shared with the terminal's store.

A case's client UUID is a unique constraint (not a check-then-insert), so two
retries racing each other cannot create two cases. Changes get a serial
number which is the cursor of the changes feed.

Receipt numbers carry the device number, so both are unique per hall by
constraint: `(hall_code, device_no)` on devices (a revoked device keeps its
number: its receipts still exist) and `(hall_code, receipt_no)` on cases
(NULLs are distinct, so online cases, which have no receipt, never collide).
A second application arriving with a hall's receipt number is refused and
remembered in `receipt_collisions`, so status lookups by that number are too.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    LargeBinary,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.store.types import NAMING, UTCDateTime, utcnow

SCHEMA_VERSION = 10  # 2: devices.device_no; unique (hall, device_no) and (hall, receipt_no); receipt_collisions
#                    3: devices.role and enrollment_codes.role; staff_accounts
#                    4: hall_blobs (which hall uploaded which file)
#                    5: audit_heads, audit_head_discrepancies, platform_audit (new tables only: create_all makes them)
#                    6: hall_queue_stats (a new table only: create_all makes it)
#                    7: appointments, licences, pre-review and visits (new tables only, in
#                       appointments_models, licences_models, prereview_models: create_all makes them)
#                    8: blobs.locator (where object storage keeps the file); uploads.assembly and uploads.head
#                       (an upload's progress lives in the database, so any instance takes its next chunk)
#                    9: indexes for a feed per hall and cheap counts: changes (hall_code, id) replaces changes
#                       (hall_code); cases (device_id, complete, status)
#                   10: devices (revoked_at) where revoked: each instance's revocation check every few seconds

#: what an enrolled terminal may do: a kiosk pushes and reads back its own applications, a counter works the hall's cases
DEVICE_ROLES = ("kiosk", "counter")


class PlatformBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class SchemaInfo(PlatformBase):
    """One row: the schema version this database was built for."""

    __tablename__ = "platform_schema"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


DEVICE_NO_INDEX = "uq_devices_hall_device_no"
RECEIPT_NO_INDEX = "uq_cases_hall_receipt_no"
#: a hall's feed page is a range of this index, however long the history of the hall or of the province
CHANGES_FEED_INDEX = "ix_changes_hall_code_id"
#: a device's counts (/summary) and a hall's open online cases (a new counter's start) without reading cases
CASES_DEVICE_INDEX = "ix_cases_device_id_complete_status"
#: the revoked devices (few): every platform process asks for the newest every few seconds (`token_cache`)
DEVICES_REVOKED_INDEX = "ix_devices_revoked_at"


class Device(PlatformBase):
    """An enrolled terminal; `device_no` is its number in the hall (None for the online portal)."""

    __tablename__ = "devices"
    __table_args__ = (Index(DEVICE_NO_INDEX, "hall_code", "device_no", unique=True),
                      Index(DEVICES_REVOKED_INDEX, "revoked_at", postgresql_where=text("revoked_at IS NOT NULL"),
                            sqlite_where=text("revoked_at IS NOT NULL")))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    device_no: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    role: Mapped[str] = mapped_column(String(16), default="counter")  # one of DEVICE_ROLES


class EnrollmentCode(PlatformBase):
    """A one-time code, stored only as its hash, that expires."""

    __tablename__ = "enrollment_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hall_code: Mapped[str] = mapped_column(String(12))
    device_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    role: Mapped[str] = mapped_column(String(16), default="counter")  # the role the enrolled device gets


class StaffAccount(PlatformBase):
    """A hall's staff member as the hall's administrator registered them on the platform.

    The platform is where staff accounts live: counters receive their hall's
    list (with the Argon2id hashes) when they sync and check passwords
    against it offline, and the platform accepts a decision only when its
    `decided_by` names an active account of the case's hall whose role may
    decide. Accounts are disabled, never deleted: old decisions name them.
    """

    __tablename__ = "staff_accounts"
    __table_args__ = (UniqueConstraint("hall_code", "username", name="uq_staff_accounts_hall_username"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    username: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # kiosk.staff.Role
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublishedCatalog(PlatformBase):
    __tablename__ = "catalogs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(128))
    document: Mapped[dict[str, Any]]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(PlatformBase):
    """An application as received; `uuid` is the client's id and is unique."""

    __tablename__ = "cases"
    __table_args__ = (Index(RECEIPT_NO_INDEX, "hall_code", "receipt_no", unique=True),
                      Index(CASES_DEVICE_INDEX, "device_id", "complete", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    device_no: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str | None] = mapped_column(String(40), index=True)
    case_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    service_item: Mapped[str] = mapped_column(String(64))
    catalog_version: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(32), index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceiptCollision(PlatformBase):
    """A receipt number of a hall that a second application arrived with (refused, or found by the upgrade).

    Each citizen holds a paper receipt with this number, so a status lookup by
    it would show one of them the other's case: such lookups are refused.
    """

    __tablename__ = "receipt_collisions"
    __table_args__ = (UniqueConstraint("hall_code", "receipt_no", "case_uuid", name="uq_receipt_collisions_case"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)
    case_uuid: Mapped[str] = mapped_column(String(36))  # the application that arrived second
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseAttachment(PlatformBase):
    __tablename__ = "case_attachments"
    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_case_attachments_case_sha"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))


class Conflict(PlatformBase):
    """A second, different content for a UUID already held: kept for staff, never applied."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_uuid: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (UniqueConstraint("case_uuid", "content_hash", name="uq_conflicts_case_content"),)


class Blob(PlatformBase):
    """A verified attachment file, named by its SHA-256; `locator` says where its store keeps it
    (None: the local blob directory, under its hash; see `sync.server.blobstore`)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    locator: Mapped[str | None] = mapped_column(String(512), nullable=True)


class HallBlob(PlatformBase):
    """A file a hall has uploaded (or the platform stored for it): only then may its cases use it.

    Bytes are stored once however many halls upload them (`Blob`), but a hash
    is a key only inside the hall that sent the bytes: knowing another hall's
    file's SHA-256 gives nothing. `size` and `media_type` are the stored
    file's, which every case of the hall naming it must declare.
    """

    __tablename__ = "hall_blobs"
    __table_args__ = (UniqueConstraint("hall_code", "sha256", name="uq_hall_blobs_hall_sha"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    first_uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Upload(PlatformBase):
    """A resumable upload in progress; `offset` moves only after a verified chunk.

    `offset` is the truth for every instance: it and `assembly` (the store's state of the bytes put together
    so far, `sync.server.blobstore.Assembly`) move together in one transaction under the row's lock.
    `head` keeps the file's first bytes, sealed with the blob key, which decide its media type when the last
    chunk arrives.
    """

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("device_id", "sha256", name="uq_uploads_device_sha"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    assembly: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    head: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class Change(PlatformBase):
    """One status change of a case, in the order the feed returns them.

    Ids come from one sequence, but only a hall's own changes are ordered
    against each other (`sync.server.cases.feed_lock`): a hall's feed is read
    through `(hall_code, id)`.
    """

    __tablename__ = "changes"
    __table_args__ = (Index(CHANGES_FEED_INDEX, "hall_code", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(12))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    missing_materials: Mapped[list[Any]] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(PlatformBase):
    """A hall's decision on a case as its terminal sent it.

    `decision_id` is the terminal's UUID and a unique constraint, so a retried
    request can never move a case twice; `decided_by` is the staff member as
    the terminal names them (the terminal's audit actor), `change_id` the feed
    entry it produced.
    """

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    to_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    missing_materials: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"), unique=True)


class AuditHead(PlatformBase):
    """A terminal's audit head the platform accepted (see sync.server.audit_heads); never updated or deleted.

    Each one extends the previous one of its device: the terminal proved it still held the same hash
    at the previous head's entry.
    """

    __tablename__ = "audit_heads"
    __table_args__ = (UniqueConstraint("device_id", "last_id", name="uq_audit_heads_device_last"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    entry_count: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditHeadDiscrepancy(PlatformBase):
    """A head a terminal sent that did not extend the one the platform holds: kept, never accepted."""

    __tablename__ = "audit_head_discrepancies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    entry_count: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    anchor_id: Mapped[int | None] = mapped_column(BigInteger)
    anchor_count: Mapped[int | None] = mapped_column(BigInteger)
    anchor_hash: Mapped[str | None] = mapped_column(String(64))
    held_head_id: Mapped[int] = mapped_column(ForeignKey("audit_heads.id"))
    problem_zh: Mapped[str] = mapped_column(Text)
    problem_en: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformAuditEntry(PlatformBase):
    """The platform's own audit log (sync.server.platform_audit): a hash chain like the terminal's."""

    __tablename__ = "platform_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class HallQueueStat(PlatformBase):
    """One hour of one queue line of one hall on one day, as a counter recomputed it from the hub's tickets.

    Keyed by (hall, day, hour, line): a counter re-sends a day whenever it recomputes it, and each row
    replaces the one it names, so re-sending is harmless and a late ticket is counted once.
    """

    __tablename__ = "hall_queue_stats"
    hall_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    service_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_shows: Mapped[int] = mapped_column(Integer)
    wait_seconds_sum: Mapped[float]
    walk_seconds_sum: Mapped[float]
    service_seconds_sum: Mapped[float]
    served_within_target: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))  # the counter that sent it last
    received_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
