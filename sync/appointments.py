"""Appointments between the terminal and the platform: the hall's next days down, check-ins and no-shows up.

Every sync pass pulls the hall's bookings for the next `FEED_DAYS` days and replaces the local copy of that
window in one transaction, so the kiosk checks citizens in from its store when the link is down
(`kiosk.usecases.appointments`). What happened here and the platform has not yet heard of wins over the
platform's older "booked": a check-in or no-show is kept until its event is confirmed. A booking that left
the feed (cancelled and removed, or moved) leaves the store, unless something happened to it here.

The window is pulled again when the last pull is older than `PULL_EVERY_SECONDS` (a pass runs after every
submission and at least each minute; a hall's bookings change far less often, and a booking for a later
slot today still arrives well before the citizen does), when the day has changed, and after events went up.

Events go up exactly once: each has an id made here (the platform dedupes on it, and keeps one event per
booking and kind), is "pending" until the platform's explicit answer names it recorded (or a duplicate of
one it has), and is retried with backoff on link trouble; an event the platform refuses is kept as
"rejected" with the reason, for staff, and never sent again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from kiosk.identity import mask_id
from kiosk.retry import SYNC_ITEMS, RetryPolicy
from kiosk.store import Store
from kiosk.store.models import Appointment, AppointmentEvent, KeyValue, utcnow
from sync import wire
from sync.client import Offline, PlatformClient, Refused
from sync.wire_appointments import FEED_DAYS, AppointmentFeed, EventsAnswer

log = logging.getLogger("onewindow.sync.appointments")
WINDOW_KEY = "appointments.window"  # "<from_day>/<days>/<pulled at>": the window the last pull replaced
PULL_EVERY_SECONDS = 120.0
KEEP_DAYS = 31  # past bookings stay this long for the counter's lists, then go (once nothing is owed for them)
BATCH = 200
LOCAL_STATES = ("checked_in", "no_show")  # what only this terminal may know until its event is sent


@dataclass
class AppointmentSync:
    pulled: int = 0  # bookings in the window the platform sent
    removed: int = 0
    events_sent: int = 0
    events_rejected: int = 0


def apply_feed(store: Store, feed: AppointmentFeed, *, now: datetime | None = None) -> tuple[int, int]:
    """Replace the local window with the feed, in one transaction; (bookings in it, rows removed)."""
    now = now or utcnow()
    end = feed.from_day + timedelta(days=feed.days)
    removed = 0
    with store.transaction() as session:
        owed = set(session.scalars(select(AppointmentEvent.appointment_id)
                                   .where(AppointmentEvent.state == "pending")))
        local = {row.id: row for row in session.scalars(select(Appointment).where(
            Appointment.day >= feed.from_day, Appointment.day < end))}
        in_feed: set[str] = set()
        for doc in feed.appointments:
            in_feed.add(doc.id)
            row = local.get(doc.id) or session.get(Appointment, doc.id)
            if row is None:
                row = Appointment(id=doc.id, state=doc.state, holder_id_index=doc.id_number,
                                  id_masked=mask_id(doc.id_number))
                session.add(row)
            row.booking_code = doc.booking_code
            row.service_item = doc.service_item
            row.item_name_zh, row.item_name_en = doc.item_name.zh, doc.item_name.en
            row.department_code = doc.department_code
            row.day, row.slot_start, row.slot_end = doc.day, doc.slot_start, doc.slot_end
            if row.holder_name != doc.holder_name:  # sealing writes a new token: only when it changed
                row.holder_name = doc.holder_name
            row.synced_at = now
            if row.state == "checked_in" and doc.state != "checked_in":
                continue  # the citizen came, here: that stands (the platform hears of it with the event)
            if row.state == "no_show" and doc.state == "booked":
                continue  # marked here; a check-in elsewhere (the feed's "checked_in") wins over it
            row.state = doc.state
            if doc.state == "checked_in":
                row.checked_in_at = row.checked_in_at or doc.checked_in_at
                row.ticket_number = row.ticket_number or doc.ticket_number
            if doc.state == "no_show":
                row.no_show_at = row.no_show_at or doc.no_show_at
        for row_id, row in local.items():
            if row_id not in in_feed and row_id not in owed and row.state not in LOCAL_STATES:
                session.delete(row)
                removed += 1
        old = session.scalars(select(Appointment).where(Appointment.day < feed.from_day - timedelta(days=KEEP_DAYS)))
        for row in old:
            if row.id not in owed:
                session.delete(row)
                removed += 1
        value = f"{feed.from_day.isoformat()}/{feed.days}/{now.isoformat()}"
        window = session.get(KeyValue, WINDOW_KEY)
        if window is None:
            session.add(KeyValue(key=WINDOW_KEY, value=value))
        else:
            window.value = value
    return len(feed.appointments), removed


def pull_window(store: Store, client: PlatformClient, days: int = FEED_DAYS) -> tuple[int, int]:
    """`Offline` propagates (an answer that does not fit is one too): the window stays as it was."""
    try:
        feed = wire.parse(AppointmentFeed, client.json("GET", "appointments", params={"days": days}))
    except wire.ValidationError:
        raise Offline("unexpected answer from the appointments feed") from None
    return apply_feed(store, feed)


def push_events(store: Store, client: PlatformClient, retry: RetryPolicy = SYNC_ITEMS,
                now: datetime | None = None) -> tuple[int, int]:
    """Send the events that are due, oldest first; (sent, rejected). `Offline` propagates after the batch
    is put back for a retry."""
    now = now or utcnow()
    with store.transaction() as session:
        batch = list(session.scalars(select(AppointmentEvent).where(
            AppointmentEvent.state == "pending",
            or_(AppointmentEvent.next_attempt_at.is_(None), AppointmentEvent.next_attempt_at <= now))
            .order_by(AppointmentEvent.at, AppointmentEvent.id).limit(BATCH)))
        for event in batch:
            event.attempts += 1
        body = {"events": [{"id": e.id, "appointment_id": e.appointment_id, "kind": e.kind,
                            "at": e.at.isoformat(), "actor": e.actor, "ticket_number": e.ticket_number}
                           for e in batch]}
        ids = [e.id for e in batch]
    if not ids:
        return 0, 0
    try:
        answer = wire.parse(EventsAnswer, client.json("POST", "appointments/events", json_body=body))
    except wire.ValidationError:
        _retry(store, ids, "unexpected answer to the events", retry, now)
        raise Offline("unexpected answer to the appointment events") from None
    except Offline as exc:
        _retry(store, ids, str(exc), retry, now)
        raise
    except Refused as exc:  # the whole batch refused (e.g. this device may not report for the hall)
        _reject(store, {i: exc.message.both() for i in ids})
        log.warning("the platform refused %d appointment event(s): %s", len(ids), exc.message.en)
        return 0, len(ids)
    sent = {r.id for r in answer.results if r.result in ("recorded", "duplicate")}
    refused = {r.id: f"{r.reason.zh} / {r.reason.en}" if r.reason else "refused"
               for r in answer.results if r.result == "refused"}
    with store.transaction() as session:
        for event in session.scalars(select(AppointmentEvent).where(AppointmentEvent.id.in_(sent))):
            if event.state == "pending":
                event.state, event.sent_at, event.last_error, event.next_attempt_at = "sent", now, None, None
    _reject(store, refused)
    unanswered = [i for i in ids if i not in sent and i not in refused]
    if unanswered:  # an answer that leaves some out: they go again
        _retry(store, unanswered, "not in the platform's answer", retry, now)
    return len(sent), len(refused)


def _retry(store: Store, ids: list[str], error: str, retry: RetryPolicy, now: datetime) -> None:
    with store.transaction() as session:
        for event in session.scalars(select(AppointmentEvent).where(AppointmentEvent.id.in_(ids))):
            event.last_error = error[:2000]
            event.next_attempt_at = retry.next_attempt_at(event.attempts, now)


def _reject(store: Store, reasons: dict[str, str]) -> None:
    if not reasons:
        return
    with store.transaction() as session:
        for event in session.scalars(select(AppointmentEvent).where(AppointmentEvent.id.in_(list(reasons)))):
            event.state, event.last_error, event.next_attempt_at = "rejected", reasons[event.id][:2000], None


def owed_events(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AppointmentEvent)
                                  .where(AppointmentEvent.state == "pending")) or 0)


def _window_row(store: Store) -> tuple[date, int, datetime] | None:
    with store.transaction() as session:
        row = session.get(KeyValue, WINDOW_KEY)
        value = row.value if row is not None else None
    if value is None:
        return None
    day, days, pulled_at = value.split("/", 2)
    return date.fromisoformat(day), int(days), datetime.fromisoformat(pulled_at)


def window(store: Store) -> tuple[date, int] | None:
    """The window the last pull replaced, or None before the first."""
    row = _window_row(store)
    return (row[0], row[1]) if row is not None else None


def pull_due(store: Store, now: datetime | None = None) -> bool:
    now = now or utcnow()
    row = _window_row(store)
    if row is None:
        return True
    first, _, pulled_at = row
    return (first != now.astimezone().date() or not 0 <= (now - pulled_at).total_seconds() < PULL_EVERY_SECONDS)


def sync_appointments(store: Store, client: PlatformClient, retry: RetryPolicy = SYNC_ITEMS) -> AppointmentSync:
    """Events up first (so the window pulled next already knows them), then the window down when due."""
    stats = AppointmentSync()
    stats.events_sent, stats.events_rejected = push_events(store, client, retry)
    if stats.events_sent or stats.events_rejected or pull_due(store):
        stats.pulled, stats.removed = pull_window(store, client)
    return stats
