"""`onewindow submit`: headless submission for integrations, bulk entry and tests."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kiosk.cli import EXIT_INVALID, licence_use_cmd, terminal_from_args
from kiosk.device_identity import device_no_for_receipts
from kiosk.errors import SUBMISSION_NOT_STORED, Message, Problem, ValidationFailed
from kiosk.submission_file import MAX_INPUT_BYTES, draft_from_submission, parse_submission, read_submission_file


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("submit", help="submit an application from a JSON file (prints its id and receipt number)")
    p.add_argument("file", nargs="?", help="the application as JSON ('-' for standard input)")
    p.add_argument("--example", metavar="CODE", help="print a complete example for this service item and exit")
    p.add_argument("--channel", default="cli", choices=["cli", "kiosk", "counter"], help=argparse.SUPPRESS)
    p.add_argument("--use-licences", action="store_true",
                   help="let the citizen's electronic licences stand for the materials left empty (needs --consent)")
    p.add_argument("--consent", action="store_true",
                   help="the citizen has read the licence consent text and agreed")
    p.set_defaults(handler=run, failure_message=SUBMISSION_NOT_STORED)


def _example_date(low: Any, high: Any) -> str:
    today = date.today()
    value = today - timedelta(days=30)
    bounds = [today if b == "today" else date.fromisoformat(str(b)) if b is not None else None for b in (low, high)]
    if bounds[0] is not None and value < bounds[0]:
        value = bounds[0]
    if bounds[1] is not None and value > bounds[1]:
        value = bounds[1]
    return value.isoformat()


def example_for(item: Any) -> dict[str, Any]:
    samples = {
        "text": "示例文本", "address": "浙江省杭州市西湖区文三路100号", "id_number": "11010519491231002X",
        "credit_code": "91350100M000100Y43", "phone": "13800138000", "date": "2026-01-15", "money": "100.00",
        "integer": 1,
    }
    form: dict[str, Any] = {}
    for f in item.form:
        if f.type == "choice":
            form[f.key] = f.options[0].value
        elif f.type == "money" and f.min is not None:
            form[f.key] = str(f.min)
        elif f.type == "integer" and f.min is not None:
            form[f.key] = int(f.min)
        elif f.type == "date":
            form[f.key] = _example_date(f.min, f.max)
        else:
            form[f.key] = samples[f.type]
        if f.type == "text" and f.max_length and len(form[f.key]) > f.max_length:
            form[f.key] = form[f.key][: f.max_length]
    return {
        "service_item": item.code,
        "applicant": {"name": "张三", "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"},
        "form": form,
        "materials": {m.code: [] for m in item.materials},
    }


def run(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    if args.example:
        item = terminal.catalog.item(args.example)
        if item is None:
            raise ValidationFailed([Problem("service_item", Message(f"没有编码为“{args.example}”的办理事项。",
                                                                    f"There is no service item '{args.example}'."))])
        print(json.dumps(example_for(item), ensure_ascii=False, indent=2))
        return 0
    if not args.file:
        print("usage: onewindow submit FILE.json | --example CODE", file=sys.stderr)
        return EXIT_INVALID
    if args.use_licences:
        consent = licence_use_cmd.consent_from_args(args, f"{args.channel}:operator")  # no consent: nothing read
    with terminal.store.transaction() as session:  # no number, no receipt: say so before reading any file
        device_no = device_no_for_receipts(session, terminal.settings)
    if args.file == "-":
        doc, base = parse_submission(sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)), Path.cwd()
    else:
        doc, base = read_submission_file(Path(args.file))
    draft, problems = draft_from_submission(terminal.catalog, doc, base, terminal.intake_limits)
    actor = f"{args.channel}:device{device_no}"
    if args.use_licences:
        for note in licence_use_cmd.use_for_draft(terminal, draft, consent, actor, extra_problems=problems):
            print(note, file=sys.stderr)
    result = terminal.submit(draft, channel=args.channel, actor=actor, extra_problems=problems)
    out: dict[str, Any] = {"id": result.id, "receipt_no": result.receipt_no,
                           "promised_date": result.promised_date.isoformat()}
    if draft.licences:
        out["licences"] = {code: ref.identifier for code, ref in draft.licences.items()}
    if result.duplicate:
        out["duplicate"] = True
    print(json.dumps(out, ensure_ascii=False))
    return 0
