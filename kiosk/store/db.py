"""Opening the local store: one engine and one sessionmaker per process.

The database is opened as `kiosk.store.sqlite` describes (WAL,
synchronous=FULL, BEGIN IMMEDIATE: the receipt sequence is read and
incremented inside one transaction).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from kiosk.errors import Message, UserFacingError
from kiosk.settings import Settings
from kiosk.store.sqlite import configure_sqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(db_path: Path) -> Engine:
    return configure_sqlite(create_engine(f"sqlite:///{db_path}", future=True))


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

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session for one user action or one sync batch, committed on success."""
        with self.Session() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


_lock = threading.Lock()
_stores: dict[Path, Store] = {}


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
        engine = make_engine(settings.db_path)
        migrate(engine)
        store = Store(settings=settings, engine=engine,
                      Session=sessionmaker(bind=engine, expire_on_commit=False))
        _stores[settings.db_path] = store
        return store


def close_all() -> None:
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
