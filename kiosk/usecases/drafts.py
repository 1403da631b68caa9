"""A citizen's unfinished application: saved as they go, resumed or discarded by staff.

The kiosk never reopens a draft itself (the next citizen must not see the
previous one's data); a counter lists the hall's drafts and resumes one as a
walk-in or discards it, each audited under the staff member's name.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiosk import drafts as draft_store
from kiosk import worklist
from kiosk.catalog import Text
from kiosk.device_identity import device_number
from kiosk.errors import Message, UserFacingError
from kiosk.identity import mask_id
from kiosk import audit
from kiosk.staff import Permission, actor_of
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from kiosk.usecases.staff import current_staff
from kiosk.usecases.views import DraftRow

NO_DRAFT = Message("该草稿已不存在（可能已被提交或放弃）。", "This draft no longer exists (it was submitted or discarded).")


def kiosk_actor(t: Terminal) -> str:
    """How this kiosk appears in the audit log: by its device number in the hall, once it has one."""
    with t.store.read() as session:
        return _kiosk_actor_in(session, t)


def _kiosk_actor_in(session: Session, t: Terminal) -> str:
    number = device_number(session, t.settings).device_no
    return f"kiosk:{number if number is not None else '?'}"


def save_draft(t: Terminal, snapshot: draft_store.DraftSnapshot, *, last: bool = False) -> None:
    """Called at every step and whenever typing pauses: the actor is looked up only when a draft starts.
    `last`: the citizen's session ended; nothing of theirs is kept in memory after it."""
    draft_store.save_draft(t.store, t.attachments, snapshot, actor=lambda session: _kiosk_actor_in(session, t),
                           last=last)


def discard_draft(t: Terminal, draft_id: str, reason: str) -> bool:
    """The citizen left or started another service: their half-done draft goes."""
    return draft_store.discard_draft(t.store, draft_id, actor=kiosk_actor(t), reason=reason)


def list_drafts(t: Terminal, staff_id: int) -> list[DraftRow]:
    hall = t.settings.hall_code
    with t.store.read() as session:
        current_staff(session, staff_id, Permission.TAKE_APPLICATION)
        rows = []
        for app in worklist.drafts(session, hall_code=hall):
            item = t.catalog.item(app.service_item_code)
            rows.append(DraftRow(app.id, app.service_item_code,
                                 item.name if item else Text(app.service_item_code, app.service_item_code),
                                 app.applicant_name,
                                 mask_id(app.applicant_id_number) if app.applicant_id_number else None,
                                 app.updated_at, sum(len(m.files) for m in app.materials)))
    return sorted(rows, key=lambda r: r.updated_at or datetime.min, reverse=True)


def resume_draft(t: Terminal, staff_id: int, draft_id: str) -> ApplicationDraft:
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.TAKE_APPLICATION)
        audit.record(session, actor=actor_of(staff), action="draft_resumed", subject=draft_id, details={})
    draft = draft_store.load_draft(t.store, t.attachments, draft_id)
    if draft is None:
        raise UserFacingError(NO_DRAFT, code="no_draft")
    return draft


def discard_draft_at_counter(t: Terminal, staff_id: int, draft_id: str) -> bool:
    with t.store.read() as session:
        actor = actor_of(current_staff(session, staff_id, Permission.TAKE_APPLICATION))
    return draft_store.discard_draft(t.store, draft_id, actor=actor, reason="discarded_at_counter")
