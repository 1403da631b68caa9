"""The hub's clock: aware UTC times, and the hall's local service day a time belongs to."""
from __future__ import annotations

from datetime import date, datetime, time, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def service_day(at: datetime | None = None) -> str:
    """The hall's local day (the hub machine's time zone): numbers restart when it changes."""
    return (at or now()).astimezone().date().isoformat()


def day_start(day: str) -> datetime:
    """The UTC instant the local service day `day` begins."""
    local = datetime.combine(date.fromisoformat(day), time()).astimezone()
    return local.astimezone(timezone.utc)
