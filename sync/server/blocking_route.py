"""Routes whose work blocks (the database, the object store) run it in one worker thread, not two.

FastAPI runs a plain `def` route in a worker thread and then, when the route has a `response_model`, hands
its answer to a worker thread a second time just to validate it. On this platform's host that second
hand-over cost about a millisecond of CPU a request: `GET /summary` cost 4.8 ms as it was and 3.9 ms as a
`blocking_route`, in the same run of `bench/platform_request_cost.py`, against 1.3 ms for a request refused
at its token. `blocking_route` makes such a route a coroutine that hands its body to a worker thread once;
FastAPI then validates the answer on the event loop, a few microseconds of pydantic for these small
answers. It is used on the routes a sync pass calls.

The route's signature, annotations, docstring and OpenAPI description are the function's own: FastAPI reads
them through `__wrapped__`, as it does for any decorated route.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool


def blocking_route(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` (a plain function doing blocking work) as a coroutine running it in one worker thread."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run
