"""`onewindow status`: where an application is, by receipt number, case number or id.

The local store always answers; the platform's word (through the terminal's
platform link, `Terminal.sync.look_up`) is newer and wins when it comes.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from kiosk.errors import Message
from kiosk.lifecycle import LABELS, Status
from kiosk.store.models import Application
from kiosk.terminal import Terminal


def _label(status: str) -> dict[str, str]:
    try:
        label = LABELS[Status(status)]
    except ValueError:
        label = Message(status, status)
    return {"zh": label.zh, "en": label.en}


def lookup(terminal: Terminal, number: str, *, online: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {"number": number, "local": None, "platform": None, "platform_error": None}
    with terminal.store.transaction() as session:
        app = session.scalar(select(Application).where(or_(Application.receipt_no == number, Application.case_no == number,
                                                           Application.id == number),
                                                       Application.status != Status.DRAFT.value).limit(1))
        if app is not None:
            result["local"] = {"id": app.id, "receipt_no": app.receipt_no, "case_no": app.case_no, "status": app.status,
                               "status_label": _label(app.status), "note": app.status_note,
                               "promised_date": app.promised_date.isoformat() if app.promised_date else None}
    if online and terminal.sync is not None:
        answer = terminal.sync.look_up(number)
        if answer.found and answer.status:
            result["platform"] = {"case_no": answer.case_no, "status": answer.status,
                                  "status_note": answer.status_note, "status_label": _label(answer.status)}
        if answer.note is not None:
            result["platform_error"] = {"zh": answer.note.zh, "en": answer.note.en}
    result["found"] = bool(result["local"] or result["platform"])
    lines = []
    best = result["platform"] or result["local"]
    if best:
        lines.append(f"{number}: {best['status_label']['zh']} / {best['status_label']['en']}"
                     + (f"  (案件号 case {best['case_no']})" if best.get("case_no") else ""))
        note = best.get("status_note") or best.get("note")
        if note:
            lines.append(f"  说明 note: {note}")
    else:
        lines.append(f"{number}: 未找到 / not found")
    if result["platform_error"]:
        lines.append(f"  {result['platform_error']['zh']} / {result['platform_error']['en']}")
    result["lines"] = lines
    return result
