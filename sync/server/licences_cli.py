"""`onewindow platform licences ...`: the licence library (L1): issue, list a holder's licences, revoke, the
uses (the audit of who used which licence for which case, and why), and the demo holdings."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.errors import Message, UserFacingError


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds this capability's actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
    p = psub.add_parser("licences", help="the electronic licence library (电子证照库): issue, list, revoke, uses, "
                                         "seed-demo")
    lsub = p.add_subparsers(dest="licences_command", metavar="ACTION", required=True)

    q = lsub.add_parser("issue", help="issue a licence to a holder; prints its identifier")
    common(q)
    q.add_argument("--type", dest="type_code", required=True, help="licence type code (assets/licences/licence_types.json)")
    q.add_argument("--holder-id", required=True, help="the holder's resident ID number")
    q.add_argument("--holder-name", required=True)
    q.add_argument("--issuer-name", required=True)
    q.add_argument("--issuer-code", required=True, help="the issuing authority's unified social credit code")
    q.add_argument("--serial", required=True, help="the licence's serial (digits and capital letters)")
    q.add_argument("--version", default="001")
    q.add_argument("--issued-on", required=True, metavar="YYYY-MM-DD")
    q.add_argument("--valid-from", default=None, metavar="YYYY-MM-DD", help="default: --issued-on")
    until = q.add_mutually_exclusive_group(required=True)
    until.add_argument("--valid-until", default=None, metavar="YYYY-MM-DD")
    until.add_argument("--long-term", action="store_true", help="valid long-term (长期有效)")
    q.add_argument("--face", action="append", default=[], metavar="KEY=VALUE", help="a face item of the type")
    q.set_defaults(handler=issue_cmd)

    q = lsub.add_parser("list", help="a holder's licences with their state today")
    common(q)
    q.add_argument("--holder", required=True, help="the holder's resident ID number")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=list_cmd)

    q = lsub.add_parser("revoke", help="revoke a licence: it is no longer offered or usable")
    common(q)
    q.add_argument("identifier")
    q.add_argument("--reason", required=True)
    q.set_defaults(handler=revoke_cmd)

    q = lsub.add_parser("uses", help="every use of licences: who, which case, which licence, why, under which consent")
    common(q)
    q.add_argument("--identifier", default=None)
    q.add_argument("--holder", default=None, help="the holder's resident ID number")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=uses_cmd)

    q = lsub.add_parser("seed-demo", help="issue the demo citizens' holdings (some expired, one revoked); "
                                          "harmless to run twice")
    common(q)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=seed_cmd)


def _store(args: argparse.Namespace) -> Any:
    from sync.server.db import open_platform

    return open_platform(args.platform_home, args.db, blob_key_file=args.blob_key_file)


def _date(text: str, zh: str, en: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UserFacingError(Message(f"{zh}“{text}”不是有效日期（格式为年-月-日）。",
                                      f"'{text}' is not a valid date (YYYY-MM-DD) for {en}."),
                              code="bad_date") from None


def issue_cmd(args: argparse.Namespace) -> int:
    from sync.server.licences import NewLicence, issue

    face: dict[str, str] = {}
    for item in args.face:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserFacingError(Message(f"照面项“{item}”应写成 键=值。", f"The face item '{item}' must be KEY=VALUE."),
                                  code="bad_face")
        face[key.strip()] = value.strip()
    issued = _date(args.issued_on, "颁发日期", "--issued-on")
    new = NewLicence(type_code=args.type_code, holder_id_number=args.holder_id, holder_name=args.holder_name,
                     issuer_name=args.issuer_name, issuer_code=args.issuer_code, serial=args.serial,
                     version=args.version, issued_on=issued,
                     valid_from=_date(args.valid_from, "有效期起始日期", "--valid-from") if args.valid_from else issued,
                     valid_until=None if args.long_term else _date(args.valid_until, "有效期截止日期", "--valid-until"), face=face)
    print(issue(_store(args), new).identifier)
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    from kiosk.identity import InvalidIdentity, parse_resident_id
    from sync.server.licences import describe, holdings

    try:
        holder = parse_resident_id(args.holder).number
    except InvalidIdentity as exc:
        raise UserFacingError(exc.message, code="bad_id_number") from None
    with _store(args).transaction() as session:
        rows = [describe(lic) for lic in holdings(session, holder)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("该持证人在库中没有证照 / The library holds no licence of this holder")
    for r in rows:
        print(f"{r['identifier']}  {r['type_name']['zh']} / {r['type_name']['en']}  {r['holder_name']}  "
              f"{r['valid_from']} – {r['valid_until'] or '长期 long-term'}  {r['state']}")
    return 0


def revoke_cmd(args: argparse.Namespace) -> int:
    from sync.server.licences import revoke

    lic = revoke(_store(args), args.identifier, args.reason)
    print(f"已注销 / revoked: {lic.identifier}")
    return 0


def uses_cmd(args: argparse.Namespace) -> int:
    from sync.server.licences import uses

    with _store(args).transaction() as session:
        rows = uses(session, identifier=args.identifier, holder=args.holder)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("尚无证照调用记录 / No licence has been used yet")
    for r in rows:
        print(f"{r['at']}  {r['identifier']}  {r['holder']}  hall {r['hall_code']} device {r['device_id']}  "
              f"{r['service_item']}/{r['material_code']}  application {r['application_id']}  by {r['actor']}  "
              f"consent {r['consent_text_version']} {r['consent_given_at']}  why: {r['reason']}")
    return 0


def seed_cmd(args: argparse.Namespace) -> int:
    from sync.server.licence_demo import seed

    rows = seed(_store(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for r in rows:
        print(f"{r['name']} {r['id_number']}: {len(r['licences'])} licence(s)")  # type: ignore[arg-type]
    print(f"演示证照已入库 / demo holdings issued for {len(rows)} citizens", file=sys.stderr)
    return 0
