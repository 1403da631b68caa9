"""Hall staff accounts: who may log in at a counter, and what their role lets them do.

Passwords are hashed with Argon2id (argon2-cffi's defaults, rehashed when
those defaults grow). A wrong user name and a wrong password get the same
answer, so the login screen does not reveal who works here.
"""
from __future__ import annotations

import re
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.store.models import Staff

_hasher = PasswordHasher()
MIN_PASSWORD = 8
_USERNAME = re.compile(r"[a-z][a-z0-9_.-]{1,31}")


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    TAKE_APPLICATION = "take_application"
    REVIEW = "review"
    DECIDE = "decide"
    HALL_DEADLINES = "hall_deadlines"
    DASHBOARD = "dashboard"
    MANAGE_STAFF = "manage_staff"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.TAKE_APPLICATION, Permission.REVIEW, Permission.DECIDE}),
    Role.SUPERVISOR: frozenset({Permission.TAKE_APPLICATION, Permission.REVIEW, Permission.DECIDE,
                                Permission.HALL_DEADLINES, Permission.DASHBOARD}),
    Role.ADMINISTRATOR: frozenset(Permission),
}

ROLE_LABELS = {
    Role.CLERK: Message("窗口工作人员", "Clerk"),
    Role.SUPERVISOR: Message("值班长", "Supervisor"),
    Role.ADMINISTRATOR: Message("系统管理员", "Administrator"),
}

LOGIN_FAILED = Message("用户名或密码不正确。", "The user name or password is not correct.")


class NotAllowed(UserFacingError):
    def __init__(self, permission: Permission) -> None:
        super().__init__(Message("您的账号没有此项操作权限，请联系值班长。",
                                 "Your account may not do this; please ask the supervisor."), code="forbidden")
        self.permission = permission


def allowed(staff: Staff, permission: Permission) -> bool:
    return not staff.disabled and permission in PERMISSIONS[Role(staff.role)]


def require(staff: Staff, permission: Permission) -> None:
    if not allowed(staff, permission):
        raise NotAllowed(permission)


def actor_of(staff: Staff) -> str:
    """How a staff member appears in the audit log."""
    return f"staff:{staff.id}"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.strip() != password or not password.isprintable():
        raise UserFacingError(
            Message(f"密码至少{MIN_PASSWORD}位，且不能以空格开头或结尾。",
                    f"A password has at least {MIN_PASSWORD} characters and no leading or trailing spaces."),
            code="weak_password",
        )


def find(session: Session, username: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == username.strip().lower()))
    if staff is None:
        raise UserFacingError(Message(f"没有用户“{username}”。", f"There is no user '{username}'."), code="no_staff")
    return staff


def add_staff(session: Session, username: str, password: str, role: Role | str, *, display_name: str | None = None,
              actor: str) -> Staff:
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UserFacingError(Message("用户名须以小写字母开头，2到32位，只含小写字母、数字、点、下划线或连字符。",
                                      "A user name starts with a lower-case letter and has 2 to 32 lower-case "
                                      "letters, digits, dots, underscores or hyphens."), code="bad_username")
    try:
        role = Role(role)
    except ValueError:
        raise UserFacingError(Message("角色只能是 clerk、supervisor 或 administrator。",
                                      "The role must be clerk, supervisor or administrator."), code="bad_role") from None
    if session.scalar(select(Staff).where(Staff.username == name)) is not None:
        raise UserFacingError(Message(f"用户“{name}”已存在。", f"The user '{name}' already exists."), code="exists")
    _check_password(password)
    staff = Staff(username=name, display_name=(display_name or name)[:100], role=role.value,
                  password_hash=_hasher.hash(password))
    session.add(staff)
    session.flush()
    audit.record(session, actor=actor, action="staff_added", subject=f"staff:{staff.id}",
                 details={"username": name, "role": role.value})
    return staff


def disable_staff(session: Session, username: str, *, actor: str) -> Staff:
    staff = find(session, username)
    staff.disabled = True
    audit.record(session, actor=actor, action="staff_disabled", subject=f"staff:{staff.id}",
                 details={"username": staff.username})
    return staff


def reset_password(session: Session, username: str, password: str, *, actor: str) -> Staff:
    staff = find(session, username)
    _check_password(password)
    staff.password_hash = _hasher.hash(password)
    audit.record(session, actor=actor, action="staff_password_reset", subject=f"staff:{staff.id}",
                 details={"username": staff.username})
    return staff


def authenticate(session: Session, username: str, password: str) -> Staff:
    """The staff member, or a `UserFacingError` that does not say which half was wrong."""
    staff = session.scalar(select(Staff).where(Staff.username == (username or "").strip().lower()))
    if staff is None:
        _hasher.hash(password or "x")  # same cost either way: no timing hint about which names exist
        audit.record(session, actor="anonymous", action="login_failed", subject="staff:?", details={})
        raise UserFacingError(LOGIN_FAILED, code="login_failed")
    try:
        _hasher.verify(staff.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        audit.record(session, actor=actor_of(staff), action="login_failed", subject=f"staff:{staff.id}", details={})
        raise UserFacingError(LOGIN_FAILED, code="login_failed") from None
    if staff.disabled:
        audit.record(session, actor=actor_of(staff), action="login_refused_disabled", subject=f"staff:{staff.id}",
                     details={})
        raise UserFacingError(Message("该账号已停用，请联系系统管理员。",
                                      "This account is disabled; please ask the administrator."), code="disabled")
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
    audit.record(session, actor=actor_of(staff), action="login", subject=f"staff:{staff.id}", details={})
    return staff
