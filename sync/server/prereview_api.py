"""The platform's HTTP routes for online cases pre-reviewed on the platform and visits per case (V)."""
from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import API_PREFIX
from sync.server.db import PlatformStore


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)
    return routes
