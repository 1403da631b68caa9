"""`onewindow platform settings set|show|clear`: settings from the centre for a hall or one terminal.

`set --hall H [--device ID] KEY=VALUE...` adds or replaces keys, `clear --hall H [--device ID] [KEY...]`
removes them (all without keys), `show --hall H [--device ID] [--json]` lists the layers, what each
terminal runs on and its last report (applied, rolled back, refused). Terminals receive a change with
their next sync and use it from their next window start. An unknown key, a key only the terminal sets, a
value of the wrong type or out of range is refused with both languages and changes nothing (exit 2).
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from kiosk.centre_settings import CENTRE_KEYS, DEVICE_KEYS, CentreSettingsInvalid, check_values, parse_value


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
    p = psub.add_parser("settings", help="settings from the centre for a hall or one terminal: set, show, clear")
    ssub = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)

    keys = ("keys the centre may set: " + ", ".join(CENTRE_KEYS) + " (a device name the terminal's own file "
            "names wins over the centre's: " + ", ".join(sorted(DEVICE_KEYS)) + ")")
    q = ssub.add_parser("set", help="set keys for a hall (or one terminal with --device)", description=keys)
    common(q)
    _scope(q)
    q.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
    q.add_argument("--by", default="platform operator", help="who made the change (kept in the audit log)")
    q.set_defaults(handler=_set)

    q = ssub.add_parser("clear", help="remove keys from a hall's (or a terminal's) settings; all without KEY")
    common(q)
    _scope(q)
    q.add_argument("keys", nargs="*", metavar="KEY")
    q.add_argument("--by", default="platform operator")
    q.set_defaults(handler=_clear)

    q = ssub.add_parser("show", help="the hall's settings, each terminal's own, what it runs on, its last report")
    common(q)
    _scope(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_show)


def _scope(q: argparse.ArgumentParser) -> None:
    q.add_argument("--hall", required=True, help="the hall code")
    q.add_argument("--device", type=int, default=None, help="one terminal's device id (onewindow platform doctor)")


def _store(args: argparse.Namespace):  # -> PlatformStore
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file)


def _pairs(pairs: list[str]) -> dict[str, Any]:
    """Every pair judged before anything is stored: the refusal names each problem at once."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            problems.append((f"“{pair}”应写成 键=值", f"'{pair}' must be KEY=VALUE"))
            continue
        try:
            values[key.strip()] = parse_value(key.strip(), text)
        except CentreSettingsInvalid as exc:
            problems.extend(exc.problems)
    try:
        check_values(values)
    except CentreSettingsInvalid as exc:  # ranges and forms of the values that did parse
        problems.extend(exc.problems)
    if problems:
        raise CentreSettingsInvalid(problems)
    return values


def _set(args: argparse.Namespace) -> int:
    from sync.server.centre_settings import set_values

    change = set_values(_store(args), args.hall, args.device, _pairs(args.pairs), args.by)
    print(json.dumps({"scope": change.scope, "version": change.version, "values": change.values}, ensure_ascii=False))
    return 0


def _clear(args: argparse.Namespace) -> int:
    from sync.server.centre_settings import clear_values

    change = clear_values(_store(args), args.hall, args.device, list(args.keys), args.by)
    print(json.dumps({"scope": change.scope, "version": change.version, "values": change.values}, ensure_ascii=False))
    return 0


def _show(args: argparse.Namespace) -> int:
    from sync.server.centre_settings import show

    shown = show(_store(args), args.hall, args.device)
    if args.json:
        print(json.dumps(shown, ensure_ascii=False, indent=1))
        return 0
    hall = shown["hall"]
    print(f"大厅 hall {shown['hall_code']}: " + (f"version {hall['version']} {json.dumps(hall['values'], ensure_ascii=False)}"
                                               if hall else "无 none"))
    for t in shown["terminals"]:
        own = json.dumps(t["own"]["values"], ensure_ascii=False) if t["own"] else "-"
        last = t["last_report"]
        said = (f"{last['outcome']} v{last['version']}" + (f" ({last['reason'].get('en')})"
                                                          if last["reason"].get("en") else "")) if last else "-"
        print(f"  device {t['device_id']} no.{t['device_no']} {t['name']}: version {t['version']}, own {own}; "
              f"last report 终端报告: {said}")
    return 0
