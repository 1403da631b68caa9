"""The store's small named values (`KeyValue` rows): read one, or write one only when it changed."""
from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.store.models import KeyValue


def get_value(session: Session, key: str) -> str | None:
    row = session.get(KeyValue, key)
    return row.value if row is not None else None


def put_value(session: Session, key: str, value: str) -> None:
    """Within the caller's transaction, so the value commits with whatever it describes."""
    row = session.get(KeyValue, key)
    if row is None:
        session.add(KeyValue(key=key, value=value))
    elif row.value != value:
        row.value = value
