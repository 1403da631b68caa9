"""The sync pass's last step on a counter paired with a hall hub: the queue's statistics to the platform.

The counter recomputes `DailyStats` from the hub's tickets (`kiosk.queue.metrics`) for today and for every
day since the last one it forwarded after that day had ended, and posts them; the platform replaces the
rows they name, so sending a day again is harmless. What was sent is remembered in the store
(`hall_stats.sent_through`: the last whole day forwarded). A hub that cannot be reached, or a platform that
is down, just means next time: nothing is marked sent.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from kiosk.queue.metrics import daily_stats
from kiosk.queue.model import HallUnavailable
from kiosk.store.models import KeyValue
from kiosk.terminal import Terminal
from sync import wire
from sync.client import PlatformClient, Refused

log = logging.getLogger("onewindow.sync.hall_stats")
SENT_KEY = "hall_stats.sent_through"
FIRST_DAYS = 7  # a counter newly paired forwards the last week of the hub's history, then day by day
MAX_DAYS = 31  # after a long time offline: the last month (older rows stay on the hub, in `onewindow report`)


def sent_through(terminal: Terminal) -> date | None:
    with terminal.store.transaction() as session:
        row = session.get(KeyValue, SENT_KEY)
        return date.fromisoformat(row.value) if row is not None else None


def _remember(terminal: Terminal, day: date) -> None:
    with terminal.store.transaction() as session:
        row = session.get(KeyValue, SENT_KEY)
        if row is None:
            session.add(KeyValue(key=SENT_KEY, value=day.isoformat()))
        elif date.fromisoformat(row.value) < day:
            row.value = day.isoformat()


def days_due(last_sent: date | None, today: date) -> list[date]:
    first = last_sent + timedelta(days=1) if last_sent else today - timedelta(days=FIRST_DAYS)
    first = max(first, today - timedelta(days=MAX_DAYS))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def forward_hall_stats(terminal: Terminal, client: PlatformClient, *, today: date | None = None) -> dict[str, Any] | None:
    """None when this terminal forwards nothing (not a counter, or no hub); else what happened.

    `Offline` from the client propagates (the pass notes the link trouble); everything else is an answer."""
    hall = terminal.hall
    if hall is None or terminal.settings.device_kind != "counter":
        return None
    today = today or date.today()
    days = days_due(sent_through(terminal), today)
    rows = []
    try:
        for day in days:
            rows += daily_stats(day.isoformat(), hall.tickets(day.isoformat()),
                                terminal.settings.queue_target_wait_minutes)
    except HallUnavailable:
        log.info("hall statistics not forwarded: the hub cannot be reached; next pass")
        return {"result": "hub_unreachable", "days": [d.isoformat() for d in days]}
    if rows:
        try:
            answer = wire.parse(wire.HallStatsAnswer, client.json(
                "POST", "hall-stats", json_body={"rows": [asdict(r) for r in rows]}))
        except Refused as exc:
            log.warning("the platform refused the hall statistics: %s", exc.message.en)
            return {"result": "refused", "reason": exc.message.en, "days": [d.isoformat() for d in days]}
        stored = answer.stored
    else:
        stored = 0
    _remember(terminal, today - timedelta(days=1))  # a finished day is final; today is sent again next time
    return {"result": "sent", "rows": stored, "days": [d.isoformat() for d in days]}
