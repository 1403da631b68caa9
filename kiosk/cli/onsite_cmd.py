"""`onewindow case online-find|original-seen|complete`: online cases finished at the window, headless.

The same use cases as the counter's "网办件核验 / Online case at the window" page (`kiosk.usecases.onsite`):
find the citizen's open online cases, tick each original off, complete the case (accepted, the acceptance
notice printed, one on-site visit recorded).
"""
from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from kiosk.cli import EXIT_OK, EXIT_PENDING, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.terminal import Terminal
from kiosk.usecases import onsite
from kiosk.usecases.onsite import OnsiteCase

VERDICTS = {"passed": ("预审通过", "passed the pre-review"), "original": ("须核验原件", "original to be seen"),
            None: ("未预审，须核验原件", "not pre-reviewed: original to be seen")}


def add(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds the verbs under `onewindow case`."""
    find = actions.add_parser("online-find", help="a citizen's online cases waiting for this visit, by ID number, "
                                                  "case or receipt number")
    find.add_argument("number")
    find.set_defaults(handler=run_find)
    seen = actions.add_parser("original-seen", help="record that the original of one material was seen (--undo: "
                                                    "it was not)")
    seen.add_argument("application", help="the case number or application id")
    seen.add_argument("material")
    seen.add_argument("--undo", action="store_true")
    seen.set_defaults(handler=run_seen)
    done = actions.add_parser("complete", help="complete an online case at the window: accepted, the acceptance "
                                               "notice printed, one on-site visit recorded")
    done.add_argument("application", help="the case number or application id")
    done.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the notice")
    done.set_defaults(handler=run_complete)
    for action in (find, seen, done):
        add_staff_options(action)
        action.add_argument("--json", action="store_true")


def as_dict(case: OnsiteCase) -> dict[str, Any]:
    return {"id": case.id, "case_no": case.case_no, "service_item_name": asdict(case.item_name),
            "applicant_name": case.applicant_name, "id_number": case.id_masked, "status": case.status.value,
            "prereview": None if case.prereview_by is None else {
                "by": case.prereview_by, "at": case.prereview_at.isoformat() if case.prereview_at else None,
                "note": case.prereview_note},
            "materials": [{"code": m.code, "name": asdict(m.name), "prereview": m.prereview,
                           "needs_original": m.needs_original,
                           "original_seen_at": m.original_seen_at.isoformat() if m.original_seen_at else None,
                           "files": m.files} for m in case.materials],
            "visits": case.visits, "files_pending": case.files_pending, "ready": case.ready}


def _print(case: OnsiteCase) -> None:
    print(f"{case.case_no or case.id}  {case.item_name.zh} / {case.item_name.en}  {case.applicant_name or ''} "
          f"{case.id_masked or ''}")
    if case.prereview_by:
        print(f"  预审 pre-review: {case.prereview_by}  {case.prereview_note or ''}")
    for m in case.materials:
        zh, en = VERDICTS.get(m.prereview, VERDICTS[None])
        tick = "[x]" if m.original_seen_at else ("[ ]" if m.needs_original else "   ")
        print(f"  {tick} {m.code}: {m.name.zh} / {m.name.en} — {zh} / {en}")
    state = ("可以办结 / ready to complete" if case.ready else
             f"尚有 {len(case.originals_left)} 项原件待核验 / {len(case.originals_left)} originals to check")
    print(f"  {state}; 到场次数 visits: {case.visits}")


def _application_id(terminal: Terminal, staff_id: int, ref: str) -> str:
    found = onsite.find_online_cases(terminal, staff_id, ref)
    return found[0].id if len(found) == 1 else ref


def run_find(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    found = onsite.find_online_cases(terminal, staff.id, args.number)
    if args.json:
        print(json.dumps([as_dict(c) for c in found], ensure_ascii=False, indent=2))
    else:
        for case in found:
            _print(case)
        print(f"共 {len(found)} 件待核验的网上申请 / {len(found)} online cases waiting for this visit")
    return EXIT_OK


def run_seen(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    case = onsite.mark_original(terminal, staff.id, _application_id(terminal, staff.id, args.application),
                                args.material, seen=not args.undo)
    if args.json:
        print(json.dumps(as_dict(case), ensure_ascii=False, indent=2))
    else:
        _print(case)
    return EXIT_OK


def run_complete(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    done = onsite.complete(terminal, staff.id, _application_id(terminal, staff.id, args.application), lang=args.lang)
    outcome = done.outcome
    if args.json:
        print(json.dumps({"decision_id": outcome.decision.id, "status": outcome.decision.to.value,
                          "visits": done.case.visits, "printed": outcome.printed,
                          "print_message": asdict(outcome.print_message) if outcome.print_message else None,
                          "case": as_dict(done.case)}, ensure_ascii=False, indent=2))
    else:
        print(f"已办结（受理） / completed (accepted): {done.case.case_no}; 到场次数 visits: {done.case.visits}")
        if outcome.print_message is not None:
            print(outcome.print_message.both())
    return EXIT_PENDING if outcome.printed is False else EXIT_OK
