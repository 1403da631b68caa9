"""How every SQLite database of the project is opened: the terminal's store and the reference platform's.

WAL with ``synchronous=FULL``: a commit is on disk before it returns, so a
power cut after "submitted" never loses the submission. Every transaction
starts with ``BEGIN IMMEDIATE`` so that two writers queue instead of failing
half-way on a lock upgrade. A connection opened with the execution option
``READ_ONLY_OPTION`` starts a plain (deferred) ``BEGIN`` under
``PRAGMA query_only`` instead: a reader never waits for the one writer nor
holds it up, WAL gives it one consistent snapshot from its first read to its
end, and a write attempted in it fails rather than upgrading its lock half-way.
``secure_delete`` zeroes what a row held when it is deleted or rewritten.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

#: an execution option (`engine.execution_options(**{READ_ONLY_OPTION: True})`): transactions that only read
READ_ONLY_OPTION = "onewindow_read_only"
_QUERY_ONLY = "onewindow_query_only"  # key in a DBAPI connection's `info`: query_only is switched on there


def configure_sqlite(engine: Engine) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # deleted and overwritten content is zeroed in the database file rather than left in free pages
        # (in WAL mode the zeroing reaches the file at the next checkpoint; older WAL frames keep the old
        # bytes until the WAL is overwritten or truncated, which is why the store truncates it after rewrites)
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = bool(conn.get_execution_options().get(READ_ONLY_OPTION, False))
        info = conn.connection.info  # the pooled DBAPI connection's: it outlives this checkout
        if info.get(_QUERY_ONLY, False) != read_only:
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info[_QUERY_ONLY] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
