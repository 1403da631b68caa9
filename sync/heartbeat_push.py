"""The sync pass's heartbeat step: make a report (also offline) and deliver every one the platform lacks.

Reports go oldest first, in batches; the platform answers each id ("stored" or "duplicate": both mean it
has it) and only then is the report forgotten here, so a lost answer means a harmless re-send. The answer
carries the platform's clock: the offset of this clock against it, measured at the middle of the request, is
kept for the next report. A report the platform refuses as malformed is dropped (logged) rather than left to
block the queue; a platform without the route (404) just means the reports wait, bounded, for an upgrade.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from kiosk import heartbeat
from kiosk.terminal import Terminal
from sync.client import Offline, PlatformClient, Refused
from sync.wire import ValidationError
from sync.wire_heartbeat import HeartbeatAnswer

log = logging.getLogger("onewindow.sync.heartbeat")
BATCH = 50


def _post(terminal: Terminal, client: PlatformClient, reports: list[dict[str, Any]]) -> HeartbeatAnswer:
    before = datetime.now(timezone.utc)
    try:
        answer = HeartbeatAnswer.model_validate(client.json("POST", "heartbeat", json_body={"reports": reports}))
    except ValidationError:
        raise Offline("unexpected answer to the heartbeat") from None
    after = datetime.now(timezone.utc)
    offset = (answer.server_time - (before + (after - before) / 2)).total_seconds()
    with terminal.store.transaction() as session:
        heartbeat.remember_clock_offset(session, offset, after)
        heartbeat.forget(session, [r.id for r in answer.results if r.id in {x["id"] for x in reports}])
    return answer


def _drop(terminal: Terminal, report: dict[str, Any], exc: Refused) -> None:
    log.error("heartbeat report %s refused by the platform, dropped: %s", report.get("id"), exc.reason.get("en"))
    with terminal.store.transaction() as session:
        heartbeat.forget(session, [str(report.get("id"))])


def _send_waiting(terminal: Terminal, client: PlatformClient) -> tuple[str, int]:
    sent = 0
    while True:
        with terminal.store.transaction() as session:
            batch = heartbeat.unsent(session, BATCH)
        if not batch:
            return "sent", sent
        try:
            answer = _post(terminal, client, batch)
        except Refused as exc:
            if exc.status == 404:  # a platform from before the fleet view: keep them for its upgrade
                return "no_route", sent
            if exc.status != 422:
                return "refused", sent
            for one in batch:  # find the report that does not fit; the others go through
                try:
                    sent += len(_post(terminal, client, [one]).results)
                except Refused as single:
                    if single.status != 422:
                        raise
                    _drop(terminal, one, single)
            continue
        if not answer.results:
            return "no_answer", sent
        sent += len(answer.results)


def deliver(terminal: Terminal, client: PlatformClient | None, *, sync_errors: Iterable[str] = ()) -> dict[str, Any]:
    """Record a report, then (with a client: the link is up) send what waits. `Offline` propagates.

    Online, what waited goes first, and a terminal that never measured its clock asks the platform's (an
    empty batch) before it makes this pass's report, so even its first report delivered online has an offset."""
    outcome, sent = "kept", 0
    if client is not None:
        outcome, sent = _send_waiting(terminal, client)
        with terminal.store.transaction() as session:
            measured = heartbeat.clock_offset(session) is not None
        if outcome == "sent" and not measured:
            try:
                _post(terminal, client, [])
            except Refused:
                pass  # a platform that takes no empty batch: the next report has the offset
    made = heartbeat.record(terminal, sync_errors=sync_errors)
    if client is not None and outcome == "sent":
        outcome, more = _send_waiting(terminal, client)
        sent += more
    with terminal.store.transaction() as session:
        waiting = heartbeat.unsent_count(session)
    return {"result": outcome, "made": made, "sent": sent, "waiting": waiting}
