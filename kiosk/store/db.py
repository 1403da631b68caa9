"""Opening the local store: one engine and one sessionmaker per process.

The database is opened as `kiosk.store.sqlite` describes (WAL,
synchronous=FULL, BEGIN IMMEDIATE: the receipt sequence is read and
incremented inside one transaction, secure_delete).

Personal fields are sealed with the data dir's key (`kiosk.data_key`), which
the engine carries on its dialect for the column types of
`kiosk.store.types`. The database, its WAL and its shared-memory file are
readable by the terminal's user only, and the data dir is 0700.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk.data_key import DataKeys, default_key_dir, load_data_keys
from kiosk.errors import Message, UserFacingError
from kiosk.settings import Settings
from kiosk.store.sqlite import READ_ONLY_OPTION, configure_sqlite
from kiosk.store.types import CIPHER_ATTR, FieldCipher, SealedValueUnreadable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: files of a SQLite database in WAL mode: all hold rows (the WAL and SHM transiently)
DB_SUFFIXES = ("", "-wal", "-shm", "-journal")
KEY_CHECK = "field_key_check"
KEY_CHECK_PLAIN = "onewindow field key"
VACUUM_PENDING = "vacuum_pending"


def private_db_files(db_path: Path) -> None:
    """The database and its companions readable by this user only. SQLite gives a new WAL and SHM the
    database file's mode, so creating the database 0600 before the first connection covers them too."""
    if not db_path.exists():
        fd = os.open(db_path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    for suffix in DB_SUFFIXES:
        path = db_path.with_name(db_path.name + suffix)
        try:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            pass


def make_engine(db_path: Path, keys: DataKeys | None = None) -> Engine:
    """An engine on the database at `db_path`, carrying the field key of its data dir (by default, the
    keys of the folder it lies in, from the default key dir)."""
    if keys is None:
        keys = load_data_keys(db_path.parent, default_key_dir())
    private_db_files(db_path)
    engine = configure_sqlite(create_engine(f"sqlite:///{db_path}", future=True))
    setattr(engine.dialect, CIPHER_ATTR, FieldCipher(keys.database))
    return engine


def check_field_key(engine: Engine) -> None:
    """Refuse to run on a database sealed under another key: say so at start, not at the first row read."""
    cipher: FieldCipher = getattr(engine.dialect, CIPHER_ATTR)
    with engine.begin() as conn:
        token = conn.exec_driver_sql("SELECT value FROM key_values WHERE key = ?", (KEY_CHECK,)).scalar()
        if token is None:
            conn.exec_driver_sql("INSERT INTO key_values (key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP)",
                                 (KEY_CHECK, cipher.seal(KEY_CHECK_PLAIN, KEY_CHECK)))
            return
    try:
        ok = cipher.open(token, KEY_CHECK) == KEY_CHECK_PLAIN
    except SealedValueUnreadable:
        ok = False
    if not ok:
        raise UserFacingError(Message(
            "本机数据库中的个人信息是用另一把密钥加密的，当前密钥无法解密。请在原机器上运行，或恢复原来的密钥目录（设置 key_dir）。",
            "The personal data in this terminal's database was sealed under another key, which this one cannot "
            "open. Run on the original machine, or restore its key directory (setting key_dir)."),
            code="data_key_mismatch")


def vacuum_if_pending(engine: Engine) -> None:
    """After a migration rewrote personal data (0010 sealed it): VACUUM rebuilds the file so that freed
    pages holding the old clear text are gone, and a TRUNCATE checkpoint empties the WAL, which held the
    rewritten pages. VACUUM cannot run inside a transaction, so it runs on the raw connection."""
    with engine.begin() as conn:
        pending = conn.exec_driver_sql("SELECT value FROM key_values WHERE key = ?", (VACUUM_PENDING,)).scalar()
        if pending is None:
            return
        conn.exec_driver_sql("DELETE FROM key_values WHERE key = ?", (VACUUM_PENDING,))
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.driver_connection.execute("VACUUM")
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; runs at every start-up."""
    command.upgrade(alembic_config(engine), "head")


@dataclass
class Store:
    settings: Settings
    engine: Engine
    Session: sessionmaker[Session]
    keys: DataKeys
    ReadSession: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ReadSession = sessionmaker(bind=self.engine.execution_options(**{READ_ONLY_OPTION: True}),
                                        expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one user action or one sync batch, committed on success."""
        with self.Session() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads: a deferred BEGIN under ``query_only`` (see `kiosk.store.sqlite`).

        For what screens poll (every second, from two windows) and other pure
        reads: it never waits for the one writer nor makes the writer wait, WAL
        gives it one consistent snapshot, and a write attempted in it fails.
        """
        with self.ReadSession() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


_lock = threading.Lock()
_stores: dict[Path, Store] = {}


def key_dir_of(settings: Settings) -> Path:
    return Path(settings.key_dir).expanduser() if settings.key_dir else default_key_dir()


def ensure_home(settings: Settings) -> None:
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
        os.chmod(settings.home, 0o700)
    except OSError as exc:
        raise UserFacingError(
            Message(f"无法使用数据目录 {settings.home}：{exc.strerror}",
                    f"Cannot use the data directory {settings.home}: {exc.strerror}"),
            code="home",
        ) from None


def open_store(settings: Settings) -> Store:
    """The process's store for this data dir, migrated to the newest schema."""
    with _lock:
        existing = _stores.get(settings.db_path)
        if existing is not None:
            return existing
        ensure_home(settings)
        keys = load_data_keys(settings.home, key_dir_of(settings))
        engine = make_engine(settings.db_path, keys)
        migrate(engine)
        check_field_key(engine)
        vacuum_if_pending(engine)
        store = Store(settings=settings, engine=engine,
                      Session=sessionmaker(bind=engine, expire_on_commit=False), keys=keys)
        _stores[settings.db_path] = store
        return store


def close_all() -> None:
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
