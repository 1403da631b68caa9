"""The platform's HTTP routes for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported."""
from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import API_PREFIX
from sync.server.db import PlatformStore


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)
    return routes
