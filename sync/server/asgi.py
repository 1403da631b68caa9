"""The platform as an import string, for `onewindow platform serve --workers N`.

uvicorn starts each worker as a fresh (spawned) process and can hand it only
an import string, never an app object: the worker imports this module, and
`app()` builds the store and the application from the arguments `serve` was
given (`sync.server.serve_options`), through the very functions a
one-process `serve` uses, object storage settings included.

Nothing a worker holds matters for correctness: upload offsets, assemblies
and tokens live in the database and the blob store, so any worker (or any
instance on another machine) can take any request.
"""
from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from fastapi import FastAPI

from sync.server.serve_options import (
    SERVE_ENV,
    connection_limits,
    decode_args,
    freeze_startup_objects,
    serve_limits,
)


def _args() -> argparse.Namespace:
    text = os.environ.get(SERVE_ENV)
    if not text:
        raise RuntimeError(f"{SERVE_ENV} is not set: this module serves the workers `onewindow platform serve "
                           "--workers N` starts, and is not meant to be run by itself")
    return decode_args(text)


def app() -> FastAPI:
    """One worker's application, on its own store (its own database pool and blob store clients)."""
    from kiosk.child_process import die_with_parent
    from sync.server import cli
    from sync.server.app import create_app

    os.umask(0o077)
    die_with_parent()  # the supervisor's death (a SIGKILL too) ends this worker: no orphan keeps the port
    logging.basicConfig(level=logging.INFO)
    args = _args()
    app = create_app(cli._store(args), serve_limits(args))  # the store exactly as `serve` opens it
    freeze_startup_objects()
    return app


_protocol: type | None = None


def __getattr__(name: str) -> Any:
    """`BoundedProtocol`: the HTTP protocol (httptools, else h11) bounded by `serve`'s options, made once per worker process
    (its per-peer counts are the worker's own, like its connections)."""
    global _protocol
    if name != "BoundedProtocol":
        raise AttributeError(name)
    if _protocol is None:
        from sync.server.http_limits import bounded_protocol

        _protocol = bounded_protocol(connection_limits(_args()))
    return _protocol
