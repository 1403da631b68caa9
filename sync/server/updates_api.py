"""The platform's routes for updates: the TUF repository's metadata and packages, for enrolled devices.

Packages are served with Range support (Starlette's `FileResponse`), so a terminal whose link dropped in the
middle of a package asks only for the bytes it lacks. Target files are named by their SHA-256, so the bytes
behind a name never change between the first request and the resumed one.
"""
from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, Response

from sync.protocol import API_PREFIX
from sync.server import update_repo
from sync.server.db import PlatformStore
from sync.server.deps import DeviceDep, problem

METADATA_NAME = re.compile(r"(?:[1-9][0-9]{0,9}\.)?(?:root|targets|snapshot|timestamp)\.json")
TARGET_NAME = re.compile(r"[0-9a-f]{64}\.[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}\.deb")


def _missing() -> JSONResponse:
    return problem(404, "没有这个更新文件。", "There is no such update file.", "not_found")


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=f"{API_PREFIX}/updates")

    @routes.get("/metadata/{name}", response_class=FileResponse, response_model=None,
                responses={404: {"description": "no such metadata"}})
    def metadata(name: str, device: DeviceDep) -> Response:
        """A TUF metadata file (`N.root.json`, `N.targets.json`, `N.snapshot.json`, `timestamp.json`). The
        repository is created on first ask, so a terminal can pin root v1 at enrollment."""
        if not METADATA_NAME.fullmatch(name):
            return _missing()
        update_repo.ensure_repository(store.home)
        path = update_repo.metadata_dir(store.home) / name
        if not path.is_file():
            return _missing()
        return FileResponse(path, media_type="application/json", headers={"Cache-Control": "no-store"})

    @routes.get("/targets/{name}", response_class=FileResponse, response_model=None,
                responses={206: {"description": "the requested range"}, 404: {"description": "no such package"},
                           416: {"description": "range not satisfiable"}})
    def target(name: str, device: DeviceDep) -> Response:
        """A published package by `<sha256>.<file name>`; honours `Range: bytes=N-`."""
        if not TARGET_NAME.fullmatch(name):
            return _missing()
        path = update_repo.targets_dir(store.home) / name
        if not path.is_file():
            return _missing()
        return FileResponse(path, media_type="application/vnd.debian.binary-package")

    return routes
