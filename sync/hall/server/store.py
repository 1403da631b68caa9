"""The hub's SQLite store: WAL, synchronous=FULL, one transaction per operation, writes one at a time.

Writes go through `write()`: a process-wide lock plus BEGIN IMMEDIATE, so two counters calling at once
are served one after the other and never both get the same ticket. Listeners (the WebSocket senders) are
told after a commit that appended events, never before: what they read is already durable.
"""
from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync.hall.server.schema import Base, SettingRow

log = logging.getLogger("onewindow.hall")
DB_NAME = "hall.sqlite3"


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun explicitly (BEGIN / BEGIN IMMEDIATE)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class HubStore:
    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(f"sqlite:///{home / DB_NAME}",
                                            connect_args={"check_same_thread": False, "timeout": 10})
        self._local = threading.local()
        event.listen(self.engine, "connect", _pragmas)
        event.listen(self.engine, "begin", self._begin)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self.hub_id = self._hub_id()

    def _begin(self, conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if getattr(self._local, "writing", False) else "BEGIN")

    def _hub_id(self) -> str:
        with self.write() as s:
            row = s.get(SettingRow, "hub_id")
            if row is None:
                row = SettingRow(key="hub_id", value=secrets.token_hex(8))
                s.add(row)
            return row.value

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction; listeners hear of it after the commit if it appended events."""
        with self._write_lock:
            self._local.writing = True
            try:
                with self._sessions() as session, session.begin():
                    session.info["events"] = 0
                    yield session
                    appended = session.info["events"]
            finally:
                self._local.writing = False
        if appended:
            for listener in list(self._listeners):
                try:
                    listener()
                except Exception:  # the change is committed: a follower's trouble must not turn it into a failure
                    log.exception("an event listener failed")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction: a consistent snapshot (WAL lets it run beside a write)."""
        with self._sessions() as session, session.begin():
            yield session

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def setting(self, key: str) -> str | None:
        with self.read() as s:
            return s.scalar(select(SettingRow.value).where(SettingRow.key == key))

    def close(self) -> None:
        self.engine.dispose()
