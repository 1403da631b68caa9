"""Test doubles at the edge of the upload tests.

`CreationWithUpload` wraps the real platform app and gives it the tus creation-with-upload extension the
platform is getting (issue 15): a `POST /uploads` with a body becomes the real empty POST followed by the
real PATCH of that body at offset 0, answered as the agreed contract says (201 with Location and
Upload-Offset, or 200 with OneWindow-Upload-Complete); on a platform that has the extension itself it
changes nothing the terminal can see. `RefusesBodyInPost` is the platform before the extension (415).
`Recorder` notes every request the app sees.
`ScriptedPlatform` is a bare HTTP server that answers upload requests from a script, for the answers a
real platform gives only when something is wrong (stuck, 429, a lost answer).
"""
from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from sync.protocol import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, UPLOAD_CONTENT_TYPE

Scope = dict[str, Any]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _post_with_body(scope: Scope, headers: dict[str, str]) -> bool:
    """A creation request carrying a first chunk: what both doubles act on (everything else passes through)."""
    return (scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == f"{API_PREFIX}/uploads"
            and int(headers.get("content-length", "0") or 0) > 0)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body_bytes: int
    status: int = 0


async def _call(app: Any, scope: Scope, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request through an ASGI app, its body whole; the answer whole."""
    given = False
    answer: dict[str, Any] = {"status": 0, "headers": {}, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal given
        if given:
            return {"type": "http.disconnect"}
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


async def _read(receive: Any) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _scope(scope: Scope, method: str, path: str, headers: dict[str, str]) -> Scope:
    return {**scope, "method": method, "path": path, "raw_path": path.encode(),
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]}


async def _reply(send: Any, status: int, headers: dict[str, str], body: bytes = b"") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
                            if k != "content-length"] + [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Recorder:
    """Every request the wrapped app sees, with its headers and body size, and the status it answered."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        seen = Seen(scope["method"], scope["path"], headers, int(headers.get("content-length", "0") or 0))
        self.seen.append(seen)

        async def noted(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
            await send(message)

        await self.app(scope, receive, noted)

    def uploads(self, method: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(f"{API_PREFIX}/uploads")
                and (method is None or s.method == method)]


class CreationWithUpload:
    """The platform with creation-with-upload, built from its own empty POST and PATCH (see the module)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies_taken = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        headers = _headers(scope)
        if not _post_with_body(scope, headers):
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        plain = {k: v for k, v in headers.items() if k not in ("content-type", "upload-checksum", "content-length")}
        status, answer, text = await _call(self.app, _scope(scope, "POST", scope["path"], plain), b"")
        if status != 201 or answer.get("upload-offset") != "0":  # refused, complete, or already under way
            await _reply(send, status, answer, text)
            return
        location = answer["location"]
        patch = {**plain, "content-type": headers.get("content-type", UPLOAD_CONTENT_TYPE), "upload-offset": "0",
                 "upload-checksum": headers.get("upload-checksum", ""), "content-length": str(len(body))}
        status, after, text = await _call(self.app, _scope(scope, "PATCH", location, patch), body)
        if status != 204:
            await _reply(send, status, after, text)
            return
        self.bodies_taken += 1
        if after.get("onewindow-upload-complete"):
            await _reply(send, 200, after)
        else:
            await _reply(send, 201, {**after, "location": location})


class RefusesBodyInPost:
    """The platform as it was before creation-with-upload: its request guard read a POST /uploads body and
    refused it as not JSON (415)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        headers = _headers(scope)
        if not _post_with_body(scope, headers):
            await self.app(scope, receive, send)
            return
        await _read(receive)
        body = json.dumps({"code": "content_type", "reason": {
            "zh": "请求体须为 JSON（Content-Type: application/json）。",
            "en": "The request body must be JSON (Content-Type: application/json)."}}).encode()
        await _reply(send, 415, {PROTOCOL_HEADER.lower(): PROTOCOL_VERSION, "content-type": "application/json"}, body)


@dataclass
class ScriptedPlatform:
    """A bare HTTP server for upload requests: each answer is the next of `script` (status, headers), or
    "drop" to close the connection without an answer; the last entry repeats. Requests are recorded."""

    script: list[Any]
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        double = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                if length:
                    self.rfile.read(length)
                double.seen.append(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                        length))
                step = double.script.pop(0) if len(double.script) > 1 else double.script[0]
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, headers = step
                body = b"" if status < 400 else json.dumps(
                    {"code": "scripted", "reason": {"zh": "脚本拒绝", "en": "scripted refusal"}}).encode()
                self.send_response(status)
                for k, v in {PROTOCOL_HEADER: PROTOCOL_VERSION, "Content-Length": str(len(body)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_POST = do_PATCH = do_HEAD = do_GET = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *_args: None  # type: ignore[method-assign]  # a dropped answer
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{API_PREFIX}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
