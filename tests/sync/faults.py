"""Server-side faults for tests: 5xx before or after the work is done, answers
too slow for the client's timeout, and answers cut short."""
from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class FaultyApp:
    def __init__(self, app: ASGIApp, seed: int = 0, *, before: float = 0.08, after: float = 0.08,
                 slow: float = 0.04, truncate: float = 0.08, slow_seconds: float = 1.5) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self.p = (before, after, slow, truncate)
        self.slow_seconds = slow_seconds
        self.counts = {"before": 0, "after": 0, "slow": 0, "truncate": 0}
        self.enabled = True

    async def _error(self, send: Send) -> None:
        body = json.dumps({"detail": "injected"}).encode()
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        r = self.rng.random()
        before, after, slow, truncate = self.p
        if scope["method"] != "PATCH":
            truncate *= 4  # answers with a body are fewer; cut more of them
        if r < before:
            self.counts["before"] += 1
            await self._error(send)
            return
        r -= before
        if r < after + truncate:
            kind = "after" if r < after else "truncate"
            captured: list[Message] = []

            async def capture(message: Message) -> None:
                captured.append(message)

            await self.app(scope, receive, capture)
            body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
            if kind == "after" or len(body) < 2:
                self.counts["after"] += 1
                await self._error(send)  # the work is done, the answer is lost
                return
            self.counts["truncate"] += 1
            start = next(m for m in captured if m["type"] == "http.response.start")
            await send(start)
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise ConnectionResetError("injected truncation")  # uvicorn drops the connection mid-body
        r -= after + truncate
        if r < slow:
            self.counts["slow"] += 1
            await asyncio.sleep(self.slow_seconds)
        await self.app(scope, receive, send)


def wrap_faulty(seed: int, **kwargs: Any):  # -> Callable[[ASGIApp], FaultyApp]
    holder: dict[str, FaultyApp] = {}

    def wrap(app: ASGIApp) -> FaultyApp:
        holder["app"] = FaultyApp(app, seed, **kwargs)
        return holder["app"]

    wrap.holder = holder  # type: ignore[attr-defined]
    return wrap
