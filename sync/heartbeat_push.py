"""The sync pass's heartbeat step: make a report (also offline) and deliver every one the platform lacks.

Reports go oldest first, in batches; the platform answers each id ("stored" or "duplicate": both mean it
has it) and only then is the report forgotten here, so a lost answer means a harmless re-send. The answer
carries the platform's clock: the offset of this clock against it, measured at the middle of the request, is
kept for the next report. A report the platform refuses as malformed is dropped (logged) rather than left to
block the queue; a platform without the route (404) just means the reports wait, bounded, for an upgrade.

Once the clock is measured, a pass's report is made before its first request that can carry it and rides
on it (`to_carry`): its push (`POST /applications`), else its feed read (`POST /changes`). An idle terminal's
minute is then one request, and a pass that submits sends none for its heartbeat. What no request could
carry (a platform from before, a report it refuses, a backlog beyond one batch) is sent on its own after
the pass.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
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
    take_answer(terminal, answer, reports, before, datetime.now(timezone.utc))
    return answer


def take_answer(terminal: Terminal, answer: HeartbeatAnswer, reports: list[dict[str, Any]], before: datetime,
                after: datetime) -> int:
    """The platform has the reports it answered, and its clock was `answer.server_time` between `before` and
    `after`: forget those, keep the offset. How many it answered."""
    offset = (answer.server_time - (before + (after - before) / 2)).total_seconds()
    sent = {x["id"] for x in reports}
    answered = [r.id for r in answer.results if r.id in sent]
    with terminal.store.transaction() as session:
        heartbeat.remember_clock_offset(session, offset, after)
        heartbeat.forget(session, answered)
    return len(answered)


@dataclass(frozen=True)
class Carried:
    """What a pass's push or feed read took to the platform: the report made for it, if one was due, the
    reports answered, how many errors the pass had when its report was made, and whether the platform took
    them (False: a platform from before, or a report it refused; they wait for the heartbeat step)."""

    made: str | None
    sent: int
    errors_then: int
    taken: bool = True


def to_carry(terminal: Terminal, *, sync_errors: Iterable[str]) -> tuple[str | None, list[dict[str, Any]]]:
    """This pass's report (when one is due), made before the feed read so that read can carry it, and the
    reports it carries (oldest first). None of either until the terminal has measured its clock: its first
    report goes on its own, after the platform's clock is asked (`deliver`)."""
    with terminal.store.transaction() as session:
        if heartbeat.clock_offset(session) is None:
            return None, []
    return heartbeat.record(terminal, sync_errors=sync_errors), waiting(terminal)


def waiting(terminal: Terminal) -> list[dict[str, Any]]:
    """The reports a later request of the pass carries when an earlier one made this pass's report but the
    platform did not take it (a platform from before, a cut)."""
    with terminal.store.transaction() as session:
        return heartbeat.unsent(session, BATCH)


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


def deliver(terminal: Terminal, client: PlatformClient | None, *, sync_errors: Iterable[str] = (),
            carried: Carried | None = None) -> dict[str, Any]:
    """Record a report, then (with a client: the link is up) send what waits. `Offline` propagates.

    Online, what waited goes first, and a terminal that never measured its clock asks the platform's (an
    empty batch) before it makes this pass's report, so even its first report delivered online has an offset.

    When the pass's report was made for its feed read (`carried`), none is made again unless the pass met
    errors after it: the fleet page then hears of them now, in a report of their own, not a minute later."""
    errors = list(sync_errors)
    told: dict[str, Any] = {}
    if carried is not None:
        made = carried.made
        if made is not None and len(errors) > carried.errors_then:
            made = heartbeat.record(terminal, sync_errors=errors, force=True)
        outcome, sent = ("sent" if carried.taken else "kept"), carried.sent
        if client is not None:  # what the feed read did not carry: a backlog beyond one batch, or all it held
            outcome, more = _send_waiting(terminal, client)
            sent += more
        told = {"carried": carried.taken}
    else:
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
        made = heartbeat.record(terminal, sync_errors=errors)
        if client is not None and outcome == "sent":
            outcome, more = _send_waiting(terminal, client)
            sent += more
    with terminal.store.transaction() as session:
        waiting = heartbeat.unsent_count(session)
    return {"result": outcome, "made": made, "sent": sent, "waiting": waiting, **told}
