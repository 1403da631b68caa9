"""`onewindow hall ...`: run the hall hub and pair the devices that take part in its queue.

The hub keeps its store and `hall.toml` in its home (default: the user data dir "onewindow-hall",
mode 0700). It needs no platform: nothing here imports `sync.server`.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import warnings
from pathlib import Path

from platformdirs import user_data_dir

HOME_ENV = "ONEWINDOW_HALL_HOME"


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or user_data_dir("onewindow-hall", appauthor=False))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("hall", help="the hall hub: queue, calls and help requests on the hall's network")
    hsub = p.add_subparsers(dest="hall_command", metavar="ACTION", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--home", dest="hall_home", type=Path, default=None,
                       help=f"the hub's data directory (default: ${HOME_ENV} or {default_home()})")

    q = hsub.add_parser("serve", help="run the hub (HTTP and WebSocket)")
    common(q)
    q.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface of the LAN)")
    q.add_argument("--port", type=int, default=8770)
    q.add_argument("--catalog", type=Path, default=None,
                   help="catalog whose departments become the lines (default: the demo catalog)")
    q.set_defaults(handler=serve)

    q = hsub.add_parser("pair-code", help="print a one-time pairing code for a kiosk, counter or board (24 h)")
    common(q)
    q.add_argument("--role", required=True, choices=["kiosk", "counter", "board"])
    q.add_argument("--counter-no", type=int, default=None, help="the counter's number in the hall (counters)")
    q.add_argument("--name", default=None, help="the device's name (default: the name the device gives)")
    q.set_defaults(handler=pair_code)

    q = hsub.add_parser("devices", help="the paired devices")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=list_devices)

    q = hsub.add_parser("unpair", help="withdraw a device's pairing; its token stops working at once")
    common(q)
    q.add_argument("name")
    q.set_defaults(handler=unpair)


def _home(args: argparse.Namespace) -> Path:
    home: Path = (args.hall_home or default_home()).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    return home


def _store(args: argparse.Namespace):  # -> HubStore
    from sync.hall.server.store import HubStore

    return HubStore(_home(args))


def serve(args: argparse.Namespace) -> int:
    import logging

    os.umask(0o077)
    import uvicorn

    from kiosk.child_process import die_with_parent
    from sync.hall.server.app import create_app
    from sync.hall.server.config import load_config

    die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    home = _home(args)
    config = load_config(home, args.catalog)
    store = _store(args)
    logging.getLogger("onewindow.hall").info("hall hub %s serving %s on %s:%d (lines %s)", store.hub_id, home,
                                             args.host, args.port, ",".join(config.codes))
    # uvicorn finishes its graceful shutdown on SIGTERM, then raises the signal again for the handler it found:
    # this one, so a stopped hub exits 0 with its store closed rather than dying by the signal.
    signal.signal(signal.SIGTERM, _stopped)
    warnings.filterwarnings("ignore", message=".*websockets.* implementation is deprecated")
    try:
        uvicorn.run(create_app(store, config), host=args.host, port=args.port, ws="websockets", log_level="warning",
                    timeout_graceful_shutdown=5, backlog=1024)
    except SystemExit:
        pass
    finally:
        store.close()
    logging.getLogger("onewindow.hall").info("hall hub stopped")
    return 0


def _stopped(_sig: int, _frame: object) -> None:
    raise SystemExit(0)


def pair_code(args: argparse.Namespace) -> int:
    from kiosk.queue.model import Role
    from sync.hall.server.errors import HubError
    from sync.hall.server.pairing import create_code

    try:
        code = create_code(_store(args), Role(args.role), counter_no=args.counter_no, name=args.name)
    except HubError as exc:
        print(exc.message.both(), file=sys.stderr)
        return 2
    print(code)
    return 0


def list_devices(args: argparse.Namespace) -> int:
    from sync.hall.server.pairing import devices

    rows = devices(_store(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        where = f"counter {r['counter_no']}" if r["counter_no"] else f"slot {r['kiosk_slot']}" if r["kiosk_slot"] else ""
        print(f"{r['name']:<24} {r['role']:<8} {where:<11} paired {r['paired_at']}")
    return 0


def unpair(args: argparse.Namespace) -> int:
    from sync.hall.server.pairing import unpair as withdraw

    if not withdraw(_store(args), args.name):
        print(f"没有名为“{args.name}”的已配对设备 / No paired device is named “{args.name}”", file=sys.stderr)
        return 2
    print(f"已解除配对 / unpaired: {args.name}")
    return 0
