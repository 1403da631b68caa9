"""Where is my application? From the local store always, from the platform when reachable."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from kiosk.lifecycle import LABELS, Status
from kiosk.store.models import Application
from kiosk.terminal import Terminal
from sync.client import Offline, PlatformClient, Refused, Timeouts
from sync.credentials import EnrollmentRequired, load_credential


def _label(status: str) -> dict[str, str]:
    try:
        label = LABELS[Status(status)]
        return {"zh": label.zh, "en": label.en}
    except ValueError:
        return {"zh": status, "en": status}


def lookup(terminal: Terminal, number: str, *, online: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {"number": number, "local": None, "platform": None, "platform_error": None}
    with terminal.store.transaction() as session:
        app = session.scalar(select(Application).where(or_(Application.receipt_no == number, Application.case_no == number,
                                                           Application.id == number)).limit(1))
        if app is not None:
            result["local"] = {"id": app.id, "receipt_no": app.receipt_no, "case_no": app.case_no, "status": app.status,
                               "status_label": _label(app.status), "note": app.status_note,
                               "promised_date": app.promised_date.isoformat() if app.promised_date else None}
    credential = load_credential(terminal.settings) if online else None
    if credential is not None:
        client = PlatformClient.for_credential(credential, Timeouts(connect=3.0, read=10.0))
        try:
            found = client.json("GET", "lookup", params={"number": number}, expected=(200,))
            result["platform"] = {k: found.get(k) for k in ("id", "case_no", "receipt_no", "status", "status_note",
                                                              "complete")}
            result["platform"]["status_label"] = _label(str(found.get("status")))
        except Refused as exc:
            result["platform_error"] = exc.reason
        except Offline:
            result["platform_error"] = {"zh": "平台暂时无法连接，以下为本机记录。",
                                        "en": "The platform cannot be reached; this is the terminal's record."}
        except EnrollmentRequired as exc:
            result["platform_error"] = {"zh": exc.message.zh, "en": exc.message.en}
        finally:
            client.close()
    elif online:
        result["platform_error"] = {"zh": "本终端未注册到平台。", "en": "This terminal is not enrolled with the platform."}
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
