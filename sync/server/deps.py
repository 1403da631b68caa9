"""What every route of the platform's API shares: the error format and who is asking.

Routers outside `sync.server.app` (appointments, licences, pre-review) depend on these, so the device
token is checked one way everywhere and every refusal has the same bilingual shape.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync import wire
from sync.server import enrollment
from sync.server.db import PlatformStore
from sync.server.models import Device


def problem(status: int, zh: str, en: str, code: str = "error", headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "reason": {"zh": zh, "en": en}}, status_code=status, headers=headers)


bearer = HTTPBearer(auto_error=False, description="The device token obtained by enrollment.")


class Unauthorized(Exception):
    pass


async def current_device(request: Request,
                         creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Device:
    """Every request but enrollment is a device's; unknown or revoked tokens get 401.

    Answered from this process's token cache while fresh (`sync.server.token_cache`): no database round trip
    per request, and a revocation reaches every instance within the cache's few seconds. A coroutine, so a
    request costs no thread hand-over for it; a cache miss (once per token every few seconds) reads one
    row by its unique index on the event loop.
    """
    store: PlatformStore = request.app.state.store
    device = None
    if creds is not None and creds.scheme.lower() == "bearer" and 0 < len(creds.credentials) <= 200:
        device = enrollment.authenticate_cached(store, creds.credentials)
    if device is None:
        raise Unauthorized()
    return device


DeviceDep = Annotated[Device, Depends(current_device)]


class WrongRole(Exception):
    pass


def require_role(role: str) -> Any:
    """A dependency: the authenticated device, if it was enrolled as `role`; else 403 (see `sync.server.app`)."""

    async def check(device: DeviceDep) -> Device:
        if device.role != role:
            raise WrongRole()
        return device

    return Depends(check)


CounterDep = Annotated[Device, require_role("counter")]
FORBIDDEN = {403: {"model": wire.ProblemAnswer, "description": "this device's role may not do this"}}
