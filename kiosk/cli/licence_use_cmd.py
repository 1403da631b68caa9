"""`onewindow licence` actions: ask which materials a citizen's licences stand for, and use them (L2).

`offers` only asks (the platform records the query with the consent); `onewindow submit --use-licences
--consent` uses them for the materials the submission file leaves empty; `forget-key` is the
administrator's step after a confirmed change of the library's signing key. Without `--consent` nothing
is asked: the citizen's yes is what allows the terminal to look.
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import datetime, timezone
from typing import Any

from kiosk.cli import EXIT_INVALID, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.errors import Message, Problem, ValidationFailed
from kiosk.licences.model import Consent, LicenceOffers
from kiosk.licences.refs import validity
from kiosk.submission import ApplicationDraft, check_draft
from kiosk.materials.intake import MaterialFile
from kiosk.terminal import Terminal
from kiosk.usecases import licences

EXIT_NO_PLATFORM = 4  # as `kiosk.cli`: the platform could not be asked
NO_CONSENT = Message("未确认申请人同意（--consent），不查询、不调用电子证照。",
                     "The applicant's consent was not confirmed (--consent): no licence is looked up or used.")


def add(lsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = lsub.add_parser("offers", help="which materials of a service item the citizen's licences stand for")
    p.add_argument("--id-number", required=True, help="the citizen's ID number")
    p.add_argument("--item", required=True, metavar="CODE", help="the service item")
    p.add_argument("--application-id", help="the application the query is for (default: a new UUID)")
    p.add_argument("--consent", action="store_true",
                   help="the citizen has read the consent text and agreed (required)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run_offers)
    f = lsub.add_parser("forget-key", help="clear the pinned licence signing key (administrator; after the "
                                           "platform's administrator confirmed a key change)")
    add_staff_options(f)
    f.set_defaults(handler=run_forget_key)


def consent_from_args(args: argparse.Namespace, by: str) -> Consent:
    if not getattr(args, "consent", False):
        raise ValidationFailed([Problem("consent", NO_CONSENT)])
    return Consent(given_at=datetime.now(timezone.utc), by=by)


def _offer_json(found: LicenceOffers) -> dict[str, Any]:
    return {"available": found.available,
            "note": {"zh": found.note.zh, "en": found.note.en} if found.note else None,
            "offers": [{"material": o.material_code, "identifier": o.identifier, "type_code": o.type_code,
                        "type_name": {"zh": o.type_name.zh, "en": o.type_name.en}, "holder_name": o.holder_name,
                        "issuer_name": o.issuer_name, "issued_on": o.issued_on.isoformat(),
                        "valid_until": o.valid_until.isoformat() if o.valid_until else None}
                       for o in found.offers]}


def run_offers(args: argparse.Namespace) -> int:
    consent = consent_from_args(args, "cli")
    terminal = terminal_from_args(args)
    found = licences.ask_offers(terminal, id_number=args.id_number, service_item=args.item,
                                application_id=args.application_id or str(uuid.uuid4()), consent=consent)
    if args.json:
        print(json.dumps(_offer_json(found), ensure_ascii=False, indent=2))
    else:
        if found.note:
            print(found.note.both(), file=sys.stderr)
        if found.available and not found.offers:
            print("没有可调用的电子证照 / No licence of this citizen stands for a material of this item")
        for o in found.offers:
            item = terminal.catalog.item(args.item)
            spec = item.material(o.material_code) if item else None
            name = spec.name if spec else None
            print(f"{o.material_code}\t{name.zh if name else ''} / {name.en if name else ''}\t"
                  f"{o.type_name.zh} / {o.type_name.en}\t{o.identifier}\t{validity(o.valid_until).both()}")
    return 0 if found.available else EXIT_NO_PLATFORM


def run_forget_key(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    if licences.forget_signing_key(terminal, staff.id):
        print("已清除本机记录的电子证照签名密钥；下次调用时将记录平台当前的密钥。 / The pinned licence signing key "
              "was cleared; the next use pins the platform's current key.")
    else:
        print("本机没有记录电子证照签名密钥。 / No licence signing key is pinned on this terminal.")
    return 0


def use_for_draft(terminal: Terminal, draft: ApplicationDraft, consent: Consent, actor: str,
                  extra_problems: list[Problem] | None = None) -> list[str]:
    """Licences stand in for the materials the draft leaves empty (the draft is changed in place; it gets an
    id, which the uses name). Everything else in the draft is checked first, so a draft that would be refused
    anyway uses nothing. Returns notes for the operator (offline, a use that failed: those go on paper)."""
    item = terminal.catalog.item(str(draft.service_item))
    empty = [s.code for s in item.materials if s.licence_types and not draft.materials.get(s.code)
             and s.code not in draft.at_counter] if item else []
    placeholder = MaterialFile("licence.pdf", b"%PDF", "application/pdf", 1)
    check_draft(terminal.catalog, ApplicationDraft(
        draft.service_item, draft.applicant, draft.form, {**draft.materials, **{c: [placeholder] for c in empty}},
        id=draft.id, at_counter=list(draft.at_counter)),
        max_files_per_material=terminal.settings.max_files_per_material, extra_problems=extra_problems)
    if not empty:
        return []
    if (draft.applicant or {}).get("id_type", "resident") != "resident":
        return [Message("电子证照按居民身份证号码查询；该申请人的证件不是居民身份证，请提交纸质材料。",
                        "Licences are looked up by resident ID number; this applicant's document is not a resident "
                        "ID card, so the materials go on paper.").both()]
    draft.id = str(draft.id or uuid.uuid4())
    id_number = str(draft.applicant.get("id_number", ""))
    found = licences.ask_offers(terminal, id_number=id_number, service_item=draft.service_item,
                                application_id=draft.id, consent=consent)
    notes = [found.note.both()] if found.note else []
    wanted = [o for o in found.offers if o.material_code in empty]
    try:
        used = licences.use_offers(terminal, wanted, id_number=id_number, service_item=draft.service_item,
                                   application_id=draft.id, consent=consent, actor=actor)
    except licences.LicenceUseFailed as exc:
        used = exc.used
        notes.append(exc.message.both())
    for reused in used:
        draft.materials[reused.material_code] = [reused.file]
        draft.licences[reused.material_code] = reused.ref
    return notes
