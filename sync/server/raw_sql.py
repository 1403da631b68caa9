"""The platform's hottest statements, sent on PostgreSQL straight through the driver as prepared statements.

Each is an ordinary SQLAlchemy Core statement, built once; on PostgreSQL its SQL is compiled once by the
connection's own dialect and handed to psycopg on the transaction's own connection, so it is the same SQL in
the same transaction, with the same row locks, prepared by the driver as Core's statements are (after its
`prepare_threshold` uses, or never where that is turned off for a pooler). What is skipped is Core's work around each
execution (its cache look-up, parameter processing, result metadata), which cost about three times the
statement itself: a whole-file upload runs half a dozen of them. Elsewhere (SQLite) the statement goes
through Core as any other.

Parameters go to the driver as given, so a statement used here takes only values the driver binds as Core
would (strings, integers, bytes, naive UTC datetimes as `UTCDateTime` stores them, lists for `= ANY`); rows
come back as plain tuples in the statement's column order (`named_rows`: named tuples, as Core's rows are
read). Values Core binds by itself (a `.limit(1)`, a literal compared with) go along as compiled, without
their type's processing: the statements here use plain strings and numbers for those.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.expression import Executable

# id(statement) -> (the statement, kept alive; its SQL; the values Core binds by itself: a `.limit(1)`, a
# literal compared with)
_COMPILED: dict[int, tuple[Executable, str, dict[str, Any]]] = {}


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _sql(conn: Connection, statement: Executable) -> tuple[str, dict[str, Any]]:
    found = _COMPILED.get(id(statement))
    if found is None or found[0] is not statement:
        compiled = statement.compile(dialect=conn.dialect)  # type: ignore[attr-defined]
        literals = {name: value for name, value in compiled.params.items() if not compiled.binds[name].required}
        found = (statement, str(compiled), literals)
        _COMPILED[id(statement)] = found
    return found[1], found[2]


def rows(conn: Connection, statement: Executable, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row `statement` gives (none for a statement without a result), as tuples."""
    return _run(conn, statement, params, None)


def named_rows(conn: Connection, statement: Executable, params: dict[str, Any]) -> list[Any]:
    """`rows` as named tuples (the columns' names and labels), as Core's rows are read."""
    if not is_postgresql(conn):
        return list(conn.execute(statement, params))
    from psycopg.rows import namedtuple_row

    return _run(conn, statement, params, namedtuple_row)


def _run(conn: Connection, statement: Executable, params: dict[str, Any], row_factory: Any) -> list[Any]:
    if not is_postgresql(conn):
        result = conn.execute(statement, params)
        return [tuple(row) for row in result] if result.returns_rows else []
    sql, literals = _sql(conn, statement)
    if literals:
        params = {**literals, **params}
    try:
        cursor = conn.connection.driver_connection.cursor(row_factory=row_factory)  # type: ignore[union-attr]
        cursor.execute(sql, params)  # (row_factory None: the connection's, tuples)
        return cursor.fetchall() if cursor.description is not None else []
    except conn.dialect.loaded_dbapi.Error as exc:
        # as Core would: the error wrapped (OperationalError, IntegrityError, …) and a lost connection
        # invalidating the pool's others (`sync.server.db.make_engine`)
        conn._handle_dbapi_exception(exc, sql, params, None, None)  # type: ignore[arg-type]
        raise  # pragma: no cover - the line above always raises


def stored_now() -> datetime:
    """`utcnow()` as a `UTCDateTime` column stores it (naive, in UTC), for a statement sent by `rows`."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def stored(at: datetime) -> datetime:
    """An aware time as a `UTCDateTime` column stores it (naive, in UTC); a naive one is refused as it does."""
    if at.tzinfo is None:
        raise ValueError("naive datetime stored; use kiosk.store.models.utcnow()")
    return at.astimezone(timezone.utc).replace(tzinfo=None)


def read_back(at: datetime | None) -> datetime | None:
    """A time a `UTCDateTime` column holds, as Core reads it back (aware, in UTC)."""
    return at.replace(tzinfo=timezone.utc) if at is not None else None


def upsert_insert(dialect: str) -> Any | None:
    """The `insert` construct with `ON CONFLICT` clauses of this kind of database (PostgreSQL's, SQLite's), or
    None for any other, which the platform does not run on."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    return None
