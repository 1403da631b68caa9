"""The platform's HTTP routes for online cases pre-reviewed on the platform and visits per case (V)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from sync.protocol import API_PREFIX
from sync.server import prereview
from sync.server.db import PlatformStore
from sync.server.deps import FORBIDDEN, CounterDep


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)

    @routes.get("/visits", responses=FORBIDDEN)
    def visits(device: CounterDep) -> Any:
        """The counter's hall: its cases by the trips to the hall their counters reported with each decision,
        and the share finished in at most one visit (最多跑一次). Counters only."""
        return prereview.visits_summary(store, device.hall_code)

    return routes
