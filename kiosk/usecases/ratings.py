"""The five-level satisfaction rating (好差评); the lowest two ask why."""
from __future__ import annotations

from kiosk import ratings
from kiosk.terminal import Terminal


def rate_service(t: Terminal, score: int, *, reason_code: str | None = None, comment: str | None = None,
                 service_item: str | None = None, application_id: str | None = None, channel: str = "kiosk") -> None:
    with t.store.transaction() as session:
        ratings.record_rating(session, score, service_item_code=service_item, application_id=application_id,
                              reason_code=reason_code, comment=comment, channel=channel)
