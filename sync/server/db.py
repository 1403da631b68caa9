"""The platform's database and files under its home directory.

The platform manages its own schema (separate from the terminal's Alembic
history): tables are created when missing and the schema version is
recorded, so a database made by a newer platform is refused instead of being
written to with the wrong idea of its shape. A database made by an older
platform is brought up to date by the small upgrade steps below, in one
transaction, before anything else touches it.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, Index, create_engine, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from kiosk.device_identity import MAX_DEVICE_NO
from kiosk.errors import Message, UserFacingError
from kiosk.store.sqlite import configure_sqlite
from sync.server.models import (
    DEVICE_NO_INDEX,
    RECEIPT_NO_INDEX,
    SCHEMA_VERSION,
    Case,
    Device,
    PlatformBase,
    ReceiptCollision,
    SchemaInfo,
    utcnow,
)

log = logging.getLogger("onewindow.platform")

CONFIG_NAME = "platform.json"


def default_db_url(home: Path) -> str:
    return f"sqlite:///{home / 'platform.sqlite3'}"


def resolve_db_url(home: Path, db_url: str | None) -> str:
    """The URL given, else the one the last `serve --db` recorded, else SQLite in the home."""
    if db_url:
        return db_url
    config = home / CONFIG_NAME
    if config.is_file():
        try:
            recorded = json.loads(config.read_text(encoding="utf-8")).get("db_url")
        except (OSError, ValueError):
            recorded = None
        if recorded:
            return str(recorded)
    return default_db_url(home)


def remember_db_url(home: Path, db_url: str) -> None:
    path = home / CONFIG_NAME
    path.write_text(json.dumps({"db_url": db_url}), encoding="utf-8")
    os.chmod(path, 0o600)  # a PostgreSQL URL may hold a password


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return configure_sqlite(create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}))
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def ensure_schema(engine: Engine) -> None:
    PlatformBase.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        # FOR UPDATE: two platform processes starting at once upgrade one after the other, not together.
        info = session.scalar(select(SchemaInfo).with_for_update())
        if info is None:
            session.add(SchemaInfo(id=1, version=SCHEMA_VERSION))
        elif info.version > SCHEMA_VERSION:
            raise UserFacingError(Message(
                f"平台数据库版本（{info.version}）比本程序新，拒绝使用。",
                f"The platform database is at schema version {info.version}, newer than this program; refusing to use it."),
                code="schema")
        elif info.version < SCHEMA_VERSION:
            if info.version < 2:
                _upgrade_to_2(session)
            log.info("platform database upgraded from schema version %s to %s", info.version, SCHEMA_VERSION)
            info.version = SCHEMA_VERSION


def _index(table: type[PlatformBase], name: str) -> Index:
    return next(i for i in table.__table__.indexes if i.name == name)  # type: ignore[attr-defined]


def _upgrade_to_2(session: Session) -> None:
    """Device numbers come from the platform, and receipt numbers are unique per hall.

    Existing devices are numbered per hall in enrollment (id) order; the online
    portal's pseudo-device gets none. A receipt number that several cases of a
    hall already share (two terminals left on the same default number) stays
    on the first case received, is taken off the others (each keeps it in its
    stored document) and is recorded as a collision, so that a status lookup
    by it is refused rather than showing one citizen another's case.
    """
    conn = session.connection()
    conn.execute(text("ALTER TABLE devices ADD COLUMN device_no INTEGER"))
    next_no: dict[str, int] = {}
    devices = list(conn.execute(select(Device.id, Device.hall_code, Device.token_hash).order_by(Device.id)))
    for device_id, hall_code, token_hash in devices:
        if token_hash.startswith("portal:"):  # sync.server.online.portal_device: not a terminal
            continue
        n = next_no.get(hall_code, 1)
        next_no[hall_code] = n + 1
        if n <= MAX_DEVICE_NO:
            conn.execute(update(Device).where(Device.id == device_id).values(device_no=n))
    _index(Device, DEVICE_NO_INDEX).create(conn)
    shared = list(conn.execute(select(Case.hall_code, Case.receipt_no).where(Case.receipt_no.is_not(None))
                               .group_by(Case.hall_code, Case.receipt_no).having(func.count() > 1)))
    for hall_code, receipt_no in shared:
        holders = list(conn.execute(select(Case.id, Case.uuid, Case.device_id)
                                    .where(Case.hall_code == hall_code, Case.receipt_no == receipt_no)
                                    .order_by(Case.id)))
        for case_id, case_uuid, device_id in holders[1:]:
            conn.execute(update(Case).where(Case.id == case_id).values(receipt_no=None))
            conn.execute(insert(ReceiptCollision).values(hall_code=hall_code, receipt_no=receipt_no,
                                                         case_uuid=case_uuid, device_id=device_id,
                                                         received_at=utcnow()))
        log.warning("hall %s: receipt number %s was held by %d cases; kept on the first, status lookups by it are "
                    "refused from now on", hall_code, receipt_no, len(holders))
    _index(Case, RECEIPT_NO_INDEX).create(conn)


@dataclass
class PlatformStore:
    home: Path
    engine: Engine
    Session: sessionmaker[Session]

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    def blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256[:2] / sha256

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.Session() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_platform(home: Path, db_url: str | None = None) -> PlatformStore:
    home = home.expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    url = resolve_db_url(home, db_url)
    engine = make_engine(url)
    ensure_schema(engine)
    store = PlatformStore(home=home, engine=engine, Session=sessionmaker(bind=engine, expire_on_commit=False,
                                                                         info={"platform_home": str(home)}))
    store.blobs_dir.mkdir(exist_ok=True)
    store.uploads_dir.mkdir(exist_ok=True)
    return store
