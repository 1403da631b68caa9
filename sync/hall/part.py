"""The hall hub as a part of the terminal (`Terminal.hall`, the `HallPart` of `kiosk.queue.model`).

`attach` (the `hall` entry point of `onewindow.terminal_parts`) plugs it in when the terminal is paired
with a hub or `hall_url` is set; otherwise `Terminal.hall` stays None. With `background` (the windows) a
small worker hands over the tickets issued offline as soon as the hub answers again, and keeps the kiosk's
number blocks filled; without it (a one-shot CLI command) nothing is left running.

Issuing a ticket (kiosk): POST TICKETS with a ticket id made here. When the answer is lost (a read timeout,
a 5xx, a mangled answer) the hub may have issued it anyway, so the same id is sent once more at once
(idempotent at the hub: the same ticket comes back). Only if that fails too does the kiosk issue from its
own numbers, remembering the lost id; the hand-over later asks the hub's events whether that id was issued
and, if so, names the number nobody holds in `status().note`, so the counter passes it over when called.
"""
from __future__ import annotations

import logging
import math
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from kiosk.errors import Message, UserFacingError
from kiosk.queue import offline
from kiosk.queue.model import (Category, CounterSession, CounterState, EventKind, HallState, HallUnavailable,
                               HelpRequest, HubStatus, IssuedTicket, IssueRequest, Pairing, Priority, QueueEvent,
                               Role, Subscription, Ticket)
from kiosk.retry import RetryPolicy
from kiosk.terminal import Terminal
from sync.hall.client import BACKGROUND, INTERACTIVE, HubClient, HubUnreachable
from sync.hall.follower import EventFollower
from sync.hall.pairing import SavedPairing, check_hub_url, load_pairing, save_pairing

log = logging.getLogger("onewindow.sync.hall.part")
R = TypeVar("R")

NOT_PAIRED = Message("本终端尚未与叫号服务器配对，请联系管理员配对（onewindow queue pair 配对码）。",
                     "This terminal is not paired with the hall's queue server; ask the administrator to pair it "
                     "(onewindow queue pair CODE).")
NO_OFFLINE_NUMBERS = Message("叫号服务器暂时无法连接，本终端不能自行取号，请联系工作人员。",
                             "The hall's queue server cannot be reached and this terminal cannot issue tickets "
                             "on its own; please ask the staff.")
#: the hand-over worker: soon after the hub is back, never more often than every couple of seconds
HANDOVER_RETRY = RetryPolicy(base=1.0, cap=10.0)
IDLE_SECONDS = 30.0
CATEGORIES_EVERY = 300.0
UNHELD_STEP = "unheld-ticket"  # the help request that names a ticket the hub issued but nobody holds


class HallLink:
    def __init__(self, terminal: Terminal, hub_url: str, saved: SavedPairing | None, *, background: bool) -> None:
        self.terminal = terminal
        self.store = terminal.store
        self.hub_url = hub_url
        self.pairing: Pairing | None = saved.pairing if saved else None
        self.background = background
        self.timeouts = INTERACTIVE  # a citizen or clerk waits for these calls
        self.background_timeouts = BACKGROUND  # hand-over, blocks, a day's tickets
        self._local = threading.local()
        self._lock = threading.Lock()
        self._reachable: bool | None = None
        self._waiting: dict[str, int] = {}  # the last waiting counts the hub gave (offline "people ahead")
        self._followers: list[EventFollower] = []
        self._worker: HallWorker | None = None
        if background and self.pairing is not None:
            self._worker = HallWorker(self)
            self._worker.start()

    # --- plumbing ---------------------------------------------------------------------------------------------
    def _paired(self) -> Pairing:
        if self.pairing is None:
            raise HallUnavailable(NOT_PAIRED)
        return self.pairing

    def client(self, background: bool = False) -> HubClient:
        """A client per thread and timeout kind (requests sessions are not shared between threads)."""
        pairing = self._paired()
        timeouts = self.background_timeouts if background else self.timeouts
        key = f"c{id(timeouts)}"
        client: HubClient | None = getattr(self._local, key, None)
        if client is None or client.base_url != self.hub_url.rstrip("/") or client._token != pairing.token:
            client = HubClient(self.hub_url, pairing.token, timeouts=timeouts)
            setattr(self._local, key, client)
        return client

    def _call(self, fn: Callable[[HubClient], R], background: bool = False) -> R:
        try:
            result = fn(self.client(background))
        except HubUnreachable:
            self._reachable = False
            raise
        self._reachable = True
        return result

    def repaired(self, hub_url: str, pairing: Pairing) -> None:
        """After `pair`: the new token and address from now on (and the worker, in a window)."""
        self.hub_url, self.pairing = hub_url, pairing
        self._local = threading.local()
        if self.background and self._worker is None:
            self._worker = HallWorker(self)
            self._worker.start()
        self.poke()

    def poke(self) -> None:
        if self._worker is not None:
            self._worker.poke()

    # --- HallPart: status and lines ---------------------------------------------------------------------------
    def status(self) -> HubStatus:
        if self.pairing is None:
            return HubStatus(configured=False, reachable=None, note=NOT_PAIRED)
        pending = offline.pending_count(self.store)
        note = None
        unheld = offline.unheld_at_hub(self.store, offline.service_day())
        refused = offline.refused(self.store)
        if unheld:
            nums = "、".join(unheld)
            note = Message(f"叫号服务器上有号码无人持有（{nums}：取号时应答超时，已改为本机号码），叫到时请按过号处理。",
                           f"The queue server holds tickets nobody has ({nums.replace('、', ', ')}: their answer timed "
                           "out and the kiosk issued its own number instead); pass them over when called.")
        if refused:
            nums = "、".join(t.number for t in refused)
            note = Message(f"叫号服务器拒收了本机离线发出的号码 {nums}，请工作人员核对。",
                           f"The queue server refused tickets this kiosk issued offline ({nums.replace('、', ', ')}); "
                           "staff, please check them.")
        return HubStatus(configured=True, reachable=self._reachable, offline_tickets_pending=pending, note=note)

    def categories(self) -> tuple[Category, ...]:
        try:
            found: tuple[Category, ...] = self._call(lambda c: c.categories())
        except HallUnavailable:
            kept = offline.known_categories(self.store)
            if self.pairing is not None and not kept:
                kept = self.pairing.categories
            return kept
        offline.remember_categories(self.store, found)
        return found

    # --- HallPart: issuing ------------------------------------------------------------------------------------
    def issue(self, category: str, priority: Priority) -> IssuedTicket:
        pairing = self._paired()
        known = offline.check_category(self.store, category)
        request = IssueRequest(str(uuid.uuid4()), category, priority)
        lost: str | None = None
        for attempt in range(2):
            try:
                issued: IssuedTicket = self._call(lambda c: c.issue(request))
            except HubUnreachable as exc:
                log.info("ticket request %d not answered: %s", attempt + 1, exc.detail)
                if not exc.delivered_maybe:
                    break  # the request never left: the hub holds nothing under this id (unless a first try did)
                lost = request.ticket_id  # the hub may have issued it: the same id once more, idempotent
                continue
            offline.remember_ticket_page(self.store, issued.status_url, issued.ticket.ticket_id)
            if not self.background:
                self._refill_quietly()
            return issued
        if pairing.role != Role.KIOSK or pairing.kiosk_slot is None:
            raise HallUnavailable(NO_OFFLINE_NUMBERS)
        # a new id for the kiosk's own ticket: the lost request's id may already name another number at the hub
        made = offline.issue_offline(self.store, ticket_id=str(uuid.uuid4()), category=category, priority=priority,
                                     kiosk_slot=pairing.kiosk_slot, issued_by=pairing.device_name,
                                     lost_request_id=lost)
        if lost:
            log.warning("ticket request %s timed out twice; issued %s offline instead and will check the hub for it",
                        lost, made.ticket.number)
        day = made.ticket.service_day
        ahead = self._waiting.get(category, 0) + offline.waiting_offline(self.store, day, category) - 1
        ahead = max(0, ahead)
        minutes = known.minutes_per_ticket if known else 6.0
        self.poke()
        page = offline.ticket_page(self.store, made.ticket.ticket_id) \
            or HubClient(self.hub_url).ticket_page_url(made.ticket.ticket_id)
        return IssuedTicket(made.ticket, ahead, int(math.ceil(ahead * minutes)), page, offline=True)

    def hand_over(self) -> int:
        """Send what was issued offline (in batches), then look for requests whose answer was lost."""
        pairing = self._paired()
        held = 0
        while True:
            batch = offline.pending(self.store, limit=200)
            if not batch:
                break
            try:
                result = self._call(lambda c: c.hand_over(batch), background=True)
            except HubUnreachable as exc:
                offline.record_failure(self.store, [t.ticket_id for t in batch], exc.detail)
                raise
            except UserFacingError as exc:
                offline.record_failure(self.store, [t.ticket_id for t in batch], exc.message.en)
                raise
            sent = {t.ticket_id for t in batch}
            held += offline.mark_handed_over(self.store, result.accepted)
            if result.refused:
                log.error("the hub REFUSED offline tickets %s of kiosk %s: their numbers clash",
                          list(result.refused), pairing.device_name)
                offline.mark_refused(self.store, result.refused, "refused by the hub: number clash")
            if not sent & (set(result.accepted) | set(result.refused)):
                raise HubUnreachable(Message("叫号服务器未确认接收离线号码。", "The queue server did not confirm the offline tickets."),
                                     "hand-over answer named none of the tickets sent", delivered_maybe=True)
        try:
            self._resolve_lost_requests()
        except (HallUnavailable, UserFacingError) as exc:  # still "unknown": the next hand-over asks again
            log.info("lost ticket requests not looked up yet: %s", exc)
        return held

    def _resolve_lost_requests(self) -> None:
        lost = offline.unresolved_lost_requests(self.store)
        if not lost:
            return
        wanted = {r.lost_request_id for r in lost}
        found: dict[str, str] = {}
        seq = 0
        client = self.client(background=True)
        while wanted - set(found):
            page = client.events_since(seq, 500)
            for event in page:
                if event.kind == EventKind.ISSUED and event.ticket is not None and event.ticket.ticket_id in wanted:
                    found[event.ticket.ticket_id] = event.ticket.number
                seq = max(seq, event.seq)
            if len(page) < 500:
                break
        for request in lost:
            number = found.get(request.lost_request_id)
            if number:
                log.warning("the hub issued %s for a request whose answer was lost; nobody holds it", number)
                self._tell_counters(client, number)
            offline.resolve_lost_request(self.store, request.lost_request_id, number)

    def _tell_counters(self, client: HubClient, number: str) -> None:
        """A ticket nobody holds reaches the counters as a help request from this kiosk (the protocol's way
        for a kiosk to ask staff for something), so the counter that calls it knows to pass it over."""
        try:
            client.request_help(UNHELD_STEP, Message(f"{number} 号无人持有（取号应答超时），叫到时请按过号处理",
                                                     f"Nobody holds ticket {number} (its answer timed out): "
                                                     "pass it over when called"))
        except (HallUnavailable, UserFacingError) as exc:  # the kiosk's status still names it
            log.warning("could not tell the counters about unheld ticket %s: %s", number, exc)

    def refill_blocks(self) -> int:
        """Kiosk: ask for fresh blocks when a line has fewer than REFILL_BELOW numbers left today."""
        pairing = self._paired()
        if pairing.role != Role.KIOSK:
            return 0
        codes = [c.code for c in (offline.known_categories(self.store) or pairing.categories)]
        if not codes or not offline.needs_refill(self.store, offline.service_day(), codes):
            return 0
        blocks = self._call(lambda c: c.blocks(), background=True)
        return offline.store_blocks(self.store, blocks)

    def _refill_quietly(self) -> None:
        try:
            self.refill_blocks()
        except (HallUnavailable, UserFacingError, ValueError) as exc:
            log.info("number blocks not refilled: %s", exc)

    # --- HallPart: reading ------------------------------------------------------------------------------------
    def state(self) -> HallState:
        state: HallState = self._call(lambda c: c.state())
        self._waiting = dict(state.waiting)
        return state

    def events_since(self, seq: int, limit: int = 500) -> list[QueueEvent]:
        return self._call(lambda c: c.events_since(seq, limit))

    def subscribe(self, since: int, on_events: Callable[[list[QueueEvent]], None],
                  on_link: Callable[[bool], None]) -> Subscription:
        pairing = self._paired()
        follower = EventFollower(HubClient(self.hub_url, pairing.token, timeouts=self.timeouts), pairing.token, since,
                                 on_events, on_link)
        with self._lock:
            self._followers = [f for f in self._followers if f._thread.is_alive()] + [follower]
        return follower.start()

    def tickets(self, day: str) -> list[Ticket]:
        return self._call(lambda c: c.tickets(day), background=True)

    def counter_sessions(self, day: str) -> list[CounterSession]:
        return self._call(lambda c: c.counter_sessions(day), background=True)

    # --- HallPart: counter ------------------------------------------------------------------------------------
    def open_counter(self, categories: tuple[str, ...] | None = None) -> CounterState:
        return self._call(lambda c: c.open_counter(categories))

    def close_counter(self) -> CounterState:
        return self._call(lambda c: c.close_counter())

    def call_next(self) -> Ticket | None:
        return self._call(lambda c: c.call_next())

    def recall(self, ticket_id: str) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "recall"))

    def start(self, ticket_id: str) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "start"))

    def finish(self, ticket_id: str) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "finish"))

    def no_show(self, ticket_id: str) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "no-show"))

    def transfer(self, ticket_id: str, to_counter: int) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "transfer",
                                                    {"to_counter": to_counter}))

    def link(self, ticket_id: str, application_ref: str) -> Ticket:
        return self._call(lambda c: c.ticket_action(ticket_id, "link",
                                                    {"application_ref": application_ref}))

    # --- HallPart: help ---------------------------------------------------------------------------------------
    def request_help(self, step: str, step_label: Message) -> HelpRequest:
        return self._call(lambda c: c.request_help(step, step_label))

    def help_request(self, help_id: str) -> HelpRequest:
        return self._call(lambda c: c.help_request(help_id))

    def acknowledge_help(self, help_id: str) -> HelpRequest:
        return self._call(lambda c: c.help_action(help_id, "acknowledge"))

    def close_help(self, help_id: str) -> HelpRequest:
        return self._call(lambda c: c.help_action(help_id, "close"))

    def stop(self, timeout: float = 5.0) -> None:
        if self._worker is not None:
            self._worker.stop(timeout)
            self._worker = None
        with self._lock:
            followers, self._followers = self._followers, []
        for follower in followers:
            follower.stop(timeout)


class HallWorker:
    """Hands over offline tickets, resolves lost requests, keeps blocks and the lines fresh; backs off
    (capped, jittered) while the hub does not answer."""

    def __init__(self, link: HallLink, retry: RetryPolicy = HANDOVER_RETRY, idle: float = IDLE_SECONDS) -> None:
        self.link = link
        self.retry = retry
        self.idle = idle
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._failures = 0
        self._categories_at = -math.inf
        self._thread = threading.Thread(target=self._run, name="onewindow-hall", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> None:
        link = self.link
        if offline.pending_count(link.store) or offline.unresolved_lost_requests(link.store):
            link.hand_over()
        if time.monotonic() - self._categories_at > CATEGORIES_EVERY:
            link.categories()
            if link._reachable:
                self._categories_at = time.monotonic()
        link.refill_blocks()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
                self._failures = 0
            except HallUnavailable as exc:
                self._failures += 1
                log.info("hall worker: hub unavailable (%s)", exc)
            except UserFacingError as exc:
                self._failures += 1
                log.warning("hall worker: hub refused: %s", exc.message.en)
            except Exception:  # noqa: BLE001 - a defect: logged whole, the worker keeps going
                self._failures += 1
                log.exception("hall worker pass failed")
            delay = self.retry.delay(self._failures) if self._failures else self.idle
            self._wake.wait(delay)


def _device_name(terminal: Terminal) -> str:
    """The name the hub shows for this terminal (the hub's pairing code may set another): the name of an
    earlier pairing, else the platform enrollment's name, else the host name with a random tag, since kiosks
    cloned from one image share a host name and the hub treats one name as one device."""
    saved = load_pairing(terminal.settings)
    if saved is not None:
        return saved.pairing.device_name
    try:
        from sync.credentials import load_credential

        credential = load_credential(terminal.settings)
        if credential is not None:
            return credential.device_name[:64]
    except UserFacingError:
        pass
    return f"{socket.gethostname()[:40]}-{terminal.settings.device_kind}-{uuid.uuid4().hex[:6]}"


def pair(terminal: Terminal, code: str, url: str | None = None, *, background: bool = False) -> Pairing:
    """`onewindow queue pair CODE [--url URL]`: the hub's answer kept in the data dir, the part (re)attached."""
    given = (url or terminal.settings.hall_url).strip()
    if not given:
        raise UserFacingError(Message("未设置叫号服务器地址：请用 --url 指定，或设置 hall_url。",
                                      "No queue server address: give --url, or set hall_url."), code="hall_url")
    hub_url = check_hub_url(given)
    setting = terminal.settings.hall_url.strip()
    if setting and check_hub_url(setting) != hub_url:
        # the setting is where this terminal looks for its hub (it beats the address kept at pairing, for a
        # hub that moved): a pairing with another hub would never be used
        raise UserFacingError(Message(f"设置项 hall_url 为 {setting}，与 --url {hub_url} 不同；请改用该地址配对，或先修改设置。",
                                      f"The hall_url setting is {setting}, not {hub_url}: pair with that address, or "
                                      "change the setting first."), code="hall_url")
    if not code.strip() or len(code) > 100 or not code.isprintable():
        raise UserFacingError(Message("配对码无效。", "The pairing code is not valid."), code="pairing_code")
    client = HubClient(hub_url, timeouts=INTERACTIVE)
    try:
        pairing = client.pair(code.strip(), _device_name(terminal))
    finally:
        client.close()
    save_pairing(terminal.settings, hub_url, pairing)
    current = terminal.hall
    if isinstance(current, HallLink):
        current.repaired(hub_url, pairing)
    else:
        attach(terminal, background=background)
    return pairing


def attach(terminal: Terminal, *, background: bool) -> None:
    saved = load_pairing(terminal.settings)
    setting = terminal.settings.hall_url.strip()
    if saved is None and not setting:
        terminal.hall = None
        return
    hub_url = check_hub_url(setting) if setting else saved.hub_url
    terminal.hall = HallLink(terminal, hub_url, saved, background=background)
