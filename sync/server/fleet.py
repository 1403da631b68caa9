"""The fleet view on the platform: terminals' heartbeats received, and what needs a technician's attention.

Receiving is idempotent by the terminal's report id (an insert that yields to a held id: two copies racing
each other still make one row). What needs attention is judged here, once, for the page and for
`onewindow platform devices`: a printer out of paper or unreachable, a backlog, a terminal not heard from
for long, a clock that is off, low disk, a device gone missing, a terminal that never reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, bindparam, case, delete, select, text, update
from sqlalchemy.orm import Session

from kiosk import staff as rules
from kiosk.errors import Message, UserFacingError
from sync.server import platform_audit, raw_sql
from sync.server.db import PlatformStore
from sync.server.fleet_models import FleetReport, FleetTerminal, FleetViewer
from sync.server.models import Device, utcnow
from sync.wire_heartbeat import HeartbeatPush

REPORT_DAYS = 2  # history for a technician looking back over a night; the state table holds the newest
NOT_SEEN = timedelta(minutes=15)  # terminals report every minute or so while their link is up
CLOCK_OFF_SECONDS = 120.0
LOW_DISK_BYTES = 2 * 1024 ** 3
LOW_DISK_SHARE = 0.05
OUTBOX_BACKLOG = 10
PRINT_BACKLOG = 3

_hasher = PasswordHasher()


# --- receiving ------------------------------------------------------------------------------------------------

def receive(conn: Connection, device: Device, push: HeartbeatPush, now: datetime | None = None) -> list[dict[str, str]]:
    """Store each report once and move the terminal's state to the newest: a handful of statements whatever
    the batch holds (a heartbeat comes from every terminal every minute, so its cost counts at a province's
    scale: nine statements per report before, five now), on a Core connection (an ORM session cost more than
    its statements)."""
    now = now or utcnow()
    if raw_sql.is_postgresql(conn):
        return _receive_pg(conn, device, push, now)
    statements = _statements(conn.dialect.name)
    bodies = {r.id: r.model_dump(mode="json") for r in push.reports}
    rows = [{"id": r.id, "device_id": device.id, "made_at": r.made_at, "received_at": now, "body": bodies[r.id]}
            for r in push.reports]
    stored: set[str] = set()
    if rows:  # one INSERT … ON CONFLICT DO NOTHING; a report held already (or racing in) returns no id
        stored = {report_id for report_id, in conn.execute(statements.report, rows)}
    results = [{"id": r.id, "result": "stored" if r.id in stored else "duplicate"} for r in push.reports]
    fresh = [r for r in push.reports if r.id in stored]
    if fresh:
        newest = max(fresh, key=lambda r: r.made_at)  # the first of equals, as before
        conn.execute(statements.terminal, {"device_id": device.id, "hall_code": device.hall_code,
                                           "report_id": newest.id, "made_at": newest.made_at,
                                           "last_heard_at": now, "body": bodies[newest.id]})
    else:
        conn.execute(statements.heard, {"device": device.id, "hall_code": device.hall_code, "last_heard_at": now})
    conn.execute(statements.purge, {"device": device.id, "before": now - timedelta(days=REPORT_DAYS)})
    return results


def _receive_pg(conn: Connection, device: Device, push: HeartbeatPush, now: datetime) -> list[dict[str, str]]:
    """`receive`'s statements on PostgreSQL straight through the driver (`raw_sql`): the same rows, the same
    conflicts, without Core's work around each (a report rides on most sync passes)."""
    from psycopg.types.json import Json

    bodies = {r.id: r.model_dump(mode="json") for r in push.reports}
    at = raw_sql.stored(now)
    stored: set[str] = set()
    for r in push.reports:  # one a pass, nearly always
        stored.update(report_id for report_id, in raw_sql.rows(conn, _REPORT_PG, {
            "id": r.id, "device_id": device.id, "made_at": raw_sql.stored(r.made_at), "received_at": at,
            "body": Json(bodies[r.id])}))
    results = [{"id": r.id, "result": "stored" if r.id in stored else "duplicate"} for r in push.reports]
    fresh = [r for r in push.reports if r.id in stored]
    if fresh:
        newest = max(fresh, key=lambda r: r.made_at)  # the first of equals, as `receive`
        raw_sql.rows(conn, _TERMINAL_PG, {"device_id": device.id, "hall_code": device.hall_code,
                                          "report_id": newest.id, "made_at": raw_sql.stored(newest.made_at),
                                          "last_heard_at": at, "body": Json(bodies[newest.id])})
    else:
        raw_sql.rows(conn, _HEARD_PG, {"device": device.id, "hall_code": device.hall_code, "last_heard_at": at})
    raw_sql.rows(conn, _PURGE_PG, {"device": device.id, "before": raw_sql.stored(now - timedelta(days=REPORT_DAYS))})
    return results


_REPORT_PG = text(
    "INSERT INTO fleet_reports (id, device_id, made_at, received_at, body) "
    "VALUES (:id, :device_id, :made_at, :received_at, :body) ON CONFLICT DO NOTHING RETURNING fleet_reports.id")
_NEWER = "excluded.made_at >= fleet_terminals.made_at"  # a report delivered late never replaces a newer state
_TERMINAL_PG = text(
    "INSERT INTO fleet_terminals (device_id, hall_code, report_id, made_at, last_heard_at, body) "
    "VALUES (:device_id, :hall_code, :report_id, :made_at, :last_heard_at, :body) "
    "ON CONFLICT (device_id) DO UPDATE SET last_heard_at = excluded.last_heard_at, hall_code = excluded.hall_code, "
    f"report_id = CASE WHEN {_NEWER} THEN excluded.report_id ELSE fleet_terminals.report_id END, "
    f"made_at = CASE WHEN {_NEWER} THEN excluded.made_at ELSE fleet_terminals.made_at END, "
    f"body = CASE WHEN {_NEWER} THEN excluded.body ELSE fleet_terminals.body END")
_HEARD_PG = text("UPDATE fleet_terminals SET last_heard_at = :last_heard_at, hall_code = :hall_code "
                 "WHERE device_id = :device")
_PURGE_PG = text("DELETE FROM fleet_reports WHERE device_id = :device AND made_at < :before")


def take(store: PlatformStore, device: Device, push: HeartbeatPush) -> dict[str, Any]:
    """`HeartbeatAnswer`'s shape: the reports stored (`receive`, in a transaction of their own), and the
    platform's clock once they are, for the terminal to measure its own against."""
    with store.engine.begin() as conn:
        results = receive(conn, device, push)
    return {"results": results, "server_time": utcnow()}


@dataclass(frozen=True)
class _Statements:
    report: Any  # INSERT a report unless its id is held, RETURNING the id
    terminal: Any  # INSERT the terminal's state, or move it to this report unless it holds a newer one
    heard: Any  # only "heard from now" for a terminal that has a state
    purge: Any  # the terminal's reports older than REPORT_DAYS


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    """Built once per database kind (building one costs more than running it)."""
    found = _STATEMENTS.get(dialect)
    if found is not None:
        return found
    dialect_insert = raw_sql.upsert_insert(dialect) or raw_sql.upsert_insert("sqlite")
    reports, terminals = FleetReport.__table__, FleetTerminal.__table__
    state = dialect_insert(terminals)  # its columns' values come with each execution
    incoming = state.excluded
    newer = incoming.made_at >= terminals.c.made_at  # a report delivered late never replaces a newer state
    found = _Statements(
        report=dialect_insert(reports).on_conflict_do_nothing().returning(reports.c.id),
        terminal=state.on_conflict_do_update(index_elements=[terminals.c.device_id], set_={
            "last_heard_at": incoming.last_heard_at, "hall_code": incoming.hall_code,
            "report_id": case((newer, incoming.report_id), else_=terminals.c.report_id),
            "made_at": case((newer, incoming.made_at), else_=terminals.c.made_at),
            "body": case((newer, incoming.body), else_=terminals.c.body)}),
        heard=update(terminals).where(terminals.c.device_id == bindparam("device")),
        purge=delete(reports).where(reports.c.device_id == bindparam("device"), reports.c.made_at < bindparam("before")))
    _STATEMENTS[dialect] = found
    return found


# --- what needs attention -----------------------------------------------------------------------------------

@dataclass
class Attention:
    code: str
    message: Message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.message.zh, "en": self.message.en}


@dataclass
class TerminalRow:
    device_id: int
    hall_code: str
    name: str
    role: str
    device_no: int | None
    last_heard_at: datetime | None
    report: dict[str, Any] | None
    attention: list[Attention] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "hall_code": self.hall_code, "name": self.name, "role": self.role,
                "device_no": self.device_no,
                "last_heard_at": self.last_heard_at.isoformat() if self.last_heard_at else None,
                "needs_attention": bool(self.attention), "attention": [a.as_dict() for a in self.attention],
                "report": self.report}


def _gib(n: int) -> str:
    return f"{n / 1024 ** 3:.1f} GiB"


def attention_of(report: dict[str, Any] | None, last_heard_at: datetime | None, now: datetime) -> list[Attention]:
    if report is None or last_heard_at is None:
        return [Attention("never_reported", Message("从未上报状态", "has never reported"))]
    found: list[Attention] = []
    silent = now - last_heard_at
    if silent > NOT_SEEN:
        minutes = int(silent.total_seconds() // 60)
        found.append(Attention("not_seen", Message(f"已{minutes}分钟未联系平台", f"not heard from for {minutes} min")))
    printer = (report.get("devices") or {}).get("printer") or {}
    if printer.get("paper") == "out":
        found.append(Attention("printer_paper_out", Message("打印机缺纸", "printer out of paper")))
    elif printer.get("online") is False:
        found.append(Attention("printer_offline", Message("打印机无法连接", "printer unreachable")))
    elif printer.get("state") == "attention":
        found.append(Attention("printer_trouble", Message("打印机故障", "printer reports a problem")))
    for key, zh, en in (("scanner", "扫描仪", "scanner"), ("camera", "高拍仪", "camera"),
                        ("card_reader", "身份证阅读器", "ID card reader")):
        device = (report.get("devices") or {}).get(key) or {}
        if device.get("stuck") is True:  # the driver hangs: only restarting the terminal's program frees it
            found.append(Attention(f"{key}_stuck", Message(f"{zh}无响应，需重启终端程序",
                                                           f"{en} not responding: restart the terminal's program")))
        elif device.get("state") == "attention":
            found.append(Attention(f"{key}_missing", Message(f"{zh}未找到", f"{en} not found")))
    owed = int(report.get("outbox_backlog") or 0) + int(report.get("decisions_backlog") or 0)
    if owed >= OUTBOX_BACKLOG:
        found.append(Attention("outbox_backlog", Message(f"{owed}件待上传", f"{owed} items waiting to upload")))
    prints = int(report.get("print_backlog") or 0)
    needs_staff = int(report.get("print_needs_staff") or 0)
    if prints >= PRINT_BACKLOG or needs_staff:
        found.append(Attention("print_backlog", Message(f"{prints}张待打印，{needs_staff}张待人工确认",
                                                        f"{prints} print jobs waiting, {needs_staff} for staff")))
    offset = report.get("clock_offset_seconds")
    if offset is not None and abs(float(offset)) > CLOCK_OFF_SECONDS:
        found.append(Attention("clock_off", Message(f"时钟偏差{float(offset):+.0f}秒",
                                                    f"clock off by {float(offset):+.0f} s")))
    free, total = int(report.get("disk_free_bytes", -1)), int(report.get("disk_total_bytes", -1))
    if free >= 0 and (free < LOW_DISK_BYTES or (total > 0 and free / total < LOW_DISK_SHARE)):
        found.append(Attention("low_disk", Message(f"磁盘空间不足（剩{_gib(free)}）", f"low disk ({_gib(free)} free)")))
    return found


def fleet(session: Session, hall_code: str | None = None, now: datetime | None = None) -> list[TerminalRow]:
    """Every terminal that is not revoked (the online portal has no hall device number and is left out), by hall
    and device number."""
    now = now or utcnow()
    query = (select(Device, FleetTerminal).outerjoin(FleetTerminal, FleetTerminal.device_id == Device.id)
             .where(Device.revoked_at.is_(None), Device.device_no.is_not(None)))
    if hall_code is not None:
        query = query.where(Device.hall_code == hall_code)
    rows = []
    for device, state in session.execute(query.order_by(Device.hall_code, Device.device_no, Device.id)):
        report = dict(state.body) if state is not None else None
        heard = state.last_heard_at if state is not None else None
        rows.append(TerminalRow(device.id, device.hall_code, device.name, device.role, device.device_no, heard, report,
                                attention_of(report, heard, now)))
    return rows


# --- who may look -------------------------------------------------------------------------------------------

def add_viewer(store: PlatformStore, username: str, password: str, hall_code: str | None) -> FleetViewer:
    name = rules.check_username(username)
    rules.check_password(password)
    if hall_code is not None and not (hall_code.isdigit() and 6 <= len(hall_code) <= 12):
        raise UserFacingError(Message("大厅编码应为6到12位数字。", "The hall code must be 6 to 12 digits."), code="hall")
    with store.transaction() as session:
        if session.scalar(select(FleetViewer.id).where(FleetViewer.username == name)) is not None:
            raise UserFacingError(Message(f"已有查看账号“{name}”。", f"The fleet viewer '{name}' exists already."),
                                  code="exists")
        viewer = FleetViewer(username=name, hall_code=hall_code, password_hash=_hasher.hash(password), active=True)
        session.add(viewer)
        session.flush()
        platform_audit.record(session, actor="platform:operator", action="fleet_viewer.added", subject=name,
                              details={"hall_code": hall_code})
        return viewer


def check_viewer(session: Session, username: str, password: str) -> FleetViewer | None:
    """The viewer, or None, at the same cost whether the name exists or not."""
    viewer = session.scalar(select(FleetViewer).where(FleetViewer.username == username.strip().lower(),
                                                      FleetViewer.active.is_(True)))
    if viewer is None:
        _hasher.hash(password or "x")
        return None
    try:
        _hasher.verify(viewer.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return viewer
