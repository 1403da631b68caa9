"""The hub's HTTP and WebSocket routes (`sync.hall.wire` lists them with their shapes and roles).

Handlers are async only to read bodies and hold WebSockets; each store operation runs in the thread pool
and is one transaction. A refusal is a `HubError` (4xx, bilingual JSON); nothing was changed.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocketDisconnect

from kiosk.errors import Message
from kiosk.queue.model import IssuedTicket, IssueRequest, Role, Ticket
from sync.hall import wire
from sync.hall.server import counters, help_requests, pairing, tickets
from sync.hall.server.config import HubConfig
from sync.hall.server.errors import HubError
from sync.hall.server.events import event_json, rows_since
from sync.hall.server.http_io import (HEADER, ProtocolHeader, decode, error_response, hub_error, json_body,
                                      json_response)
from sync.hall.server.page import missing_page, ticket_page
from sync.hall.server.state import hall_state
from sync.hall.server.store import HubStore

log = logging.getLogger("onewindow.hall")
T = TypeVar("T")
EVENTS_PAGE = 500


@dataclass(frozen=True)
class PairBody:
    code: str
    device_name: str


@dataclass(frozen=True)
class HandoverBody:
    tickets: tuple[Ticket, ...]


@dataclass(frozen=True)
class OpenBody:
    categories: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TransferBody:
    to_counter: int


@dataclass(frozen=True)
class LinkBody:
    application_ref: str


@dataclass(frozen=True)
class HelpBody:
    step: str
    step_label: Message


UNAUTHORIZED = HubError(401, "unauthorized", Message("本设备未与叫号服务器配对，或配对已解除。",
                                                     "This device is not paired with the hall hub, or was unpaired."))


def _forbidden(role: Role) -> HubError:
    names = {Role.KIOSK: ("取号机", "a kiosk"), Role.COUNTER: ("窗口", "a counter"), Role.BOARD: ("叫号屏", "a board")}
    zh, en = names[role]
    return HubError(403, "forbidden", Message(f"{zh}不能执行此操作。", f"This is not something {en} may do."))


def _query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise HubError(422, "bad_query", Message(f"参数 {name[:20]} 须为 {low}-{high} 之间的整数。",
                                                 f"Parameter {name[:20]} must be a whole number {low}-{high}."))
    return int(raw)


def _query_day(request: Request) -> str:
    from sync.hall.server import clock

    return request.query_params.get("day") or clock.service_day()


def create_app(store: HubStore, config: HubConfig) -> FastAPI:
    app = FastAPI(title="OneWindow hall hub", version=wire.PROTOCOL_VERSION, docs_url=None, redoc_url=None,
                  openapi_url=f"{wire.API}/openapi.json")
    app.add_middleware(ProtocolHeader)
    app.state.store, app.state.config = store, config  # for routes added beside these (the statistics)
    limit = config.max_body_bytes

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> Response:
        return hub_error(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return error_response(405, "method", Message("此地址不接受这种请求。", "This address does not take this method."))
        return error_response(exc.status_code, "not_found", Message("没有这个地址。", "There is no such address."))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, _exc: RequestValidationError) -> Response:
        return error_response(422, "bad_request", Message("请求格式不对。", "The request is malformed."))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        log.error("unexpected failure", exc_info=exc)
        return error_response(500, "internal", Message("叫号服务器内部出错，未做任何更改。",
                                                       "The hall hub failed inside; nothing was changed."))

    async def device(request: Request, *roles: Role) -> pairing.Device:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else None
        found = await run_in_threadpool(pairing.authenticate, store, token)
        if found is None:
            raise UNAUTHORIZED
        if roles and found.role not in roles:
            raise _forbidden(found.role)
        return found

    async def body(request: Request, kind: type[T], empty: Any = ...) -> T:
        data = await json_body(request, limit, empty=empty)
        return decode(kind, data)  # type: ignore[no-any-return]

    def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Any:
        return run_in_threadpool(fn, *args, **kwargs)

    def status_url(request: Request, ticket_id: str) -> str:
        base = config.public_url or str(request.base_url).rstrip("/")
        return base + wire.TICKET_PAGE.format(ticket_id=ticket_id)

    @app.post(wire.PAIR)
    async def pair(request: Request) -> Response:
        b = await body(request, PairBody)
        return json_response(await run(pairing.pair, store, b.code[:64], b.device_name, config.categories))

    @app.get(wire.CATEGORIES)
    async def categories(request: Request) -> Response:
        await device(request)
        return json_response(config.categories)

    @app.post(wire.TICKETS)
    async def issue(request: Request) -> Response:
        d = await device(request, Role.KIOSK, Role.COUNTER)
        req = await body(request, IssueRequest)
        placed = await run(tickets.issue, store, config, d, req)
        return json_response(IssuedTicket(placed.ticket, placed.people_ahead, placed.estimated_wait_minutes,
                                          status_url(request, placed.ticket.ticket_id)))

    @app.post(wire.HANDOVER)
    async def handover(request: Request) -> Response:
        d = await device(request, Role.KIOSK)
        b = await body(request, HandoverBody)
        return json_response(await run(tickets.hand_over, store, config, d, list(b.tickets)))

    @app.post(wire.BLOCKS)
    async def blocks(request: Request) -> Response:
        d = await device(request, Role.KIOSK)
        await json_body(request, limit, empty=None)
        return json_response(await run(tickets.blocks, store, config, d))

    @app.get(wire.TICKETS)
    async def day_tickets(request: Request) -> Response:
        await device(request, Role.COUNTER)
        return json_response(await run(tickets.tickets_of_day, store, _query_day(request)))

    @app.get(wire.COUNTER_SESSIONS)
    async def sessions(request: Request) -> Response:
        await device(request, Role.COUNTER)
        return json_response(await run(counters.sessions_of_day, store, _query_day(request)))

    @app.post(wire.COUNTER_OPEN)
    async def open_counter(request: Request) -> Response:
        d = await device(request, Role.COUNTER)
        b = await body(request, OpenBody, empty={})
        return json_response(await run(counters.open_counter, store, config, d, b.categories))

    @app.post(wire.COUNTER_CLOSE)
    async def close_counter(request: Request) -> Response:
        d = await device(request, Role.COUNTER)
        await json_body(request, limit, empty=None)
        return json_response(await run(counters.close_counter, store, d))

    @app.post(wire.CALL_NEXT)
    async def call_next(request: Request) -> Response:
        d = await device(request, Role.COUNTER)
        await json_body(request, limit, empty=None)
        ticket = await run(counters.call_next, store, config, d)
        return Response(status_code=204) if ticket is None else json_response(ticket)

    @app.post(wire.TICKET_ACTION)
    async def ticket_action(request: Request, ticket_id: str, action: str) -> Response:
        if action not in counters.ACTIONS:
            raise HubError(404, "not_found", Message("没有这个操作。", "There is no such action."))
        d = await device(request, Role.COUNTER)
        kwargs: dict[str, Any] = {}
        if action == "transfer":
            kwargs["to_counter"] = (await body(request, TransferBody)).to_counter
        elif action == "link":
            kwargs["application_ref"] = (await body(request, LinkBody)).application_ref
        else:
            await json_body(request, limit, empty=None)
        return json_response(await run(counters.act, store, d, ticket_id, action, **kwargs))

    @app.get(wire.STATE)
    async def state(request: Request) -> Response:
        await device(request)
        return json_response(await run(hall_state, store, config))

    @app.get(wire.EVENTS)
    async def events(request: Request) -> Response:
        await device(request)
        since = _query_int(request, "since", 0, 0, 2**62)
        limit_n = _query_int(request, "limit", EVENTS_PAGE, 1, 1000)

        def read() -> str:
            with store.read() as s:
                return "[" + ",".join(event_json(r) for r in rows_since(s, since, limit_n)) + "]"

        return Response(await run(read), media_type="application/json")

    @app.post(wire.HELP)
    async def ask_help(request: Request) -> Response:
        d = await device(request, Role.KIOSK)
        b = await body(request, HelpBody)
        return json_response(await run(help_requests.request_help, store, d, b.step, b.step_label))

    @app.get(wire.HELP_ONE)
    async def one_help(request: Request, help_id: str) -> Response:
        await device(request)
        return json_response(await run(help_requests.help_request, store, help_id))

    @app.post(wire.HELP_ONE + "/{action}")
    async def help_action(request: Request, help_id: str, action: str) -> Response:
        if action not in ("acknowledge", "close"):
            raise HubError(404, "not_found", Message("没有这个操作。", "There is no such action."))
        d = await device(request, Role.COUNTER)
        await json_body(request, limit, empty=None)
        fn = help_requests.acknowledge if action == "acknowledge" else help_requests.close
        return json_response(await run(fn, store, d, help_id))

    @app.get(wire.TICKET_PAGE)
    async def page(ticket_id: str) -> Response:
        placed = await run(tickets.placed, store, config, ticket_id)
        if placed is None:
            return HTMLResponse(missing_page(), status_code=404)
        return HTMLResponse(ticket_page(placed))

    @app.websocket(wire.WS)
    async def follow(websocket: WebSocket) -> None:
        await _follow(store, websocket, config.follower_recheck_seconds)

    return app


async def _follow(store: HubStore, websocket: WebSocket, recheck: float) -> None:
    """Every event after `since` from the log, in order, then each new one as soon as it is committed."""
    raw_since = websocket.query_params.get("since", "0")
    token = websocket.query_params.get("token")
    found = await run_in_threadpool(pairing.authenticate, store, token)
    if found is None or not (raw_since.isdigit() and len(raw_since) <= 18):
        await websocket.close(code=4401 if found is None else 4400)
        return
    try:
        await websocket.accept(headers=[HEADER])
    except RuntimeError:
        # The hub began stopping while this handshake waited for the token check: uvicorn's shutdown has
        # already answered the handshake (500) and refuses the accept. The follower reconnects to the next hub.
        log.info("event stream handshake ended by the hub stopping")
        return
    last = int(raw_since)
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    closed = False

    def listener() -> None:
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:  # the loop is closing (the hub is stopping)
            pass

    async def watch_close() -> None:
        nonlocal closed
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        except (WebSocketDisconnect, RuntimeError):
            pass
        closed = True
        wake.set()

    def read(after: int) -> list[tuple[int, str]]:
        with store.read() as s:
            return [(r.seq, event_json(r)) for r in rows_since(s, after, EVENTS_PAGE)]

    store.add_listener(listener)
    watcher = asyncio.create_task(watch_close())
    try:
        while not closed:
            wake.clear()
            rows = await run_in_threadpool(read, last)
            for seq, text in rows:
                await websocket.send_text(text)
                last = seq
            if len(rows) < EVENTS_PAGE:
                try:
                    await asyncio.wait_for(wake.wait(), recheck)
                except asyncio.TimeoutError:  # quiet for a while: is the device still paired?
                    if await run_in_threadpool(pairing.authenticate, store, token) is None:
                        await websocket.close(code=4401)
                        break
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    finally:
        store.remove_listener(listener)
        watcher.cancel()
