"""Help on request: a kiosk asks, a counter acknowledges ("someone is coming") and closes it.

Pressing the button again on the same screen before anyone answered returns the request already open;
a request with another step or label (another screen, another notice) is a request of its own.
"""
from __future__ import annotations

import uuid

from sqlalchemy import select

from kiosk.errors import Message
from kiosk.queue.model import EventKind, HelpRequest
from sync.hall.server import clock
from sync.hall.server.errors import bad_request, not_found
from sync.hall.server.events import append_event
from sync.hall.server.pairing import Device
from sync.hall.server.schema import HelpRow
from sync.hall.server.store import HubStore

MAX_STEP, MAX_LABEL = 64, 200


def to_help(r: HelpRow) -> HelpRequest:
    return HelpRequest(r.help_id, r.kiosk, r.step, Message(r.label_zh, r.label_en), r.requested_at,
                       r.acknowledged_at, r.acknowledged_by, r.closed_at)


def request_help(store: HubStore, device: Device, step: str, label: Message) -> HelpRequest:
    if not (0 < len(step) <= MAX_STEP and step.isprintable()):
        raise bad_request("step", f"步骤名须为 1-{MAX_STEP} 个可见字符。", f"A step is 1-{MAX_STEP} printable characters.")
    if not all(0 < len(t) <= MAX_LABEL and t.isprintable() for t in (label.zh, label.en)):
        raise bad_request("step_label", f"步骤说明须为 1-{MAX_LABEL} 个可见字符。",
                          f"A step label is 1-{MAX_LABEL} printable characters.")
    now = clock.now()
    with store.write() as s:
        waiting = s.scalar(select(HelpRow).where(HelpRow.kiosk == device.name, HelpRow.closed_at.is_(None),
                                                 HelpRow.acknowledged_at.is_(None), HelpRow.step == step,
                                                 HelpRow.label_zh == label.zh, HelpRow.label_en == label.en))
        if waiting is not None:  # the button pressed again on the same screen before anyone answered
            return to_help(waiting)
        row = HelpRow(help_id=str(uuid.uuid4()), kiosk=device.name, step=step, label_zh=label.zh, label_en=label.en,
                      requested_at=now)
        s.add(row)
        s.flush()
        help = to_help(row)
        append_event(s, EventKind.HELP_REQUESTED, now, help=help)
        return help


def _missing() -> Exception:
    return not_found("help", "没有这条协助请求。", "There is no such help request.")


def help_request(store: HubStore, help_id: str) -> HelpRequest:
    with store.read() as s:
        row = s.get(HelpRow, help_id[:36])
        if row is None:
            raise _missing()
        return to_help(row)


def acknowledge(store: HubStore, device: Device, help_id: str) -> HelpRequest:
    now = clock.now()
    with store.write() as s:
        row = s.get(HelpRow, help_id[:36])
        if row is None:
            raise _missing()
        if row.acknowledged_at is None and row.closed_at is None:
            row.acknowledged_at, row.acknowledged_by = now, device.name
            s.flush()
            append_event(s, EventKind.HELP_ACKNOWLEDGED, now, help=to_help(row), counter_no=device.counter_no)
        return to_help(row)


def close(store: HubStore, device: Device, help_id: str) -> HelpRequest:
    now = clock.now()
    with store.write() as s:
        row = s.get(HelpRow, help_id[:36])
        if row is None:
            raise _missing()
        if row.closed_at is None:
            row.closed_at = now
            if row.acknowledged_at is None:
                row.acknowledged_at, row.acknowledged_by = now, device.name
            s.flush()
            append_event(s, EventKind.HELP_CLOSED, now, help=to_help(row), counter_no=device.counter_no)
        return to_help(row)

