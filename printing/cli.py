"""`onewindow print ...`: receipts and documents from the command line, and the print queue.

    onewindow print receipt|form|acceptance|supplement|copy --application ID_OR_RECEIPT (--printer URI | --pdf OUT)
    onewindow print queue [--json] [--state unconfirmed]
    onewindow print retry
    onewindow print confirm JOB_ID --staff NAME [--password-stdin]
    onewindow print reprint JOB_ID --staff NAME [--password-stdin]

Exit 3 (EXIT_PENDING) when a job could not print now and stays queued, or
when the printer did not confirm it ("unconfirmed": staff confirm or reprint).
`confirm` and `reprint` are staff actions: the password comes from a prompt
or, with --password-stdin, from the first line of standard input, never from
the command line.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk import audit
from kiosk import staff as staff_accounts
from kiosk.cli import EXIT_OK, EXIT_PENDING, terminal_from_args
from kiosk.errors import Message, UserFacingError
from kiosk.notices import require_notice_allowed
from kiosk.terminal import Terminal
from kiosk.print_jobs import STATE_LABELS, PrintOutcome, PrintState, enqueue_document, enqueue_receipt
from kiosk.usecases import print_queue
from printing.queue import PENDING, UNCONFIRMED, list_jobs, process_pending, run_job
from printing.records import find_application
from printing.uri import parse_printer_uri

DOCUMENT_COMMANDS = {"form": "form", "acceptance": "acceptance", "supplement": "supplement", "copy": "receipt_copy"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("print", help="print receipts and documents; show and retry the print queue")
    ps = p.add_subparsers(dest="print_command", metavar="ACTION", required=True)
    for name, helptext in (("receipt", "the thermal receipt (ESC/POS), or its A4 copy with --pdf"),
                           ("form", "the application form (A4)"), ("acceptance", "the acceptance notice (A4)"),
                           ("supplement", "the notice naming each missing material (A4)"),
                           ("copy", "the A4 copy of the receipt")):
        c = ps.add_parser(name, help=helptext)
        c.add_argument("--application", required=True, metavar="ID_OR_RECEIPT")
        target = c.add_mutually_exclusive_group()
        target.add_argument("--printer", metavar="URI",
                            help="tcp://HOST:9100, usb:VID:PID, serial:/dev/ttyX?baudrate=9600, file:/path "
                                 "(receipts) or cups:[QUEUE] (A4); default: the configured printer")
        target.add_argument("--pdf", type=Path, metavar="OUT", help="save the document as a PDF instead")
        c.add_argument("--lang", choices=["zh", "en"], help="add English (default: the terminal's language)")
        if name == "receipt":
            c.add_argument("--paper", type=int, choices=[58, 80], help="paper width in mm")
            c.add_argument("--profile", help="python-escpos printer profile (default: configured)")
        if name == "supplement":
            c.add_argument("--missing", action="append", metavar="NAME[=NOTE]",
                           help="a missing material and what is wrong (repeat); default: materials marked missing")
        c.set_defaults(handler=run_print, document=name)
    q = ps.add_parser("queue", help="list print jobs with their state and last error")
    q.add_argument("--json", action="store_true")
    q.add_argument("--state", action="append", choices=[s.value for s in PrintState])
    q.set_defaults(handler=run_queue)
    r = ps.add_parser("retry", help="send every pending print job again now (unconfirmed jobs wait for staff)")
    r.set_defaults(handler=run_retry)
    for name, helptext, handler in (
            ("confirm", "staff saw an unconfirmed job on paper: record it as printed", run_confirm),
            ("reprint", "an unconfirmed job did not come out: print it again, marked as a reprint", run_reprint)):
        c = ps.add_parser(name, help=helptext)
        c.add_argument("job_id", type=int, metavar="JOB_ID")
        c.add_argument("--staff", required=True, metavar="NAME", help="your staff user name")
        c.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input instead of a prompt")
        c.set_defaults(handler=handler)


def _missing(values: list[str] | None) -> list[dict[str, str]] | None:
    if not values:
        return None
    out = []
    for value in values:
        name, _, note = value.partition("=")
        if not name.strip():
            raise UserFacingError(Message("--missing 需要材料名称。", "--missing needs a material name."), code="invalid")
        out.append({"name_zh": name.strip(), "name_en": "", "note": note.strip()})
    return out


def _report(outcome: PrintOutcome | None) -> int:
    if outcome is None:
        return EXIT_OK
    print(json.dumps({"job_id": outcome.job_id, "kind": outcome.kind, "receipt_no": outcome.receipt_no,
                      "state": outcome.state}, ensure_ascii=False))
    if outcome.state == PENDING:
        assert outcome.error is not None
        print(f"{outcome.error.zh}\n{outcome.error.en}\n"
              f"打印任务 {outcome.job_id} 保留在队列中（onewindow print retry 重试）。 / "
              f"Print job {outcome.job_id} stays queued (retry with: onewindow print retry).", file=sys.stderr)
        return EXIT_PENDING
    if outcome.state == UNCONFIRMED:
        why = outcome.error or outcome.message()
        print(f"{why.zh}\n{why.en}\n{_staff_commands(outcome.job_id)}", file=sys.stderr)
        return EXIT_PENDING
    if not outcome.printed:
        raise UserFacingError(outcome.message(), code=outcome.error_code or "print_failed")
    return EXIT_OK


def _save_pdf(path: Path, data: bytes) -> None:
    path = path.expanduser()
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise UserFacingError(Message(f"无法保存 {path}：{exc.strerror}", f"Cannot save {path}: {exc.strerror}"),
                              code="io") from None


def run_print(args: argparse.Namespace) -> int:
    from printing.pdf.documents import build_document

    terminal = terminal_from_args(args)
    settings = terminal.settings
    lang = args.lang or settings.language
    kind = "receipt" if args.document == "receipt" else DOCUMENT_COMMANDS[args.document]
    missing = _missing(getattr(args, "missing", None))
    actor = f"cli:device{settings.device_no}"
    catalog = terminal.catalog
    if args.pdf is not None:
        pdf_kind = "receipt_copy" if kind == "receipt" else kind
        with terminal.store.transaction() as session:
            app = find_application(session, args.application)
            require_notice_allowed(app, pdf_kind)
            data = build_document(pdf_kind, app, settings, catalog, lang=lang, missing=missing)
            _save_pdf(args.pdf, data)
            audit.record(session, actor=actor, action="printed", subject=app.id,
                         details={"kind": pdf_kind, "pdf": str(args.pdf), "bytes": len(data),
                                  "receipt_no": app.receipt_no})
        print(json.dumps({"kind": pdf_kind, "receipt_no": app.receipt_no, "pdf": str(args.pdf), "bytes": len(data)},
                         ensure_ascii=False))
        return EXIT_OK
    printer = args.printer or (settings.printer if kind == "receipt" else "")
    if not printer:
        raise UserFacingError(Message("请用 --printer 指定打印机，或用 --pdf 保存为文件（也可在配置中设置“printer”）。",
                                      "Give a printer with --printer or a file with --pdf (or set printer in the "
                                      "settings)."), code="invalid")
    parse_printer_uri(printer)  # a bad address is refused before anything is queued
    with terminal.store.transaction() as session:
        app = find_application(session, args.application)
        if kind == "receipt":
            job = enqueue_receipt(session, app.id, printer=printer, lang=lang,
                                  paper_mm=args.paper or settings.receipt_paper_mm,
                                  profile=args.profile or settings.printer_profile, actor=actor)
        else:
            job = enqueue_document(session, app.id, kind, printer=printer, lang=lang, missing=missing, actor=actor)
        job_id = job.id
    return _report(run_job(terminal, job_id, actor=actor))


def _staff_commands(job_id: int) -> str:
    return (f"查看出纸口后：onewindow print confirm {job_id} --staff 用户名（已打出）或 "
            f"onewindow print reprint {job_id} --staff 用户名（未打出）。 / "
            f"After checking the paper slot: onewindow print confirm {job_id} --staff NAME (it came out) or "
            f"onewindow print reprint {job_id} --staff NAME (it did not).")


def run_queue(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    with terminal.store.transaction() as session:
        jobs = list_jobs(session, args.state)
    if args.json:
        print(json.dumps(jobs, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not jobs:
        print("打印队列为空 / The print queue is empty")
        return EXIT_OK
    for j in jobs:
        label = STATE_LABELS[PrintState(j["state"])]
        flag = "  <<< 待工作人员确认 / needs staff" if j["state"] == UNCONFIRMED else ""
        kind = j["kind"] + ("（补打 reprint）" if j["reprint"] else "")
        line: list[Any] = [j["id"], j["state"], f"{label.zh}/{label.en}", kind, j["receipt_no"] or "-", j["printer"],
                           f"tries={j['attempts']}"]
        print("  ".join(str(x) for x in line) + flag)
        if j["last_error"] and j["state"] != "printed":
            print(f"    {j['last_error']}")
        if j["state"] == UNCONFIRMED:
            print(f"    {_staff_commands(j['id'])}")
    unconfirmed = sum(1 for j in jobs if j["state"] == UNCONFIRMED)
    if unconfirmed:
        print(f"{unconfirmed} 个打印任务待工作人员确认或补打。 / {unconfirmed} print job(s) wait for staff to "
              "confirm or reprint.")
    return EXIT_OK


def run_retry(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    outcomes = process_pending(terminal, actor=f"cli:device{terminal.settings.device_no}", force=True)
    for o in outcomes:
        print(json.dumps({"job_id": o.job_id, "kind": o.kind, "receipt_no": o.receipt_no, "state": o.state,
                          "error": o.error.both() if o.error else None}, ensure_ascii=False))
    with terminal.store.transaction() as session:
        left = list_jobs(session, [PENDING])
        unconfirmed = list_jobs(session, [UNCONFIRMED])
    if unconfirmed:
        print(f"{len(unconfirmed)} 个打印任务待工作人员确认或补打（onewindow print queue 查看）。 / "
              f"{len(unconfirmed)} print job(s) wait for staff to confirm or reprint (see: onewindow print queue).",
              file=sys.stderr)
    if left:
        print(f"仍有 {len(left)} 个打印任务待打印。 / {len(left)} print job(s) still pending.", file=sys.stderr)
    return EXIT_PENDING if left or unconfirmed else EXIT_OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserFacingError(Message("无法提示输入密码（不是终端）；请使用 --password-stdin。",
                                      "Cannot prompt for the password (not a terminal); use --password-stdin."),
                              code="invalid")
    return getpass.getpass("密码 / Password: ")


def _staff_id(terminal: Terminal, args: argparse.Namespace) -> int:
    """Log the staff member in (a failed attempt is audited too) and check they may do this."""
    password = _read_password(args.password_stdin)
    error: UserFacingError | None = None
    with terminal.store.transaction() as session:
        try:
            member = staff_accounts.authenticate(session, args.staff, password)
            staff_accounts.require(member, print_queue.PERMISSION)
            return member.id
        except UserFacingError as exc:  # commit the audit row of the failed login, then refuse
            error = exc
    raise error


def run_confirm(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    decision = print_queue.confirm_printed(terminal, _staff_id(terminal, args), args.job_id)
    print(json.dumps({"job_id": decision.job_id, "state": decision.state}, ensure_ascii=False))
    print(decision.message.both(), file=sys.stderr)
    return EXIT_OK


def run_reprint(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff_id = _staff_id(terminal, args)
    decision = print_queue.reprint_job(terminal, staff_id, args.job_id, print_now=False)
    print(decision.message.both(), file=sys.stderr)
    assert decision.new_job_id is not None
    return _report(run_job(terminal, decision.new_job_id, actor=f"staff:{staff_id}"))
