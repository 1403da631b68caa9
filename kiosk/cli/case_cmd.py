"""`onewindow case`: everything a counter does with a case, headless.

The same use cases the counter window calls (`kiosk.usecases`), with the same
permission checks and audit rows, so a clerk without a screen (or a script
of the hall's IT staff) can list, search, open, check, decide and reprint.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kiosk.catalog import Text
from kiosk.cli import EXIT_OK, EXIT_PENDING, onsite_cmd, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.licences.model import REUSED_LABEL, LicenceRef
from kiosk.licences.refs import ref_to_json, validity
from kiosk.print_jobs import PrintKind
from kiosk.review import DECISIONS, MaterialCheck
from kiosk.terminal import Terminal
from kiosk.usecases import cases, receipts, review
from kiosk.usecases.views import CaseDetail, CaseRow, PrintResult


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("case", help="the counter's work on cases: list, search, show, check, decide, reprint")
    actions = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    lst = actions.add_parser("list", help="cases waiting for a counter")
    lst.add_argument("--source", choices=["all", *cases.SOURCES], default="all")
    lst.add_argument("--status", choices=["all", *cases.WAITING], default="all")
    lst.set_defaults(handler=run_list)
    find = actions.add_parser("search", help="by receipt, case or ID number, or a receipt's QR text")
    find.add_argument("text")
    find.set_defaults(handler=run_search)
    due = actions.add_parser("deadlines", help="open cases by urgency (yours, or --hall for the whole hall)")
    due.add_argument("--hall", action="store_true")
    due.set_defaults(handler=run_deadlines)
    show = actions.add_parser("show", help="one case in full (ID and phone numbers masked)")
    show.add_argument("application")
    show.set_defaults(handler=run_show)
    check = actions.add_parser("check", help="record the check of one material")
    check.add_argument("application")
    check.add_argument("material")
    check.add_argument("result", choices=[c.value for c in MaterialCheck if c != MaterialCheck.UNCHECKED])
    check.add_argument("--reason", help="required for missing and invalid")
    check.set_defaults(handler=run_check)
    decide = actions.add_parser("decide", help="accept, ask for supplements or reject; prints the notice")
    decide.add_argument("application")
    decide.add_argument("decision", choices=[d.value for d in DECISIONS])
    decide.add_argument("--note", help="required for a rejection")
    decide.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the notice")
    decide.set_defaults(handler=run_decide)
    again = actions.add_parser("reprint", help="print a receipt or notice again")
    again.add_argument("application")
    again.add_argument("kind", choices=[k.value for k in PrintKind])
    again.add_argument("--lang", choices=("zh", "en"), default="zh")
    again.set_defaults(handler=run_reprint)
    file = actions.add_parser("file", help="save one of a case's files (verified) to disk")
    file.add_argument("sha256")
    file.add_argument("--out", type=Path, required=True)
    file.set_defaults(handler=run_file)
    for action in (lst, find, due, show, check, decide, again, file):
        add_staff_options(action)
        action.add_argument("--json", action="store_true")
    onsite_cmd.add(actions)  # online cases finished at the window


def _row(row: CaseRow) -> dict[str, Any]:
    return {"id": row.id, "receipt_no": row.receipt_no, "case_no": row.case_no, "service_item": row.service_item,
            "service_item_name": {"zh": row.item_name.zh, "en": row.item_name.en}, "channel": row.channel,
            "status": row.status.value, "status_label": {"zh": row.status_label.zh, "en": row.status_label.en},
            "applicant_name": row.applicant_name, "id_number": row.id_masked,
            "promised_date": row.promised_date.isoformat() if row.promised_date else None,
            "working_days_left": row.days_left, "urgency": row.urgency.value}


def _both(text: Text) -> str:
    return text.zh if text.zh == text.en else f"{text.zh} / {text.en}"


def _detail(detail: CaseDetail) -> dict[str, Any]:
    return {**_row(detail.row), "phone": detail.phone_masked, "status_note": detail.status_note,
            "form": [{"label": {"zh": label.zh, "en": label.en}, "value": _both(value)} for label, value in detail.form],
            "materials": [{"code": m.code, "name": {"zh": m.name.zh, "en": m.name.en}, "required": m.required,
                           "check": m.review_state, "note": m.review_note,
                           "files": [asdict(f) for f in m.files],
                           "licence": _licence(m.licence)} for m in detail.materials]}


def _licence(ref: LicenceRef | None) -> dict[str, Any] | None:
    return None if ref is None else {**ref_to_json(ref), "validity": {"zh": validity(ref.valid_until).zh,
                                                                      "en": validity(ref.valid_until).en}}


def _print_rows(rows: list[CaseRow], as_json: bool) -> None:
    if as_json:
        print(json.dumps([_row(r) for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        left = "" if r.days_left is None else f"{r.days_left}"
        print(f"{r.receipt_no or r.case_no or r.id:<32} {r.status_label.zh}/{r.status_label.en:<18} "
              f"{r.item_name.zh}  {r.applicant_name or ''} {r.id_masked or ''}  {left}")
    print(f"共 {len(rows)} 件 / {len(rows)} cases")


def _print_detail(detail: CaseDetail, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_detail(detail), ensure_ascii=False, indent=2))
        return
    row = detail.row
    print(f"{row.item_name.zh} / {row.item_name.en}")
    print(f"  回执编号 receipt: {row.receipt_no or '-'}   案件号 case: {row.case_no or '-'}")
    print(f"  状态 status: {row.status_label.zh} / {row.status_label.en}")
    print(f"  申请人 applicant: {row.applicant_name or ''} {row.id_masked or ''} {detail.phone_masked or ''}")
    for label, value in detail.form:
        print(f"  {label.zh} / {label.en}: {_both(value)}")
    for m in detail.materials:
        print(f"  [{m.review_state}] {m.code}: {m.name.zh} / {m.name.en} ({len(m.files)} files, {m.page_count} pages)")
        if m.licence is not None:
            print(f"      {REUSED_LABEL.both()}: {m.licence.type_name.zh} / {m.licence.type_name.en}, "
                  f"{validity(m.licence.valid_until).both()}, {m.licence.identifier}")


def _print_result(result: PrintResult) -> int:
    if result.message is not None:
        print(result.message.both())
    return EXIT_OK if result.printed is not False else EXIT_PENDING


def run_list(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    _print_rows(cases.work_list(terminal, staff.id, source=args.source, status=args.status), args.json)
    return EXIT_OK


def run_search(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    _print_rows(cases.search_cases(terminal, staff.id, args.text), args.json)
    return EXIT_OK


def run_deadlines(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    _print_rows(cases.deadlines(terminal, staff.id, hall_wide=args.hall), args.json)
    return EXIT_OK


def _application_id(terminal: Terminal, staff_id: int, ref: str) -> str:
    """A case may be named by its id, receipt number or case number."""
    found = cases.search_cases(terminal, staff_id, ref)
    return found[0].id if len(found) == 1 else ref


def run_show(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    _print_detail(cases.case_detail(terminal, staff.id, _application_id(terminal, staff.id, args.application)),
                  args.json)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    app_id = _application_id(terminal, staff.id, args.application)
    _print_detail(review.check_material(terminal, staff.id, app_id, args.material, args.result, args.reason),
                  args.json)
    return EXIT_OK


def run_decide(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    app_id = _application_id(terminal, staff.id, args.application)
    outcome = review.decide(terminal, staff.id, app_id, args.decision, args.note, lang=args.lang)
    if args.json:
        print(json.dumps({"decision_id": outcome.decision.id, "status": outcome.decision.to.value,
                          "printed": outcome.printed,
                          "print_message": asdict(outcome.print_message) if outcome.print_message else None,
                          "case": _detail(outcome.detail)}, ensure_ascii=False, indent=2))
    else:
        label = outcome.detail.row.status_label
        print(f"已决定 / decided: {label.zh} / {label.en}")
        if outcome.print_message is not None:
            print(outcome.print_message.both())
    return EXIT_PENDING if outcome.printed is False else EXIT_OK


def run_reprint(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    app_id = _application_id(terminal, staff.id, args.application)
    return _print_result(receipts.reprint(terminal, staff.id, app_id, args.kind, lang=args.lang))


def run_file(args: argparse.Namespace) -> int:
    from kiosk.fsutil import write_atomic

    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    data = cases.attachment_bytes(terminal, staff.id, args.sha256)
    write_atomic(args.out, data, mode=0o600)
    print(json.dumps({"out": str(args.out), "bytes": len(data)}) if args.json else f"{args.out}: {len(data)} bytes")
    return EXIT_OK
