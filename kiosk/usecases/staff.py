"""Logging in at a counter, locking and unlocking it.

The logged-in staff member is passed to every counter use case by id and
reloaded in each transaction: a disabled account stops working at its next
action, and permission checks and audit rows always see the current row.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.staff import PERMISSIONS, Permission, Role, authenticate, require
from kiosk.store.models import Staff
from kiosk.terminal import Terminal
from kiosk.usecases.views import StaffView

SESSION_ENDED = Message("登录已失效，请重新登录。", "Your session has ended; please log in again.")


def view_of(staff: Staff) -> StaffView:
    role = Role(staff.role)
    return StaffView(staff.id, staff.username, staff.display_name, role, PERMISSIONS[role])


def current_staff(session: Session, staff_id: int, permission: Permission | None = None) -> Staff:
    """The staff member as they are now; raises when the account is gone, disabled or not allowed."""
    staff = session.get(Staff, staff_id)
    if staff is None or staff.disabled:
        raise UserFacingError(SESSION_ENDED, code="session")
    if permission is not None:
        require(staff, permission)
    return staff


def log_in(t: Terminal, username: str, password: str) -> StaffView:
    """Failed attempts are audited too, so the audit row must commit even though we raise."""
    error: UserFacingError | None = None
    with t.store.transaction() as session:
        try:
            staff = authenticate(session, username, password)
        except UserFacingError as exc:
            error = exc
        else:
            return view_of(staff)
    assert error is not None
    raise error


def unlock(t: Terminal, staff_id: int, password: str) -> StaffView:
    """Only the person who locked the counter can unlock it."""
    with t.store.transaction() as session:
        staff = session.get(Staff, staff_id)
        username = staff.username if staff else ""
    view = log_in(t, username, password)
    if view.id != staff_id:  # pragma: no cover - usernames are unique
        raise UserFacingError(SESSION_ENDED, code="session")
    return view


def note(t: Terminal, staff_id: int, action: str, details: dict[str, Any] | None = None) -> None:
    """Lock, unlock and logout leave a trace beside the staff member's other actions."""
    with t.store.transaction() as session:
        audit.record(session, actor=f"staff:{staff_id}", action=action, subject=f"staff:{staff_id}",
                     details=details or {})
