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
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Index,
    LargeBinary,
    create_engine,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from kiosk.device_identity import MAX_DEVICE_NO
from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import fsync_dir
from kiosk.store.sqlite import READ_ONLY_OPTION, configure_sqlite
from sync.server import (  # noqa: F401 - their tables
    appointments_models, blob_crypto, centre_settings_models, fleet_models, licences_models, prereview_models,
)
from sync.server.blob_crypto import BlobKey
from sync.server.blobstore import BlobStore, LocalBlobStore
from sync.server.token_cache import DeviceTokenCache
from sync.server.s3_settings import S3Settings
from sync.server.models import (
    CASES_DEVICE_INDEX,
    CHANGES_FEED_INDEX,
    DEVICE_NO_INDEX,
    DEVICES_REVOKED_INDEX,
    RECEIPT_NO_INDEX,
    SCHEMA_VERSION,
    Blob,
    Case,
    CaseAttachment,
    Change,
    Device,
    HallBlob,
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
    """Kept beside what else `serve` recorded there (the object storage's endpoint and bucket)."""
    path = home / CONFIG_NAME
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            config = {}
    except (OSError, ValueError):
        config = {}
    config["db_url"] = db_url
    path.write_text(json.dumps(config), encoding="utf-8")
    os.chmod(path, 0o600)  # a PostgreSQL URL may hold a password


# Connections a process keeps open: as many as its request threads (`sync.server.app.REQUEST_THREADS`) can
# use at once, so none is opened and closed per request under load (an overflow connection is closed when it
# is handed back to a full pool: at 50 terminals that was a PostgreSQL backend started and ended every few
# requests). The few overflow connections serve what runs on the event loop (a token's first look-up).
POOL_SIZE = 8
POOL_OVERFLOW = 4
POOL_RECYCLE_SECONDS = 600  # under the idle timeouts of the usual firewalls and PgBouncer's server_idle_timeout


def make_engine(url: str) -> Engine:
    """The platform's engine: no ping before each checkout (a round trip per transaction), recycled instead.

    A pooled PostgreSQL connection older than `POOL_RECYCLE_SECONDS` is closed
    and replaced when checked out, and TCP keepalives make the kernel notice a
    peer that vanished. A connection that died anyway (the server restarted)
    fails the one transaction that meets it: SQLAlchemy sees the disconnect,
    throws that connection away and invalidates every other connection the pool
    held at that moment, so the next transaction opens a fresh one. The request
    that met it answers 500, which a terminal retries with backoff; nothing was
    committed by it, and everything the protocol sends is idempotent.
    """
    if url.startswith("sqlite"):
        return configure_sqlite(create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}))
    parsed = make_url(url)
    connect_args: dict[str, int] = {}
    if parsed.get_driver_name() in ("psycopg", "psycopg2"):  # libpq: keepalives find a dead server in ~1 minute
        connect_args = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_recycle=POOL_RECYCLE_SECONDS,
                         connect_args=connect_args)


def read_only_engine(engine: Engine) -> Engine:
    """The engine whose transactions only read: `query_only` on SQLite, READ ONLY on PostgreSQL."""
    options: dict[str, bool] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return engine.execution_options(**options)


def read_sessionmaker(engine: Engine, home: Path) -> sessionmaker[Session]:
    """Sessions whose transactions only read (`PlatformStore.read`)."""
    return sessionmaker(bind=read_only_engine(engine), expire_on_commit=False,
                        info={"platform_home": str(home), "read_only": True})


SCHEMA_LOCK = 7300  # pg_advisory_lock key: platform processes make or upgrade the schema one at a time


def ensure_schema(engine: Engine) -> None:
    """Instances starting together on PostgreSQL take turns (a session advisory lock): two at once made the
    same tables together, and the second failed on the first's half-made ones (pg_type_typname_nsp_index)."""
    if engine.dialect.name != "postgresql":
        _ensure_schema(engine)
        return
    with engine.connect() as conn:
        conn.execute(text(f"SELECT pg_advisory_lock({SCHEMA_LOCK})"))
        try:
            _ensure_schema(engine)
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({SCHEMA_LOCK})"))


def _ensure_schema(engine: Engine) -> None:
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
            if info.version < 3:
                _upgrade_to_3(session)
            if info.version < 4:
                _upgrade_to_4(session)
            if info.version < 8:
                _upgrade_to_8(session)
            if info.version < 9:
                _upgrade_to_9(session)
            if info.version < 10:
                _upgrade_to_10(session)
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


def _upgrade_to_3(session: Session) -> None:
    """Devices and enrollment codes get a role; staff accounts move to the platform.

    Every device enrolled before roles existed becomes a `counter`, and so does
    every code handed out but not yet used: until now each device could do
    everything a counter does, and a hall's terminals in the field must keep
    working the day the platform is upgraded. An administrator re-enrolls a
    lobby kiosk with `enroll-code --role kiosk` to restrict it. (The
    `staff_accounts` table is new and made by `create_all`; a hall's
    administrator registers its staff with `onewindow platform staff add`.)
    """
    conn = session.connection()
    for table in ("devices", "enrollment_codes"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'counter'"))
def _upgrade_to_4(session: Session) -> None:
    """Files belong to halls: each hall owns the stored files its cases already name.

    Before version 4 a hash was a key across halls; the cases in the field
    that name a file the platform holds keep it, so no hall loses access to
    its own scans. The size is the stored file's; the media type is what the
    hall's first case naming the file declared.
    """
    conn = session.connection()
    rows = conn.execute(select(Case.hall_code, CaseAttachment.sha256, CaseAttachment.media_type, Case.device_id,
                               Blob.size, Blob.stored_at)
                        .join(CaseAttachment, CaseAttachment.case_id == Case.id)
                        .join(Blob, Blob.sha256 == CaseAttachment.sha256)
                        .order_by(CaseAttachment.id))
    owned = {(hall, sha) for hall, sha in conn.execute(select(HallBlob.hall_code, HallBlob.sha256))}
    for hall_code, sha256, media_type, device_id, size, stored_at in rows:
        if (hall_code, sha256) in owned:
            continue
        owned.add((hall_code, sha256))
        conn.execute(insert(HallBlob).values(hall_code=hall_code, sha256=sha256, size=size, media_type=media_type,
                                             device_id=device_id, first_uploaded_at=stored_at))
    log.info("file ownership recorded for %d (hall, file) pairs", len(owned))


def _upgrade_to_8(session: Session) -> None:
    """Object storage: a file's locator, and an upload's progress in the database rather than a local file.

    Files stored so far stay where they are (locator NULL: the local blob directory). Uploads in progress
    keep their `.part` file: the local store's assembly state is rebuilt from the row's id and length.
    """
    conn = session.connection()
    dialect = conn.dialect
    wanted = {("blobs", "locator"): "VARCHAR(512)", ("uploads", "assembly"): JSON().compile(dialect=dialect),
              ("uploads", "head"): LargeBinary().compile(dialect=dialect)}
    for (table, column), kind in wanted.items():
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:  # create_all made new tables whole
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def _upgrade_to_9(session: Session) -> None:
    """Indexes for a feed per hall and cheap counts (`models.CHANGES_FEED_INDEX`, `models.CASES_DEVICE_INDEX`).

    The feed's `(hall_code, id)` index replaces the one on `hall_code` alone,
    which it covers. Built inside the upgrade's transaction: on a large
    PostgreSQL database writers wait for it once, at the upgrade.
    """
    conn = session.connection()
    for table, name in ((Change, CHANGES_FEED_INDEX), (Case, CASES_DEVICE_INDEX)):
        if name not in {i["name"] for i in inspect(conn).get_indexes(table.__tablename__)}:
            _index(table, name).create(conn)
    conn.execute(text("DROP INDEX IF EXISTS ix_changes_hall_code"))


def _upgrade_to_10(session: Session) -> None:
    """The revoked devices' index (`models.DEVICES_REVOKED_INDEX`): partial, so as small as the revocations."""
    conn = session.connection()
    if DEVICES_REVOKED_INDEX not in {i["name"] for i in inspect(conn).get_indexes("devices")}:
        _index(Device, DEVICES_REVOKED_INDEX).create(conn)


@dataclass
class PlatformStore:
    home: Path
    engine: Engine
    Session: sessionmaker[Session]
    blob_key: BlobKey | None = None
    objects: BlobStore | None = None  # where attachment bytes live; `open_platform` sets it (LocalBlobStore by default)
    tokens: DeviceTokenCache = field(default_factory=DeviceTokenCache)  # this process's view of device tokens
    ReadSession: sessionmaker[Session] | None = None  # sessions for `read()`; `open_platform` sets it
    _read_engine: Engine | None = None  # for `reading()`

    @property
    def blobs(self) -> BlobStore:
        """The attachment store every reader and writer of files goes through (`sync.server.blobstore`)."""
        if self.objects is None:
            self.objects = LocalBlobStore(self)
        return self.objects

    @property
    def blobs_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    def blob_path(self, sha256: str) -> Path:
        """Where an older platform kept a file in plaintext (still read; `platform purge` encrypts it)."""
        return self.blobs_dir / sha256[:2] / sha256

    def encrypted_blob_path(self, sha256: str) -> Path:
        return self.blobs_dir / sha256[:2] / (sha256 + blob_crypto.ENCRYPTED_SUFFIX)

    @property
    def key(self) -> BlobKey:
        if self.blob_key is None:
            raise RuntimeError("this platform store was opened without its blob key")
        return self.blob_key

    def blob_file(self, sha256: str) -> Path | None:
        """The file holding a blob: the encrypted one, else a plaintext one left by an older platform."""
        for path in (self.encrypted_blob_path(sha256), self.blob_path(sha256)):
            if path.is_file():
                return path
        return None

    def blob_encrypted(self, path: Path) -> bool:
        return path.name.endswith(blob_crypto.ENCRYPTED_SUFFIX)

    def blob_size(self, sha256: str) -> int | None:
        path = self.blob_file(sha256)
        if path is None:
            return None
        return blob_crypto.plaintext_size(path) if self.blob_encrypted(path) else path.stat().st_size

    def iter_blob(self, sha256: str) -> Iterator[bytes]:
        """The plaintext of a stored blob in pieces; raises `BlobDamaged` on the piece that does not authenticate."""
        path = self.blob_file(sha256)
        if path is None:
            raise FileNotFoundError(sha256)
        if self.blob_encrypted(path):
            yield from blob_crypto.decrypt_segments(path, self.key, sha256)
            return
        with path.open("rb") as fh:
            while block := fh.read(blob_crypto.SEGMENT):
                yield block

    def read_blob(self, sha256: str) -> bytes:
        return b"".join(self.iter_blob(sha256))

    def _blob_dir(self, sha256: str) -> Path:
        target = self.encrypted_blob_path(sha256)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return target

    def store_blob_file(self, sha256: str, src: Path) -> str:
        """Encrypt a file into the blob store (atomically, fsynced); a plaintext copy goes.

        Returns the SHA-256 of what was read; a file that is not what its name
        says is not stored (and a plaintext copy then stays as it was).
        """
        target = self._blob_dir(sha256)
        digest = blob_crypto.encrypt_file(src, target, self.key, sha256)
        if digest == sha256:
            self.blob_path(sha256).unlink(missing_ok=True)
        fsync_dir(target.parent)
        return digest

    def store_blob_bytes(self, sha256: str, data: bytes) -> None:
        target = self._blob_dir(sha256)
        blob_crypto.encrypt_bytes(data, target, self.key, sha256)
        self.blob_path(sha256).unlink(missing_ok=True)
        fsync_dir(target.parent)

    def keep_files(self, files: dict[str, bytes]) -> dict[str, str | None]:
        """Whole files (by SHA-256) durable in the store before any row names them; the locator of each.

        A file a `blobs` row already names and the store still holds is not written again; a row whose file is
        gone gets the new locator from the caller, who writes its rows next.
        """
        with self.transaction() as session:
            known = dict(session.execute(select(Blob.sha256, Blob.locator).where(Blob.sha256.in_(list(files)))).all())
        return {sha: known[sha] if sha in known and self.blobs.exists(sha, known[sha])
                else self.blobs.put_bytes(sha, data) for sha, data in files.items()}

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.Session() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (the feed, counts, look-ups, tokens).

        On SQLite it begins with a plain BEGIN under `query_only`, so readers
        never queue behind the writer's BEGIN IMMEDIATE, and read one snapshot;
        on PostgreSQL it is a READ ONLY transaction (which a read replica could
        also serve). Whatever tries to write in it fails.
        """
        if self.ReadSession is None:
            self.ReadSession = read_sessionmaker(self.engine, self.home)
        with self.ReadSession() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """`read()` without the ORM: a read-only transaction on a Core connection, for the routes every sync
        pass calls (an ORM session costs several times the statements it runs)."""
        if self._read_engine is None:
            self._read_engine = read_only_engine(self.engine)
        with self._read_engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _private(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass


def _make_private_home(home: Path) -> bool:
    """The home 0700; True when it was open to others before (a home made by an older platform)."""
    was_open = home.is_dir() and bool(stat.S_IMODE(home.stat().st_mode) & 0o077)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private(home, 0o700)
    return was_open


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (its WAL and shared-memory files take the same mode)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    db = Path(parsed.database)
    if not db.exists():
        try:
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            return
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                 db.with_name(db.name + "-journal")):
        try:
            _private(path, 0o600)
        except PermissionError:
            log.warning("cannot make %s readable by this user only", path)


def make_files_private(home: Path) -> int:
    """Directories 0700 and files 0600 under the blob and upload folders; returns how many were changed."""
    changed = 0
    for folder in (home / "blobs", home / "uploads"):
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            for name, mode in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files] + [(".", 0o700)]:
                path = Path(root) / name if name != "." else Path(root)
                try:
                    if stat.S_IMODE(path.lstat().st_mode) != mode and not path.is_symlink():
                        os.chmod(path, mode)
                        changed += 1
                except FileNotFoundError:
                    continue
    return changed


def open_platform(home: Path, db_url: str | None = None, *, blob_key_file: Path | None = None,
                  objects: S3Settings | None = None) -> PlatformStore:
    """Open (creating) a platform home: readable by its own user only, its blob key loaded from outside it.

    `objects` names the object storage that holds attachment files (`sync.server.s3_settings.resolve`); without
    it they are in the home's blob directory. Files stored there before object storage was turned on are
    still read from it.
    """
    home = home.expanduser().resolve()
    was_open = _make_private_home(home)
    key = blob_crypto.load_or_create_key(home, blob_key_file)
    url = resolve_db_url(home, db_url)
    _private_sqlite_file(url)
    engine = make_engine(url)
    ensure_schema(engine)
    store = PlatformStore(home=home, engine=engine, Session=sessionmaker(bind=engine, expire_on_commit=False,
                                                                         info={"platform_home": str(home)}),
                          blob_key=key, ReadSession=read_sessionmaker(engine, home))
    store.blobs_dir.mkdir(mode=0o700, exist_ok=True)
    store.uploads_dir.mkdir(mode=0o700, exist_ok=True)
    if objects is not None:
        from sync.server.s3store import S3BlobStore  # boto3 is imported only by a platform that uses it

        store.objects = S3BlobStore(objects, key, local=LocalBlobStore(store))
    _private(home / CONFIG_NAME, 0o600)
    if was_open:
        changed = make_files_private(home)
        log.warning("the platform home %s was readable by other users; it and %d file(s) under it are now private",
                    home, changed)
    return store
