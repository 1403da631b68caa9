"""The platform's routes for the fleet view: terminals' heartbeats in, the fleet page out.

`POST /api/v1/heartbeat` takes a batch of reports from an enrolled terminal (its device token, like every
device route); a malformed batch is refused whole with 422 and nothing is stored. `GET /fleet` is the page
for IT staff. It is not a device route: it asks for a fleet viewer's name and password with HTTP Basic
authentication (`onewindow platform fleet-viewer add`), which every phone browser can answer with its own
log-in prompt and remember, with no script on the page. Serve it over HTTPS (nginx in front, deploy/nginx/):
Basic authentication sends the password with each request.
"""
from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sync.protocol import API_PREFIX
from sync.server import fleet, fleet_page
from sync.server.blocking_route import blocking_route
from sync.server.db import PlatformStore
from sync.server.deps import DeviceDep
from sync.server.models import utcnow
from sync.wire_heartbeat import HeartbeatAnswer, HeartbeatPush

REALM = 'Basic realm="OneWindow fleet", charset="UTF-8"'
LOGIN_PAGE = ("<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><meta name=viewport "
              "content='width=device-width, initial-scale=1'><title>需要登录 Log-in needed</title></head><body>"
              "<h1>需要登录</h1><p>请用终端状态查看账号登录（由平台管理员用 "
              "<code>onewindow platform fleet-viewer add</code> 创建）。</p><p lang=en>Log in with a fleet viewer "
              "account (the platform's administrator makes one with <code>onewindow platform fleet-viewer "
              "add</code>).</p></body></html>")


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 400:
        return None
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = text.partition(":")
    return (name, password) if sep else None


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter()

    @routes.post(f"{API_PREFIX}/heartbeat", response_model=HeartbeatAnswer)
    @blocking_route
    def heartbeat(body: HeartbeatPush, device: DeviceDep) -> Any:
        """A terminal's heartbeat reports, oldest first; each id is stored once ("duplicate" when it was held),
        and the answer carries the platform's clock for the terminal to measure its offset."""
        return fleet.take(store, device, body)

    @routes.get("/fleet", response_class=HTMLResponse, include_in_schema=False)
    def fleet_view(request: Request, hall: Annotated[str | None, Query(pattern=r"^[0-9]{6,12}$")] = None,
                   attention: Annotated[int, Query(ge=0, le=1)] = 0) -> HTMLResponse:
        given = _credentials(request)
        with store.read() as session:
            viewer = fleet.check_viewer(session, *given) if given else None
            if viewer is None:
                return HTMLResponse(LOGIN_PAGE, status_code=401, headers={"WWW-Authenticate": REALM})
            if viewer.hall_code is not None:  # a hall's technician sees that hall only
                hall = viewer.hall_code
            now = utcnow()
            rows = fleet.fleet(session, hall, now)
            name = viewer.username
        page = fleet_page.render(rows, now=now, viewer=name, hall=hall, only_attention=bool(attention))
        return HTMLResponse(page, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"})

    return routes
