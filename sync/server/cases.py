"""Cases on the platform: receiving pushed applications, completeness, decisions, the feed.

A case is complete only when every attachment it names has arrived and been
verified; only then does it become "received" and get its case number, so a
terminal never tells a citizen "received" while a scan is still missing.
"""
from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, String, and_, bindparam, func, insert, or_, select, text, update
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from kiosk.application_document import ApplicationDocument
from kiosk.errors import Message, UserFacingError
from kiosk.lifecycle import LABELS, TERMINAL, Status, can_move
from kiosk.receipt_numbers import InvalidReceiptNo, parse_receipt_no
from sync import wire
from sync.protocol import DECISIONS
from sync.server import platform_audit, raw_sql
from sync.server.centre_settings_models import CentreSettingsLayer, settings_scope
from sync.server.db import PlatformStore
from sync.server.prereview_models import CasePreReview
from sync.server.staff import StaffRefused, check_decider
from sync.server.models import (
    Case,
    CaseAttachment,
    Change,
    Conflict,
    Decision,
    Device,
    HallBlob,
    PublishedCatalog,
    ReceiptCollision,
    utcnow,
)

log = logging.getLogger("onewindow.platform")
SHA_RE = re.compile(r"[0-9a-f]{64}")
CODE_RE = re.compile(r"[0-9A-Za-z_.-]{1,64}")


@dataclass
class PushResult:
    id: str
    result: str  # created | duplicate | conflict | rejected
    reason: dict[str, str] | None = None
    missing: list[str] = field(default_factory=list)
    complete: bool = False
    status: str | None = None
    case_no: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "result": self.result, "reason": self.reason, "missing": self.missing,
                "complete": self.complete, "status": self.status, "case_no": self.case_no}


class ItemInvalid(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.reason = {"zh": zh, "en": en}


#: what a refusal calls the part of a pushed document that is wrong
FIELD_NAMES = {
    "id": ("申请编号", "the application id"), "hall_code": ("大厅编码", "the hall code"),
    "device_no": ("设备编号", "the device number"), "receipt_no": ("回执编号", "the receipt number"),
    "channel": ("受理渠道", "the channel"), "submitted_at": ("提交时间", "the submission time"),
    "content": ("申请内容", "the application content"), "content_hash": ("内容校验值", "the content hash"),
    "attachments": ("附件清单", "the attachment list"), "materials_detail": ("材料明细", "the materials detail"),
}


def _check_item(raw: Any, device: Device) -> ApplicationDocument:
    """Validate one pushed application with the document's own model; every failure names what is wrong."""
    try:
        doc = ApplicationDocument.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        where = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in errors[:3])
        top = str(errors[0]["loc"][0]) if errors and errors[0]["loc"] else ""
        zh, en = FIELD_NAMES.get(top, ("申请文档", "the application document"))
        raise ItemInvalid(f"{zh}无效（{where}）。", f"{en} is invalid ({where})") from None
    if doc.hall_code != device.hall_code:
        raise ItemInvalid("申请所属大厅与本设备注册的大厅不符。",
                          "the application's hall is not the hall this device is enrolled in")
    problems = doc.problems()
    if problems:
        raise ItemInvalid("申请文档前后不一致（内容校验值或附件清单不符），数据在传输中可能已损坏。",
                          "the application document is inconsistent: " + "; ".join(problems))
    return doc


def _missing(session: Session, case: Case) -> list[str]:
    """The case's files its hall has not uploaded (another hall's copy of the bytes never counts).

    A file the hall holds with another size or media type than the case
    declares is missing too: the case never links to bytes other than those
    it described.
    """
    rows = session.execute(select(CaseAttachment.sha256, HallBlob.id)
                           .outerjoin(HallBlob, and_(HallBlob.hall_code == case.hall_code,
                                                     HallBlob.sha256 == CaseAttachment.sha256,
                                                     HallBlob.size == CaseAttachment.size,
                                                     HallBlob.media_type == CaseAttachment.media_type))
                           .where(CaseAttachment.case_id == case.id))
    return sorted({sha for sha, owned in rows if owned is None})


def hall_blob(session: Session, hall_code: str, sha256: str) -> HallBlob | None:
    """The hall's record of having uploaded this file, or None: the only way a hall reaches a file."""
    return session.scalar(select(HallBlob).where(HallBlob.hall_code == hall_code, HallBlob.sha256 == sha256))


def declared_mismatch(sha256: str, declared_size: int, declared_type: str, size: int, media_type: str) -> dict[str, str]:
    """The bilingual reason a case's description of a file and the stored file disagree."""
    return {"zh": f"附件 {sha256[:12]}… 的申报与平台保存的文件不符（申报 {declared_size} 字节、{declared_type}；"
                  f"文件为 {size} 字节、{media_type}），平台拒收。",
            "en": f"attachment {sha256[:12]}… is declared as {declared_size} bytes of {declared_type} but the stored "
                  f"file is {size} bytes of {media_type}; refused"}


def _check_declarations(session: Session, hall_code: str, doc: ApplicationDocument) -> None:
    """Each file the hall already holds must be declared as what it is (size and media type)."""
    for att in doc.attachments:
        owned = hall_blob(session, hall_code, att.sha256)
        if owned is not None and (owned.size != att.size or owned.media_type != att.media_type):
            reason = declared_mismatch(att.sha256, att.size, att.media_type, owned.size, owned.media_type)
            raise ItemInvalid(reason["zh"], reason["en"])


FEED_LOCK_CLASS = 7301  # pg_advisory_xact_lock(7301, hashtext(hall)): one hall's feed writers (7302: the audit chain)


def feed_lock(session: Session, hall_code: str) -> None:
    """Serialise the writers of one hall's feed until they commit; other halls never wait.

    The feed's cursor is the change id. On PostgreSQL two transactions can take
    ids 5 and 6 and commit 6 first; a terminal reading then would move its
    cursor past 5 and never see it. Holding a transaction-scoped advisory lock
    of the hall before taking an id makes the hall's ids commit in order, and
    a feed is only ever read per hall. Two halls whose codes hash alike share
    a lock, which costs a wait, never an order. (SQLite writers are already
    serialised by BEGIN IMMEDIATE.) A transaction that also writes the audit
    chain takes this lock first and the chain's after, never the other way.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(:hall))"),
                        {"cls": FEED_LOCK_CLASS, "hall": hall_code})


def add_change(session: Session, **values: Any) -> None:
    feed_lock(session, values["hall_code"])
    session.add(Change(**values))


def complete_case(session: Session, case: Case) -> None:
    """Mark a case complete, give it its case number and tell the hall through the feed."""
    now = utcnow()
    case.complete = True
    case.completed_at = now
    case.case_no = case.case_no or f"SJ{case.hall_code}-{now:%Y%m%d}-{case.id:06d}"
    case.status = "received"
    case.updated_at = now
    add_change(session, hall_code=case.hall_code, case_id=case.id, status="received", actor="platform",
               missing_materials=[])


def _result_for(session: Session, case: Case, result: str) -> PushResult:
    return PushResult(case.uuid, result, missing=_missing(session, case), complete=case.complete,
                      status=case.status, case_no=case.case_no)


def _receipt_no(raw: dict[str, Any], device: Device) -> str | None:
    """The pushed receipt number, which must be a well-formed one of this hall (or absent).

    Well-formed, so that a status lookup by receipt number can never match a
    case number or an id pushed in its place.
    """
    value = raw.get("receipt_no")
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise InvalidReceiptNo()
        parsed = parse_receipt_no(value)
    except InvalidReceiptNo:
        raise ItemInvalid("回执编号格式无效。", "the receipt number is not a valid receipt number") from None
    if str(parsed) != value or parsed.hall_code != device.hall_code:
        raise ItemInvalid("回执编号不是本大厅的有效回执编号。", "the receipt number is not a valid receipt number of this hall")
    return value


def _record_collision(session: Session, device: Device, receipt_no: str, app_id: str) -> None:
    """Two citizens hold this receipt number now: from here on a lookup by it answers neither."""
    exists = session.scalar(select(ReceiptCollision.id).where(
        ReceiptCollision.hall_code == device.hall_code, ReceiptCollision.receipt_no == receipt_no,
        ReceiptCollision.case_uuid == app_id))
    if exists is None:
        try:
            with session.begin_nested():
                session.add(ReceiptCollision(hall_code=device.hall_code, receipt_no=receipt_no, case_uuid=app_id,
                                             device_id=device.id))
                session.flush()
        except IntegrityError:  # the same refused application, pushed twice at once
            pass


class AmbiguousReceipt(UserFacingError):
    def __init__(self, receipt_no: str) -> None:
        super().__init__(Message(
            f"回执编号 {receipt_no} 在本大厅对应不止一件申请，为保护申请人信息不予显示。请工作人员按案件号查询。",
            f"Receipt number {receipt_no} belongs to more than one application of this hall, so neither is shown, "
            "to protect each applicant. Staff can look the case up by its case number."), code="ambiguous_receipt")


def push_one(session: Session, device: Device, raw: Any) -> PushResult:
    try:
        doc = _check_item(raw, device)
        receipt_no = _receipt_no(raw, device)
    except ItemInvalid as exc:
        ident = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
        return PushResult(ident[:64], "rejected", reason=exc.reason)
    app_id, digest = doc.id, doc.content_hash
    existing = session.scalar(select(Case).where(Case.uuid == app_id))
    if existing is None:
        try:
            _check_declarations(session, device.hall_code, doc)
        except ItemInvalid as exc:
            return PushResult(app_id, "rejected", reason=exc.reason)
        case = Case(uuid=app_id, hall_code=device.hall_code, device_id=device.id, device_no=doc.device_no,
                    receipt_no=receipt_no, service_item=doc.content.service_item,
                    catalog_version=doc.content.catalog_version, content_hash=digest, document=doc.wire(),
                    status="submitted")
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
                for att in doc.attachments:
                    session.add(CaseAttachment(case_id=case.id, sha256=att.sha256, size=att.size,
                                               media_type=att.media_type))
                session.flush()
        except IntegrityError:  # a concurrent retry inserted it first, or the receipt number is taken
            existing = session.scalar(select(Case).where(Case.uuid == app_id))
            if existing is None:
                holder = session.scalar(select(Case.id).where(Case.hall_code == device.hall_code,
                                                              Case.receipt_no == receipt_no)) if receipt_no else None
                if holder is None:
                    raise
                assert receipt_no is not None
                _record_collision(session, device, receipt_no, app_id)
                return PushResult(app_id, "rejected", reason={
                    "zh": f"回执编号 {receipt_no} 在本大厅已属于另一件申请，平台拒收本申请。两台终端可能使用了相同的设备编号，"
                          "请工作人员用 onewindow doctor 核对。",
                    "en": f"receipt number {receipt_no} already belongs to another application of this hall, so the "
                          "platform refused this one. Two terminals may share a device number; staff, check it with "
                          "onewindow doctor."})
        else:
            if not _missing(session, case):
                complete_case(session, case)
            return _result_for(session, case, "created")
    if existing.hall_code != device.hall_code or existing.device_id != device.id:
        # Another device's case: never confirm it, never describe it, and write nothing onto it
        # (a conflict row would let any device plant content on any case whose id it learnt).
        return PushResult(app_id, "rejected", reason={
            "zh": "申请编号已被其他设备的申请占用，平台拒收本申请；原申请未受影响。",
            "en": "the application id is already taken by another device's application; this one was refused and "
                  "the other was not touched"})
    if existing.content_hash == digest:
        return _result_for(session, existing, "duplicate")
    if not session.scalar(select(Conflict.id).where(Conflict.case_uuid == app_id, Conflict.content_hash == digest)):
        with session.begin_nested():
            session.add(Conflict(case_uuid=app_id, device_id=device.id, content_hash=digest, document=doc.wire()))
    return PushResult(app_id, "conflict", reason={
        "zh": "平台已有同一编号但内容不同的申请；新内容已留存待工作人员处理，未覆盖。",
        "en": "the platform holds a different application under this id; the new content was kept for staff "
              "and nothing was overwritten"})


def push_batch(store: PlatformStore, device: Device, items: list[Any]) -> list[PushResult]:
    """Each item judged on its own. The batch's new applications go in together, in one transaction of a few
    statements (`_push_new_batch`: a batch of 20 cost 20 transactions of five statements each); every other
    item (known already, a file the hall holds as something else, a race, a receipt number's collision) and
    a batch whose transaction failed go one transaction per item, so one bad item never undoes the others."""
    results: list[PushResult | None] = [None] * len(items)
    checked: list[tuple[int, Any, ApplicationDocument, str | None]] = []
    for k, raw in enumerate(items):
        try:
            doc = _check_item(raw, device)
            receipt_no = _receipt_no(raw, device)
        except ItemInvalid as exc:
            ident = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else ""
            results[k] = PushResult(ident[:64], "rejected", reason=exc.reason)
            continue
        checked.append((k, raw, doc, receipt_no))
    together: dict[str, PushResult] = {}
    firsts = list({doc.id: (doc, receipt_no) for _k, _raw, doc, receipt_no in reversed(checked)}.values())
    if len(firsts) > 1:
        try:
            with store.engine.begin() as conn:
                together = _push_new_batch(conn, device, firsts)
        except SQLAlchemyError:  # e.g. a deadlock with another batch: each item on its own instead
            log.warning("a batch of %d applications went in one at a time", len(firsts), exc_info=True)
            together = {}
    seen: set[str] = set()
    for k, raw, doc, receipt_no in checked:
        found = together.get(doc.id) if doc.id not in seen else None  # an id twice in a batch: then a duplicate
        seen.add(doc.id)
        results[k] = found if found is not None else _push_single(store, device, raw, doc, receipt_no)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def _push_single(store: PlatformStore, device: Device, raw: Any, doc: ApplicationDocument,
                 receipt_no: str | None) -> PushResult:
    try:
        with store.engine.begin() as conn:
            result = _push_new(conn, device, doc, receipt_no)
    except _Refused as refused:
        result = refused.result
    if result is None:  # known already, or a race or a receipt number's collision: the ORM path answers
        with store.transaction() as session:
            dev = session.get(Device, device.id)
            assert dev is not None
            result = push_one(session, dev, raw)
    return result


def _push_new_batch(conn: Connection, device: Device, items: list[tuple[ApplicationDocument, str | None]]
                    ) -> dict[str, PushResult]:
    """New applications (distinct ids) in one transaction: the hall's files they name looked up once, the cases
    inserted (each unless it exists), their attachments in one statement, those whose files the hall
    holds completed together. Returns the answers of the applications it inserted; the others (known already,
    a receipt number taken, a file the hall holds with another size or type) are left to `_push_single`.
    Inserted in id order, so two batches holding the same ids (a push sent again while the first still runs)
    take their locks in the same order."""
    owned = _hall_files(conn, device.hall_code, [att.sha256 for doc, _rn in items for att in doc.attachments])
    fit = sorted((pair for pair in items if all(owned.get(att.sha256, (att.size, att.media_type))
                                                == (att.size, att.media_type) for att in pair[0].attachments)),
                 key=lambda pair: pair[0].id)
    if not fit or _insert_case_statement(conn) is None:
        return {}
    # One row a statement: the same statement each time, which the driver prepares once; a many-row INSERT's
    # text was new to the driver every time (too long for its cache) and cost more to parse than 20 executions.
    inserted: dict[str, int] = {}
    for doc, receipt_no in fit:
        case_id = _insert_case(conn, device, doc, receipt_no)
        if case_id is not None:
            inserted[doc.id] = case_id
    new = [doc for doc, _rn in fit if doc.id in inserted]
    _insert_attachments(conn, [(inserted[doc.id], doc) for doc in new])
    answers: dict[str, PushResult] = {}
    whole: list[int] = []
    for doc in new:
        missing = sorted({att.sha256 for att in doc.attachments} - set(owned))
        if missing:
            answers[doc.id] = PushResult(doc.id, "created", missing=missing, complete=False, status="submitted")
        else:
            whole.append(inserted[doc.id])
    if whole:
        numbers = complete_cases(conn, device.hall_code, whole)
        for doc in new:
            if inserted[doc.id] in numbers:
                answers[doc.id] = PushResult(doc.id, "created", complete=True, status="received",
                                             case_no=numbers[inserted[doc.id]])
    return answers


def _insert_case_statement(conn: Connection) -> Any:
    """The new case's INSERT … ON CONFLICT DO NOTHING RETURNING its id, built once per dialect; None on a
    database that has no such statement (the ORM path then answers)."""
    dialect = conn.dialect.name
    statement = _INSERT_CASE.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:  # pragma: no cover - the platform runs on PostgreSQL or SQLite
            return None
        statement = _INSERT_CASE[dialect] = (dialect_insert(Case.__table__).on_conflict_do_nothing()
                                             .returning(Case.__table__.c.id))
    return statement


def _insert_case(conn: Connection, device: Device, doc: ApplicationDocument, receipt_no: str | None) -> int | None:
    """The new case's id, or None when it exists (or its receipt number is taken). On PostgreSQL straight
    through the driver (`raw_sql`), the document wrapped as Core's JSON type wraps it."""
    values = {"uuid": doc.id, "hall_code": device.hall_code, "device_id": device.id, "device_no": doc.device_no,
              "receipt_no": receipt_no, "service_item": doc.content.service_item,
              "catalog_version": doc.content.catalog_version, "content_hash": doc.content_hash,
              "document": doc.wire(), "status": "submitted", "complete": False}
    if not raw_sql.is_postgresql(conn):
        return conn.execute(_insert_case_statement(conn), values).scalar()
    from psycopg.types.json import Json

    found = raw_sql.rows(conn, _INSERT_CASE_PG, {**values, "document": Json(values["document"]),
                                                 "now": raw_sql.stored_now()})
    return found[0][0] if found else None


def _hall_files(conn: Connection, hall_code: str, shas: list[str]) -> dict[str, tuple[int, str]]:
    """The size and media type of each of these files the hall holds."""
    shas = list(dict.fromkeys(shas))
    if not shas:
        return {}
    if raw_sql.is_postgresql(conn):
        found: Any = raw_sql.rows(conn, _HALL_FILES_PG, {"hall_code": hall_code, "shas": shas})
    else:
        found = conn.execute(_HALL_FILES, {"hall_code": hall_code, "shas": shas})
    return {sha: (size, media_type) for sha, size, media_type in found}


def _insert_attachments(conn: Connection, cases: list[tuple[int, ApplicationDocument]]) -> None:
    """The new cases' attachment rows: on PostgreSQL in one statement whatever their number."""
    rows = [{"case_id": case_id, "sha256": att.sha256, "size": att.size, "media_type": att.media_type}
            for case_id, doc in cases for att in doc.attachments]
    if rows and raw_sql.is_postgresql(conn):
        raw_sql.rows(conn, _INSERT_ATTACHMENTS_PG, {key: [r[key] for r in rows]
                                                    for key in ("case_id", "sha256", "size", "media_type")})
    elif rows:
        conn.execute(insert(CaseAttachment.__table__), rows)


class _Refused(Exception):
    """Undoes a new case's insert (its transaction rolls back) and carries the answer that refused it."""

    def __init__(self, result: PushResult) -> None:
        super().__init__(result.result)
        self.result = result


def _push_new(conn: Connection, device: Device, doc: ApplicationDocument, receipt_no: str | None) -> PushResult | None:
    """A new application in Core statements (the case inserted unless it exists, its attachments, one look-up
    of the hall's files, completed at once when the hall holds every file); None for anything else
    (`push_one`): an application known already, a race, a receipt number's collision. The insert comes first,
    so a new application (nearly every push) costs no look-up of its id; one whose files the hall holds with
    another size or type is refused and its insert undone (`_Refused` rolls the transaction back)."""
    if _insert_case_statement(conn) is None:
        return None
    case_id = _insert_case(conn, device, doc, receipt_no)
    if case_id is None:  # known already, a concurrent retry inserted it first, or the receipt number is taken
        return None
    owned = _hall_files(conn, device.hall_code, [att.sha256 for att in doc.attachments])
    for att in doc.attachments:
        held = owned.get(att.sha256)
        if held is not None and held != (att.size, att.media_type):
            reason = declared_mismatch(att.sha256, att.size, att.media_type, held[0], held[1])
            raise _Refused(PushResult(doc.id, "rejected", reason=reason))
    _insert_attachments(conn, [(case_id, doc)])
    missing = sorted({att.sha256 for att in doc.attachments} - set(owned))
    if missing:
        return PushResult(doc.id, "created", missing=missing, complete=False, status="submitted")
    case_no = complete_cases(conn, device.hall_code, [case_id])[case_id]
    return PushResult(doc.id, "created", complete=True, status="received", case_no=case_no)


_INSERT_CASE: dict[str, Any] = {}  # dialect -> the new case's INSERT … ON CONFLICT DO NOTHING, built once
# PostgreSQL, through `raw_sql`: the same INSERT with its column defaults given (times as `UTCDateTime` stores
# them), and a batch's attachments in one INSERT from arrays (in the order given).
_INSERT_CASE_PG = text(
    "INSERT INTO cases (uuid, hall_code, device_id, device_no, receipt_no, service_item, catalog_version, "
    "content_hash, document, status, complete, received_at, updated_at) VALUES (:uuid, :hall_code, :device_id, "
    ":device_no, :receipt_no, :service_item, :catalog_version, :content_hash, :document, :status, :complete, "
    ":now, :now) ON CONFLICT DO NOTHING RETURNING cases.id")
_INSERT_ATTACHMENTS_PG = text(
    "INSERT INTO case_attachments (case_id, sha256, size, media_type) "
    "SELECT * FROM unnest(CAST(:case_id AS INTEGER[]), CAST(:sha256 AS VARCHAR[]), CAST(:size AS BIGINT[]), "
    "CAST(:media_type AS VARCHAR[]))")
_HALL_FILES_PG = text("SELECT sha256, size, media_type FROM hall_blobs WHERE hall_code = :hall_code "
                      "AND sha256 = ANY(:shas)")
_HALL_FILES = (select(HallBlob.sha256, HallBlob.size, HallBlob.media_type)
               .where(HallBlob.hall_code == bindparam("hall_code"), HallBlob.sha256.in_(bindparam("shas", expanding=True))))


# Statements every upload and push runs, built once: building one (its clauses, its cache key's parts) cost
# more than running it. Values go in as bound parameters.
_FEED_LOCK = text("SELECT pg_advisory_xact_lock(:cls, hashtext(:hall))")
_COMPLETE = (update(Case.__table__).where(Case.__table__.c.id == bindparam("case_id"))
             .values(complete=True, completed_at=bindparam("now"), status="received", updated_at=bindparam("now"),
                     case_no=func.coalesce(Case.__table__.c.case_no, bindparam("case_no", type_=String)))
             .returning(Case.__table__.c.case_no))
_RECEIVED = insert(Change.__table__)
# PostgreSQL: `_COMPLETE` for every case and `_RECEIVED` for each in one statement (the feed's entries in case id
# order); the case number a case already has is kept, as `_COMPLETE` does. Times as `UTCDateTime` stores them.
_COMPLETE_ALL = text(
    "WITH given AS (SELECT * FROM unnest(CAST(:case_ids AS INTEGER[]), CAST(:case_nos AS VARCHAR[])) AS g(id, case_no)), "
    "done AS (UPDATE cases SET complete = true, completed_at = :now, status = 'received', updated_at = :now, "
    "case_no = coalesce(cases.case_no, given.case_no) FROM given WHERE cases.id = given.id "
    "RETURNING cases.id, cases.case_no), "
    "feed AS (INSERT INTO changes (hall_code, case_id, status, note, missing_materials, actor, at) "
    "SELECT :hall_code, id, 'received', NULL, CAST('[]' AS JSON), 'platform', :now FROM done ORDER BY id) "
    "SELECT id, case_no FROM done")
_DECLARATIONS = (select(CaseAttachment.size, CaseAttachment.media_type, Case.device_id)
                 .join(Case, Case.id == CaseAttachment.case_id)
                 .where(CaseAttachment.sha256 == bindparam("sha256"), Case.hall_code == bindparam("hall_code")))


def complete_cases(conn: Connection, hall_code: str, case_ids: list[int]) -> dict[int, str]:
    """`complete_case` in Core for cases of one hall locked (or made) by this transaction; their case numbers."""
    now = utcnow()
    if raw_sql.is_postgresql(conn):
        # feed_lock (the hall's changes commit in id order), then every case and its feed entry in one statement
        raw_sql.rows(conn, _FEED_LOCK, {"cls": FEED_LOCK_CLASS, "hall": hall_code})
        return dict(raw_sql.rows(conn, _COMPLETE_ALL, {
            "hall_code": hall_code, "now": now.replace(tzinfo=None), "case_ids": case_ids,
            "case_nos": [f"SJ{hall_code}-{now:%Y%m%d}-{case_id:06d}" for case_id in case_ids]}))
    numbers: dict[int, str] = {}
    for case_id in case_ids:
        numbers[case_id] = conn.execute(_COMPLETE, {"case_id": case_id, "now": now,
                                                    "case_no": f"SJ{hall_code}-{now:%Y%m%d}-{case_id:06d}"}).scalar_one()
    conn.execute(_RECEIVED, [
        {"hall_code": hall_code, "case_id": case_id, "status": "received", "actor": "platform",
         "missing_materials": [], "note": None, "at": now} for case_id in case_ids])
    return numbers


def missing_blobs(session: Session, hall_code: str, shas: list[str]) -> list[str]:
    """Of these files, those the caller's hall has not uploaded: whether another hall has is never said."""
    have = set(session.scalars(select(HallBlob.sha256).where(HallBlob.hall_code == hall_code,
                                                             HallBlob.sha256.in_(shas)))) if shas else set()
    return [s for s in dict.fromkeys(shas) if s not in have]


def declarations_in_hall(session: Session, hall_code: str, sha256: str) -> list[tuple[int, str, int]]:
    """(size, media type, device id) of every case of the hall that names this file."""
    return [(size, media_type, device_id) for size, media_type, device_id in session.execute(
        _DECLARATIONS, {"sha256": sha256, "hall_code": hall_code})]


def visible_to(device: Device) -> list[Any]:
    """The cases a device may read: a counter its hall's, a kiosk only those it pushed itself."""
    where: list[Any] = [Case.hall_code == device.hall_code]
    if device.role != "counter":
        where.append(Case.device_id == device.id)
    return where


def referenced_by_device(session: Session, device_id: int, sha256: str) -> bool:
    """A file of one of the cases this device pushed itself (what a kiosk may download again)."""
    return session.scalar(select(func.count()).select_from(CaseAttachment)
                          .join(Case, Case.id == CaseAttachment.case_id)
                          .where(CaseAttachment.sha256 == sha256, Case.device_id == device_id)) > 0


def case_states(session: Session, device: Device, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for app_id in dict.fromkeys(ids):
        case = session.scalar(select(Case).where(Case.uuid == app_id, *visible_to(device)))
        if case is None:
            out.append({"id": app_id, "known": False})
        else:
            missing = _missing(session, case)
            if not case.complete and not missing:  # its last file arrived while it was being pushed
                case = session.scalar(select(Case).where(Case.id == case.id).with_for_update())
                assert case is not None
                session.refresh(case)
                if not case.complete:
                    complete_case(session, case)
            out.append({"id": app_id, "known": True, "complete": case.complete, "missing": missing,
                        "status": case.status, "case_no": case.case_no, "content_hash": case.content_hash})
    return out


# `case_states_read`'s and `summary`'s statements (every sync pass runs them), built once: a counter reads its
# hall's cases, a kiosk only those it pushed itself (`visible_to`).
_STATES_HALL = (select(Case.id, Case.uuid, Case.complete, Case.status, Case.case_no, Case.content_hash)
                .where(Case.uuid.in_(bindparam("ids", expanding=True)), Case.hall_code == bindparam("hall_code")))
_STATES_DEVICE = _STATES_HALL.where(Case.device_id == bindparam("device_id"))
_STATES_LACKING = (select(CaseAttachment.case_id, CaseAttachment.sha256)
                   .outerjoin(HallBlob, and_(HallBlob.hall_code == bindparam("hall_code"),
                                             HallBlob.sha256 == CaseAttachment.sha256,
                                             HallBlob.size == CaseAttachment.size,
                                             HallBlob.media_type == CaseAttachment.media_type))
                   .where(CaseAttachment.case_id.in_(bindparam("case_ids", expanding=True)), HallBlob.id.is_(None)))
_HALL_CASES = select(func.count()).select_from(Case).where(Case.hall_code == bindparam("hall_code"))
# what a terminal fetches only when it changed: the newest catalog's ETag, and the newest version of the two
# settings layers that make this terminal's document (sync.server.centre_settings)
_CATALOG_ETAG = select(PublishedCatalog.etag).order_by(PublishedCatalog.id.desc()).limit(1)
_SETTINGS_VERSION = select(func.max(CentreSettingsLayer.version)).where(
    CentreSettingsLayer.scope.in_([bindparam("hall_scope"), bindparam("device_scope")]))
_SUMMARY = (select(_HALL_CASES.scalar_subquery().label("hall_cases"), func.count().label("device_cases"),
                   func.count().filter(Case.complete.is_(True)).label("device_complete"),
                   _CATALOG_ETAG.scalar_subquery().label("catalog_etag"),
                   _SETTINGS_VERSION.scalar_subquery().label("settings_version")).select_from(Case)
            .where(Case.device_id == bindparam("device_id")))


def case_states_read(conn: Connection, device: Device, ids: list[str]) -> list[dict[str, Any]] | None:
    """`case_states` in two Core queries, when it needs to write nothing; None when a case's last file arrived
    while it was being pushed (`case_states` then completes it, in a transaction that may write)."""
    wanted = list(dict.fromkeys(ids))
    found = {row.uuid: row for row in conn.execute(
        _STATES_HALL if device.role == "counter" else _STATES_DEVICE,
        {"ids": wanted, "hall_code": device.hall_code, "device_id": device.id})} if wanted else {}
    missing: dict[int, set[str]] = {}
    incomplete = [row.id for row in found.values() if not row.complete]
    if incomplete:
        for case_id, sha in conn.execute(_STATES_LACKING, {"hall_code": device.hall_code, "case_ids": incomplete}):
            missing.setdefault(case_id, set()).add(sha)
    out: list[dict[str, Any]] = []
    for app_id in wanted:
        row = found.get(app_id)
        if row is None:
            out.append({"id": app_id, "known": False})
            continue
        lacking = sorted(missing.get(row.id, ()))
        if not row.complete and not lacking:
            return None
        out.append({"id": app_id, "known": True, "complete": row.complete, "missing": lacking,
                    "status": row.status, "case_no": row.case_no, "content_hash": row.content_hash})
    return out


def assigned_application(case: Case, prereview: tuple[wire.PreReview | None, dict[str, str]] = (None, {})
                         ) -> dict[str, Any]:
    """What a hall's terminal needs to take an online case in: content, materials and their files, and the
    platform's pre-review as it stands now (`sync.server.prereview`), each material's verdict on it."""
    doc = case.document or {}
    content = doc.get("content") or {}
    review, verdicts = prereview
    materials = [dict(m, prereview=verdicts.get(str(m.get("code")))) if verdicts and isinstance(m, dict) else m
                 for m in doc.get("materials_detail") or []]
    return wire.AssignedApplication(
        id=case.uuid, hall_code=case.hall_code, case_no=case.case_no or "", receipt_no=case.receipt_no,
        service_item=case.service_item, catalog_version=case.catalog_version,
        applicant=content.get("applicant") or {}, form=content.get("form") or {}, content_hash=case.content_hash,
        submitted_at=doc.get("submitted_at"), promised_date=doc.get("promised_date"),
        materials=materials, prereview=review).model_dump(mode="json")


def prereview_of(session: Session, case: Case) -> tuple[wire.PreReview | None, dict[str, str]]:
    """What a case's assignment carries of its pre-review (`sync.server.prereview`): who, when, the note, and
    each material's verdict; (None, {}) when the platform has not pre-reviewed it."""
    row = session.scalar(select(CasePreReview).where(CasePreReview.case_id == case.id))
    if row is None:
        return None, {}
    return wire.PreReview(by=row.by, at=row.at, note=row.note), dict(row.verdicts or {})


def feed_head(session: Session | Connection, hall_code: str) -> int:
    """The newest change id of the hall this transaction can see (0 when none): a range end of its index."""
    ((head,),) = _read(session, _FEED_HEAD, {"hall_code": hall_code})
    return int(head or 0)


def _read(session: Session | Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    """A read every sync pass makes: Core's rows, or on a Core connection to PostgreSQL the driver's own
    (`raw_sql.named_rows`: the same names, times as the database holds them, naive in UTC)."""
    if isinstance(session, Connection):
        return raw_sql.named_rows(session, statement, params)
    return list(session.execute(statement, params))


def _start_cases(session: Session | Connection, device: Device) -> list[int]:
    """The cases a terminal starting from the present still hears about from before: its own applications,
    and for a counter the hall's online cases not yet closed (assigned, waiting to be taken in and handled).

    Read as a list first, so the page's query knows how few they are (a subquery here made PostgreSQL
    expect thousands and read the whole changes table)."""
    ids = list(session.scalars(select(Case.id).where(Case.device_id == device.id)))
    if device.role == "counter":
        portal = session.scalar(select(Device.id).where(Device.token_hash == f"portal:{device.hall_code}"))
        if portal is not None:  # the hall's online portal (`sync.server.online.portal_device`)
            ids += session.scalars(select(Case.id).where(Case.device_id == portal, Case.complete.is_(True),
                                                         Case.status.not_in([s.value for s in TERMINAL])))
    return ids


# A page of the feed, built once (building and caching a statement per request cost more than running it):
# the columns a change needs, never a case's document (only an online case's assignment does, loaded for it alone).
_FEED_COLUMNS = (Change.id, Change.status, Change.note, Change.missing_materials, Change.at, Change.actor,
                 Case.id.label("case_id"), Case.uuid, Case.case_no,
                 Case.document["channel"].as_string().label("channel"), Decision.decision_id)
_FEED_HEAD = select(func.max(Change.id)).where(Change.hall_code == bindparam("hall_code"))
_FEED_PAGE = (select(*_FEED_COLUMNS).join(Case, Case.id == Change.case_id)
              .outerjoin(Decision, Decision.change_id == Change.id)
              .where(Change.hall_code == bindparam("hall_code"), Change.id > bindparam("since"))
              .order_by(Change.id).limit(bindparam("rows")))
_FEED_PAGE_DEVICE = _FEED_PAGE.where(Change.case_id.in_(select(Case.id).where(Case.device_id == bindparam("device_id"))))


def changes_since(session: Session | Connection, hall_code: str, since: int, limit: int, *,
                  device_id: int | None = None, start: int | None = None,
                  device: Device | None = None) -> tuple[list[dict[str, Any]], int, bool]:
    """The hall's feed; with `device_id` (a kiosk) only the changes of the applications that device pushed.

    A kiosk needs the feed only to learn the case numbers and statuses of its
    own applications (its receipts and progress look-ups); other devices'
    cases and the online cases assigned to the hall, which carry the whole
    application, are a counter's business.

    `start` (the hall's `feed_head` when the terminal began, `GET
    /changes/start`) makes the part of the feed up to it hold only what a new
    terminal needs: `device`'s own applications and, for a counter, the
    hall's open online cases (`_start_cases`), all their changes; then the
    cursor jumps to `start` and the feed goes on as usual.

    A page reads a range of the `(hall_code, id)` index from the cursor on,
    never the hall's history before it. A filtered page (a kiosk's, a start)
    that finds fewer rows than asked moves the cursor to the hall's head as
    it was before the page was read, so a kiosk's next page starts at the
    present instead of at its own last change. That head is safe to move to:
    the hall's changes commit in id order (`feed_lock`), so every change up
    to it was visible to the page's query and either returned or not this
    device's.
    """
    starting = start is not None and device is not None and since < start
    head = start if starting else (feed_head(session, hall_code) if device_id is not None else None)
    if starting:
        assert device is not None and start is not None
        # Found through its few cases (`ix_changes_case_id`), not by reading the hall's history up to the start:
        # `id + 0` keeps the planner off the id ranges of both indexes. (The cases are the hall's.) Ordered by
        # `id + 0` too: walking the primary key in order until the page is full would read the whole history
        # when the cases have few changes. Once in a terminal's life, so built here.
        page = (select(*_FEED_COLUMNS).join(Case, Case.id == Change.case_id)
                .outerjoin(Decision, Decision.change_id == Change.id)
                .where(Change.case_id.in_(_start_cases(session, device)), Change.id + 0 > since,
                       Change.id + 0 <= start)
                .order_by(Change.id + 0).limit(limit + 1))
        rows = list(session.execute(page))
    else:
        rows = _read(session, _FEED_PAGE if device_id is None else _FEED_PAGE_DEVICE, {
            "hall_code": hall_code, "since": since, "rows": limit + 1, "device_id": device_id})
    more = len(rows) > limit
    rows = rows[:limit]
    changes = []
    orm: Session | None = None
    for ch in rows:
        row: dict[str, Any] = {
            "seq": ch.id, "kind": "status", "application_id": ch.uuid, "case_no": ch.case_no, "status": ch.status,
            "note": ch.note, "missing_materials": list(ch.missing_materials or []), "at": ch.at.replace(tzinfo=timezone.utc).isoformat(),
            "actor": ch.actor, "decision_id": ch.decision_id}
        if ch.status == "received" and ch.channel == "online":  # an online case's "received" assigns it to the hall
            if orm is None:  # a Core connection (the route's): an ORM session on it, in its transaction
                orm = session if isinstance(session, Session) else Session(bind=session)
            case = orm.get(Case, ch.case_id)
            assert case is not None
            row["kind"] = "assigned"
            row["application"] = assigned_application(case, prereview_of(orm, case))
        changes.append(row)
    cursor = changes[-1]["seq"] if changes else since
    if not more and head is not None:
        cursor = max(cursor, head)
        more = starting  # the rest of the feed, after the start, comes next
    return changes, cursor, more


def summary(session: Session | Connection, device: Device) -> dict[str, Any]:
    """The count check's figures (index-only counts: `ix_cases_hall_code`, `CASES_DEVICE_INDEX`), and what the
    terminal would otherwise ask for on every pass to learn it is unchanged (the catalog's ETag, the settings'
    version): one query, which the feed's last page carries."""
    ((hall_cases, device_cases, device_complete, catalog_etag, settings_version),) = _read(session, _SUMMARY, {
        "hall_code": device.hall_code, "device_id": device.id, "hall_scope": settings_scope(device.hall_code, None),
        "device_scope": settings_scope(device.hall_code, device.id)})
    return {"hall_code": device.hall_code, "hall_cases": int(hall_cases or 0), "device_cases": int(device_cases or 0),
            "device_complete": int(device_complete or 0),
            "catalog_etag": f'"{catalog_etag}"' if catalog_etag is not None else None,
            "settings_version": int(settings_version) if settings_version is not None else None}


def lookup(session: Session, hall_code: str, number: str) -> Case | None:
    """The one case of the hall this number names, or None; never a guess among several.

    The number's shape says which column it is: a receipt number (its check
    character verified, full-width digits and spacing forgiven) is matched
    against receipt numbers only, a UUID against ids only, anything else
    against case numbers only. Receipt numbers are unique per hall and case
    numbers and ids unique everywhere, so at most one case can match; should
    two ever do, neither is shown. A receipt number that a second application
    arrived with (refused at push) names two citizens' cases: `AmbiguousReceipt`.
    """
    number = number.strip()
    if not number.isprintable():  # no number holds control characters (and PostgreSQL refuses NUL)
        return None
    where: Any
    try:
        where = Case.uuid == str(uuid.UUID(number))
    except ValueError:
        try:
            receipt_no = str(parse_receipt_no(number))
        except InvalidReceiptNo:
            where = Case.case_no == number
        else:
            if session.scalar(select(ReceiptCollision.id).where(ReceiptCollision.hall_code == hall_code,
                                                                ReceiptCollision.receipt_no == receipt_no).limit(1)):
                raise AmbiguousReceipt(receipt_no)
            where = Case.receipt_no == receipt_no
    found = list(session.scalars(select(Case).where(Case.hall_code == hall_code, where).limit(2)))
    return found[0] if len(found) == 1 else None


def citizen_view(case: Case) -> dict[str, Any]:
    """What a kiosk may show for a looked-up number: what the citizen holding it may know, and no more.

    No application id (it opens the state and decision calls), no names, no
    materials or files, no device: the status, its note and the numbers the
    citizen already holds.
    """
    return {"case_no": case.case_no, "receipt_no": case.receipt_no, "status": case.status,
            "status_note": case.status_note, "complete": case.complete}


def describe(session: Session, case: Case, *, full: bool = False) -> dict[str, Any]:
    atts = list(session.scalars(select(CaseAttachment).where(CaseAttachment.case_id == case.id)
                                .order_by(CaseAttachment.id)))
    missing = set(_missing(session, case))
    out: dict[str, Any] = {
        "id": case.uuid, "case_no": case.case_no, "receipt_no": case.receipt_no, "hall_code": case.hall_code,
        "device_id": case.device_id, "service_item": case.service_item, "catalog_version": case.catalog_version,
        "status": case.status, "status_note": case.status_note, "complete": case.complete,
        "received_at": case.received_at.isoformat(),
        "completed_at": case.completed_at.isoformat() if case.completed_at else None,
        "attachments": [{"sha256": a.sha256, "size": a.size, "media_type": a.media_type,
                         "arrived": a.sha256 not in missing} for a in atts],
        "conflicts": int(session.scalar(select(func.count()).select_from(Conflict)
                                        .where(Conflict.case_uuid == case.uuid)) or 0),
    }
    if full:
        out["content_hash"] = case.content_hash
        out["channel"] = (case.document or {}).get("channel")
        out["at_counter"] = [m.get("code") for m in (case.document or {}).get("materials_detail") or []
                             if isinstance(m, dict) and m.get("at_counter")]
        out["decisions"] = decisions_of(session, case)
    return out


def list_cases(store: PlatformStore) -> list[dict[str, Any]]:
    with store.transaction() as session:
        return [describe(session, c, full=True) for c in session.scalars(select(Case).order_by(Case.id))]


class DecisionRefused(UserFacingError):
    """A decision the platform will not apply; `status` is the HTTP answer the API gives for it."""

    def __init__(self, message: Message, *, code: str, status: int = 409) -> None:
        super().__init__(message, code=code)
        self.status = status


def _label(status: str) -> Message:
    try:
        return LABELS[Status(status)]
    except ValueError:
        return Message(status, status)


def _decide_case(session: Session, case: Case, to: str, note: str, missing: list[str], actor: str) -> Change:
    """The platform's rules for moving a case, whoever decides; the hall learns it through the feed."""
    if to not in DECISIONS:
        raise DecisionRefused(Message(f"不支持的决定：{to}", f"Unknown decision: {to}"), code="decision", status=422)
    if not case.complete:
        raise DecisionRefused(Message("案件材料尚未全部到达，不能办理。",
                                      "The case's attachments have not all arrived; it cannot be handled yet."),
                              code="incomplete")
    now, target = _label(case.status), _label(to)
    if case.status == to:
        raise DecisionRefused(Message(f"案件已是“{target.zh}”，本决定未再执行。",
                                      f"The case is already '{target.en}'; the decision was not applied again."),
                              code="stale_decision")
    if not can_move(case.status, to):
        raise DecisionRefused(Message(f"案件当前状态为“{now.zh}”，不能变更为“{target.zh}”。",
                                      f"A case that is '{now.en}' cannot become '{target.en}'."),
                              code="illegal_transition")
    codes = set((case.document.get("content") or {}).get("materials") or {})
    if to == "needs_supplement":
        if not missing:
            raise DecisionRefused(Message("要求补正时须列出缺少的材料（--missing）。",
                                          "Name the missing materials (--missing) when asking for a supplement."),
                                  code="missing_required", status=422)
        unknown = [m for m in missing if m not in codes]
        if unknown:
            raise DecisionRefused(Message(f"该案件没有这些材料：{', '.join(unknown)}",
                                          f"The case has no such materials: {', '.join(unknown)}"),
                                  code="unknown_material", status=422)
    case.status = to
    case.status_note = note
    case.updated_at = utcnow()
    feed_lock(session, case.hall_code)
    change = Change(hall_code=case.hall_code, case_id=case.id, status=to, note=note,
                    missing_materials=list(dict.fromkeys(missing)) if to == "needs_supplement" else [],
                    actor=actor[:64])
    session.add(change)
    session.flush()
    platform_audit.record(session, actor=actor, action="case.decided", subject=case.uuid,
                          details={"case_no": case.case_no, "hall_code": case.hall_code, "to": to, "change_id": change.id})
    return change


def decide(store: PlatformStore, ref: str, to: str, note: str, missing: list[str], actor: str = "staff") -> dict[str, Any]:
    """Move a complete case (online handling); the hall learns it through the feed."""
    if to not in DECISIONS:
        raise DecisionRefused(Message(f"不支持的决定：{to}", f"Unknown decision: {to}"), code="decision", status=422)
    with store.transaction() as session:
        case = session.scalar(select(Case).where(or_(Case.case_no == ref, Case.uuid == ref)).with_for_update())
        if case is None:
            raise DecisionRefused(Message(f"找不到案件 {ref}。", f"No case {ref}."), code="not_found", status=404)
        _decide_case(session, case, to, note, missing, actor)
        return describe(session, case, full=True)


@dataclass(frozen=True)
class HallDecision:
    """A decision as a terminal sends it (see `kiosk.review.decide`)."""

    decision_id: str
    application_id: str
    to: str
    note: str
    missing: tuple[str, ...]
    decided_by: str
    decided_at: datetime | None

    def same_as(self, row: Decision, case_uuid: str) -> bool:
        return (case_uuid == self.application_id and row.to_status == self.to and (row.note or "") == self.note
                and list(row.missing_materials or []) == list(dict.fromkeys(self.missing))
                and row.decided_by == self.decided_by)


def _decision_answer(session: Session, row: Decision, case: Case, result: str) -> dict[str, Any]:
    return {"result": result, "decision_id": row.decision_id, "application_id": case.uuid, "case_no": case.case_no,
            "status": case.status, "seq": row.change_id}


def _known_decision(session: Session, device: Device, decision: HallDecision) -> dict[str, Any] | None:
    row = session.scalar(select(Decision).where(Decision.decision_id == decision.decision_id))
    if row is None:
        return None
    case = session.get(Case, row.case_id)
    assert case is not None
    if case.hall_code != device.hall_code:
        raise DecisionRefused(Message("决定编号已被占用。", "The decision id is already taken."), code="decision_conflict")
    if not decision.same_as(row, case.uuid):
        raise DecisionRefused(Message("平台已有同一编号但内容不同的决定，未覆盖。",
                                      "The platform holds a different decision under this id; nothing was overwritten."),
                              code="decision_conflict")
    return _decision_answer(session, row, case, "duplicate")


def record_decision(store: PlatformStore, device: Device, decision: HallDecision) -> dict[str, Any]:
    """Apply a hall's decision exactly once: the same id and content again is success, never a second move."""
    with store.transaction() as session:
        # Lock the case first: a copy of this decision racing us commits before we look for it.
        case = session.scalar(select(Case).where(Case.uuid == decision.application_id,
                                                 Case.hall_code == device.hall_code).with_for_update())
        known = _known_decision(session, device, decision)
        if known is not None:
            return known
        if case is None:
            if session.scalar(select(Case.id).where(Case.uuid == decision.application_id)) is not None:
                raise DecisionRefused(Message("这件申请不属于本设备所在的大厅，本设备不能对其作出决定。",
                                              "This application belongs to another hall; this device may not decide "
                                              "on it."), code="other_hall", status=403)
            raise DecisionRefused(Message("平台上没有本大厅的这件申请。", "This hall has no such application on the platform."),
                                  code="not_found", status=404)
        try:
            check_decider(session, device.hall_code, decision.decided_by)
        except StaffRefused as exc:
            raise DecisionRefused(exc.message, code=exc.code, status=403) from None
        session.refresh(case)
        change = _decide_case(session, case, decision.to, decision.note, list(decision.missing), decision.decided_by)
        row = Decision(decision_id=decision.decision_id, case_id=case.id, device_id=device.id, to_status=decision.to,
                       note=decision.note, missing_materials=list(change.missing_materials or []),
                       decided_by=decision.decided_by[:64], decided_at=decision.decided_at, change_id=change.id)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            raise _RaceLost() from None
        return _decision_answer(session, row, case, "applied")


class _RaceLost(Exception):
    """Two copies of one decision arrived at once; the loser answers from the winner's row."""


def submit_decision(store: PlatformStore, device: Device, decision: HallDecision) -> dict[str, Any]:
    try:
        return record_decision(store, device, decision)
    except _RaceLost:
        with store.transaction() as session:
            known = _known_decision(session, device, decision)
        if known is None:
            raise DecisionRefused(Message("请重试。", "Please try again."), code="retry", status=409) from None
        return known


def decisions_of(session: Session, case: Case) -> list[dict[str, Any]]:
    return [{"decision_id": d.decision_id, "to": d.to_status, "note": d.note, "missing": list(d.missing_materials or []),
             "decided_by": d.decided_by, "device_id": d.device_id,
             "decided_at": d.decided_at.isoformat() if d.decided_at else None, "received_at": d.received_at.isoformat()}
            for d in session.scalars(select(Decision).where(Decision.case_id == case.id).order_by(Decision.id))]
