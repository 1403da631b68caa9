"""The platform's HTTP routes for settings from the centre: a terminal pulls its signed settings document
and reports what became of each version (applied, rolled back, refused)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from sync.protocol import API_PREFIX
from sync.server import centre_settings
from sync.server.blocking_route import blocking_route
from sync.server.db import PlatformStore
from sync.server.deps import DeviceDep
from sync.wire_centre_settings import SettingsReports, SettingsReportsAnswer, SignedSettings


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)

    @routes.get("/settings", response_model=SignedSettings, responses={204: {"description": "the centre set "
                                                                                             "nothing for this "
                                                                                             "terminal"}})
    @blocking_route
    def pull(device: DeviceDep) -> Any:
        """This terminal's settings from the centre (its hall's, with its own laid over them), signed with the
        platform's settings key that the terminal received at enrollment."""
        envelope = centre_settings.document_for(store, device)
        if envelope is None:
            return Response(status_code=204)
        return envelope

    @routes.post("/settings/reports", response_model=SettingsReportsAnswer)
    def reports(body: SettingsReports, device: DeviceDep) -> Any:
        """What became of versions on this terminal: applied after a healthy start, rolled back after failed
        starts, or refused (a bad signature, an older version, values it would not take)."""
        return {"stored": centre_settings.store_reports(store, device, body)}

    return routes
