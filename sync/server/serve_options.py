"""What `onewindow platform serve` was asked for, in a form its worker processes can take up.

`serve` with `--workers N` cannot hand uvicorn its app: each worker is a
fresh (spawned) process that imports `sync.server.asgi` by name. `serve`
leaves its parsed arguments in the environment (`SERVE_ENV`, as JSON) and
every worker builds the same limits and the same store from them, through
the functions below and `sync.server.cli`, as a one-process `serve` does.
Secrets are never put there: object storage credentials stay in the
environment variables `serve` itself read them from.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sync.server.app import Limits
from sync.server.http_limits import ConnectionLimits

SERVE_ENV = "ONEWINDOW_PLATFORM_SERVE"
APP = "sync.server.asgi:app"  # a factory: `uvicorn.run(APP, factory=True, ...)`
PROTOCOL = "sync.server.asgi:BoundedProtocol"  # the bounded HTTP protocol, built in each worker
MAX_WORKERS = 64


def encode_args(args: argparse.Namespace) -> str:
    """`serve`'s parsed arguments as JSON (paths marked as such); the handler and other callables stay behind."""
    values: dict[str, Any] = {}
    paths: list[str] = []
    for name, value in vars(args).items():
        if isinstance(value, Path):
            values[name] = str(value)
            paths.append(name)
        elif value is None or isinstance(value, (str, int, float, bool)):
            values[name] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float, bool)) for v in value):
            values[name] = list(value)
    return json.dumps({"values": values, "paths": paths})


def decode_args(text: str) -> argparse.Namespace:
    raw = json.loads(text)
    values = dict(raw["values"])
    for name in raw["paths"]:
        values[name] = Path(values[name])
    return argparse.Namespace(**values)


def serve_limits(args: argparse.Namespace) -> Limits:
    """The request limits `serve`'s options ask for (the same in every worker)."""
    return Limits(max_json_bytes=args.max_json_kb * 1024, max_chunk_bytes=args.max_chunk_kb * 1024,
                  max_upload_bytes=args.max_upload_mb * 1024 * 1024,
                  max_requests_per_device=args.max_requests_per_device)


def connection_limits(args: argparse.Namespace) -> ConnectionLimits:
    """The connection bounds of one serving process (each worker holds its own connections and descriptors)."""
    return ConnectionLimits(
        header_timeout=args.header_timeout, body_idle_timeout=args.body_timeout, body_min_rate=args.body_min_rate,
        max_connections=_connection_cap(args.max_connections),
        max_per_peer=None if args.behind_proxy else args.max_connections_per_peer)


def _connection_cap(wanted: int) -> int:
    """The connection cap the process's descriptor limit can hold (raised to its hard limit first).

    Past the limit `accept` fails and asyncio retries it a second later, for
    ever: the platform then looks dead to everyone. Below it, a connection past
    the cap is answered 503 and closed at once.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            target = 65536 if hard == resource.RLIM_INFINITY else hard
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return max(16, min(wanted, soft - 128))  # descriptors for the database, blobs and chunk files


def freeze_startup_objects() -> None:
    """Leave what a serving process holds once started out of every garbage collection.

    The imported modules, the app and its statements (some 240,000 objects) live as long as the process, yet
    each full collection traversed them all: at 50 terminals the collector took 0.9 s over 1,000
    applications, 0.55 s with them frozen. Only for a process that does nothing but serve (`platform serve`
    and its workers), after a collection, so no garbage is frozen with them.
    """
    import gc

    gc.collect()
    gc.freeze()
