"""`onewindow licence verify IDENTIFIER`: check an electronic licence identifier's form and check character (L1).

Offline and without the store: staff paste an identifier from a notice or a citizen's phone, and learn at
once whether it is one the licence library could have issued, or which part of it is wrong.
"""
from __future__ import annotations

import argparse
import json

from kiosk.licences.identifier import PREFIX, parse_identifier


def add(lsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    v = lsub.add_parser("verify", help="check a licence identifier (GB/T 36902, ISO 7064 MOD 37,36) and show its parts; "
                                       "exit 2 naming the problem")
    v.add_argument("identifier", help=f"{PREFIX}<licence type>.<issuer code>.<serial>.<version>.<check>")
    v.add_argument("--json", action="store_true", help="print the parts as JSON")
    v.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Exit 0 printing the parts; a bad identifier raises `InvalidIdentifier`, which the CLI prints (both
    languages) and turns into exit 2."""
    ident = parse_identifier(args.identifier)
    parts = {"identifier": str(ident), "licence_type": ident.licence_type, "issuer_code": ident.issuer_code,
             "serial": ident.serial, "version": ident.version, "check": ident.check, "valid": True}
    if args.json:
        print(json.dumps(parts, ensure_ascii=False))
        return 0
    print(f"证照标识有效 / The licence identifier is valid: {ident}")
    for zh, en, value in (("证照类型代码", "licence type", ident.licence_type),
                          ("颁发机构代码", "issuer code", ident.issuer_code),
                          ("顺序号", "serial", ident.serial), ("版本号", "version", ident.version),
                          ("校验位", "check character", ident.check)):
        print(f"  {zh} / {en}: {value}")
    return 0
