"""A hall's staff accounts, kept by the platform (`onewindow platform staff ...`).

Staff accounts are the platform's: a hall's administrator registers them
here, counters receive their hall's list with the Argon2id hashes when they
sync (`GET /staff`, counters only) and check passwords against it offline,
and the platform takes a decision only when its `decided_by` names an active
account of the case's hall whose role may decide. The rules for names,
roles and passwords are the terminal's own (`kiosk.staff`), so an account
valid here is valid at the counter.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import staff as rules
from kiosk.errors import Message, UserFacingError
from sync.server import platform_audit
from sync.server.db import PlatformStore
from sync.server.models import StaffAccount, utcnow


def _hall(hall_code: str) -> str:
    if not (hall_code.isdigit() and 6 <= len(hall_code) <= 12):
        raise UserFacingError(Message("大厅编码应为6到12位数字。", "The hall code must be 6 to 12 digits."), code="hall")
    return hall_code


def add_staff(store: PlatformStore, hall_code: str, username: str, password: str, role: str, *,
              display_name: str | None = None) -> StaffAccount:
    name = rules.check_username(username)
    role_value = rules.check_role(role).value
    rules.check_password(password)
    display = (display_name or name).strip()[:100] or name
    with store.transaction() as session:
        if session.scalar(select(StaffAccount.id).where(StaffAccount.hall_code == _hall(hall_code),
                                                        StaffAccount.username == name)) is not None:
            raise UserFacingError(Message(f"大厅 {hall_code} 已有用户“{name}”。",
                                          f"Hall {hall_code} already has the user '{name}'."), code="exists")
        account = StaffAccount(hall_code=hall_code, username=name, display_name=display, role=role_value,
                               password_hash=rules.hash_password(password), active=True)
        session.add(account)
        session.flush()
        platform_audit.record(session, actor="platform:operator", action="staff.added", subject=f"{hall_code}/{name}",
                              details={"role": role_value})
        return account


def _find(session: Session, hall_code: str, username: str) -> StaffAccount:
    account = session.scalar(select(StaffAccount).where(StaffAccount.hall_code == _hall(hall_code),
                                                        StaffAccount.username == username.strip().lower()))
    if account is None:
        raise UserFacingError(Message(f"大厅 {hall_code} 没有用户“{username}”。",
                                      f"Hall {hall_code} has no user '{username}'."), code="no_staff")
    return account


def disable_staff(store: PlatformStore, hall_code: str, username: str) -> StaffAccount:
    """Disabled, never deleted: the decisions it made still name it. Counters hear of it on their next sync."""
    with store.transaction() as session:
        account = _find(session, hall_code, username)
        account.active = False
        account.updated_at = utcnow()
        platform_audit.record(session, actor="platform:operator", action="staff.disabled",
                              subject=f"{hall_code}/{account.username}")
        return account


def reset_password(store: PlatformStore, hall_code: str, username: str, password: str) -> StaffAccount:
    rules.check_password(password)
    with store.transaction() as session:
        account = _find(session, hall_code, username)
        account.password_hash = rules.hash_password(password)
        account.updated_at = utcnow()
        platform_audit.record(session, actor="platform:operator", action="staff.password_reset",
                              subject=f"{hall_code}/{account.username}")
        return account


def hall_staff(session: Session, hall_code: str) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).where(StaffAccount.hall_code == hall_code)
                                .order_by(StaffAccount.username)))


def staff_list(session: Session, hall_code: str) -> list[dict[str, Any]]:
    """What a counter of the hall receives: enough to check a password offline, and nothing of other halls."""
    return [{"username": a.username, "display_name": a.display_name, "role": a.role, "password_hash": a.password_hash,
             "active": a.active} for a in hall_staff(session, hall_code)]


class StaffRefused(UserFacingError):
    """`decided_by` names nobody of the hall who may decide: the API answers 403 with this reason."""


def check_decider(session: Session, hall_code: str, decided_by: str) -> StaffAccount:
    """The active account of the hall that `decided_by` names, if its role may decide; else `StaffRefused`."""
    name = decided_by.strip().lower()
    account = session.scalar(select(StaffAccount).where(StaffAccount.hall_code == hall_code,
                                                        StaffAccount.username == name))
    if account is None:
        raise StaffRefused(Message(
            f"平台上本大厅没有工作人员账号“{decided_by}”，决定未被接受。请本大厅管理员在平台登记该账号"
            "（onewindow platform staff add），窗口同步后以该账号重新办理。",
            f"The platform has no staff account '{decided_by}' for this hall, so the decision was not accepted. "
            "The hall's administrator registers the account on the platform (onewindow platform staff add); "
            "after the counter syncs, decide again under that account."), code="unknown_staff")
    if not account.active:
        raise StaffRefused(Message(f"工作人员账号“{account.username}”已在平台停用，决定未被接受。",
                                   f"The staff account '{account.username}' is disabled on the platform, so the "
                                   "decision was not accepted."), code="staff_disabled")
    try:
        may_decide = rules.Permission.DECIDE in rules.PERMISSIONS[rules.Role(account.role)]
    except ValueError:
        may_decide = False
    if not may_decide:
        raise StaffRefused(Message(f"工作人员账号“{account.username}”的角色无权作出决定。",
                                   f"The role of staff account '{account.username}' may not decide."),
                           code="staff_not_allowed")
    return account
