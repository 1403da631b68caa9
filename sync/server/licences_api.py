"""The platform's HTTP routes for the licence library (L1): holdings, offers, uses with their annotated copies, the signing key."""
from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import API_PREFIX
from sync.server.db import PlatformStore


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)
    return routes
