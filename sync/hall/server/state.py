"""The hall at one moment (`HallState`): what a board shows before it follows the events after `seq`."""
from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import select

from kiosk.queue.model import Call, CounterState, EventKind, HallState, Ticket
from sync.hall import wire
from sync.hall.server import clock
from sync.hall.server.config import HubConfig
from sync.hall.server.counters import counter_state
from sync.hall.server.events import event_json, last_seq
from sync.hall.server.help_requests import to_help
from sync.hall.server.schema import CounterRow, DeviceRow, EventRow, HelpRow
from sync.hall.server.store import HubStore
from sync.hall.server.tickets import waiting_rows

CALL_KINDS = (EventKind.CALLED.value, EventKind.RECALLED.value)


def hall_state(store: HubStore, config: HubConfig) -> HallState:
    day = clock.service_day()
    with store.read() as s:  # one snapshot: the seq and everything else agree
        seq = last_seq(s)
        waiting = Counter(r.category for r in waiting_rows(s, day))
        rows = {r.counter_no: r for r in s.scalars(select(CounterRow))}
        paired = set(s.scalars(select(DeviceRow.counter_no).where(DeviceRow.counter_no.is_not(None),
                                                                  DeviceRow.unpaired_at.is_(None))))
        counters: list[CounterState] = []
        for n in sorted(set(rows) | paired):
            row = rows.get(n)
            counters.append(counter_state(s, row) if row else CounterState(n, False, ()))
        calls: list[Call] = []
        start = clock.day_start(day)
        for ev in s.scalars(select(EventRow).where(EventRow.kind.in_(CALL_KINDS), EventRow.at >= start)
                            .order_by(EventRow.seq.desc()).limit(config.recent_calls)):
            ticket = wire.decode_as(Ticket, json.loads(event_json(ev))["ticket"])
            calls.append(Call(ev.seq, ticket.ticket_id, ticket.number, ticket.category, ev.counter_no or 0, ev.at,
                              recall=ev.kind == EventKind.RECALLED.value))
        help_rows = s.scalars(select(HelpRow).where(HelpRow.closed_at.is_(None)).order_by(HelpRow.requested_at))
        return HallState(seq, day, config.categories, {c: waiting.get(c, 0) for c in config.codes},
                         tuple(counters), tuple(calls), tuple(to_help(r) for r in help_rows))
