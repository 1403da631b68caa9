"""Reading a request body with a size cap, the protocol header on every answer, errors as JSON."""
from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message as AsgiMessage, Receive, Scope, Send

from kiosk.errors import Message
from sync.hall import wire
from sync.hall.server.errors import HubError

HEADER = (wire.PROTOCOL_HEADER.lower().encode(), wire.PROTOCOL_VERSION.encode())


class ProtocolHeader:
    """Adds PROTOCOL_HEADER to every HTTP answer, errors included (a captive portal's page lacks it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HEADER]
            await send(message)

        await self.app(scope, receive, send_with_header)


def error_response(status: int, code: str, message: Message) -> Response:
    body = json.dumps({"error": code, "message": {"zh": message.zh, "en": message.en}}, ensure_ascii=False)
    return Response(body, status_code=status, media_type="application/json")


def hub_error(exc: HubError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


def too_large(limit: int) -> HubError:
    return HubError(413, "too_large", Message(f"请求内容过大（上限 {limit // 1024} 千字节）。",
                                              f"The request body is too large (limit {limit // 1024} KB)."))


async def json_body(request: Request, limit: int, *, empty: Any = ...) -> Any:
    """The parsed JSON body, read no further than `limit` bytes; `empty` stands for an empty body."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        if empty is ...:
            raise HubError(400, "empty_body", Message("请求内容为空。", "The request body is empty."))
        return empty
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise HubError(400, "bad_json", Message("请求内容的格式无法识别。", "The request body is not valid JSON.")) from None


def decode(kind: type[Any], data: Any) -> Any:
    try:
        return wire.decode_as(kind, data)
    except (wire.WireError, RecursionError, TypeError) as exc:
        raise HubError(422, "bad_shape", Message(f"请求内容格式不对：{str(exc)[:200]}",
                                                 f"The request body has the wrong shape: {str(exc)[:200]}")) from None


def json_response(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(wire.encode(value), ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type="application/json")
