"""`blocking_route`: a blocking route's work goes to a worker thread once, and the route is otherwise the same
(its OpenAPI description, its answer's validation, its errors), and every route a sync pass calls is one."""
from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sync.protocol import API_PREFIX
from sync.server.app import create_app
from sync.server.blocking_route import blocking_route
from sync.server.db import open_platform


class Answer(BaseModel):
    n: int
    thread: str


def _app(record: list[str]) -> FastAPI:
    app = FastAPI()

    def work(n: int, fail: bool = False, bad: bool = False) -> Any:
        """Counts; blocks."""
        record.append(threading.current_thread().name)
        if fail:
            raise LookupError("refused in the worker")
        if bad:
            return {"n": "not a number", "thread": "x"}
        return {"n": n + 1, "thread": threading.current_thread().name}

    app.get("/plain/{n}", response_model=Answer)(work)
    app.get("/once/{n}", response_model=Answer)(blocking_route(work))

    @app.exception_handler(LookupError)
    async def _refused(_request: Any, exc: LookupError) -> Any:
        return JSONResponse({"refused": str(exc)}, status_code=409)

    return app


@pytest.fixture
def hand_overs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function handed to a worker thread."""
    calls: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        inner = getattr(func, "func", func)  # starlette hands over a functools.partial of the route
        calls.append(getattr(inner, "__name__", repr(inner)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return calls


def _get(app: FastAPI, *paths: str) -> list[httpx.Response]:
    """The answers to GETs of `paths`, one after another, the app served on this thread's event loop."""

    async def ask() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://platform") as client:
            return [await client.get(path) for path in paths]

    return anyio.run(ask)


def test_the_work_goes_to_a_worker_thread_once_where_fastapi_went_twice(hand_overs: list[str]) -> None:
    record: list[str] = []
    app = _app(record)
    (plain,) = _get(app, "/plain/1")
    plain_hand_overs = list(hand_overs)
    hand_overs.clear()
    (once,) = _get(app, "/once/1")
    assert plain.status_code == once.status_code == 200
    assert plain.json()["n"] == once.json()["n"] == 2
    assert plain_hand_overs == ["_run_sync_endpoint", "validate"]  # the route, then its answer's validation
    assert hand_overs == ["work"]
    assert record[-1] != threading.current_thread().name  # the blocking work never runs on the event loop


def test_the_route_is_described_and_checked_as_before() -> None:
    record: list[str] = []
    app = _app(record)
    paths = app.openapi()["paths"]
    plain, once = paths["/plain/{n}"]["get"], paths["/once/{n}"]["get"]
    for doc in (plain, once):
        doc.pop("operationId"), doc.pop("summary")
    assert once == plain  # parameters, answer model, docstring
    not_a_number, refused, bad_answer = _get(app, "/once/x", "/once/1?fail=true", "/once/1?bad=true")
    assert not_a_number.status_code == 422  # a path parameter that is no number: refused as before
    assert (refused.status_code, refused.json()) == (409, {"refused": "refused in the worker"})
    assert bad_answer.status_code == 500  # the answer is still validated against its model


def _routes(routes: list[Any]) -> Iterator[Any]:
    """The app's routes, those of the routers it includes too (FastAPI keeps an included router whole)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else (route,)


PASS_ROUTES = [("POST", "/applications"), ("POST", "/applications/state"), ("GET", "/changes"),
               ("GET", "/changes/start"), ("GET", "/summary"), ("POST", "/audit/heads"), ("POST", "/heartbeat"),
               ("GET", "/settings"), ("GET", "/staff"), ("POST", "/decisions"), ("POST", "/hall-stats"),
               ("GET", "/appointments"), ("POST", "/appointments/events")]


def test_every_route_a_sync_pass_calls_with_an_answer_model_hands_over_once(tmp_path: Path) -> None:
    store = open_platform(tmp_path / "platform")
    try:
        app = create_app(store)
        routes = {(method, route.path): route for route in _routes(app.routes)
                  for method in getattr(route, "methods", None) or ()}
        for method, path in PASS_ROUTES:
            route: Any = routes[(method, API_PREFIX + path)]
            assert route.response_model is not None, path
            assert inspect.iscoroutinefunction(route.endpoint), f"{method} {path} would hand over twice"
            assert hasattr(route.endpoint, "__wrapped__"), path  # a blocking_route, not work on the event loop
    finally:
        store.close()
