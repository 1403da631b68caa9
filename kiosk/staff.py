"""Hall staff accounts: who may log in at a counter, and what their role lets them do.

Passwords are hashed with Argon2id (argon2-cffi's defaults, rehashed when
those defaults grow). A wrong user name and a wrong password get the same
answer, so the login screen does not reveal who works here.

Staff accounts are the platform's (`onewindow platform staff add`): a counter
receives its hall's list when it syncs (`apply_platform_staff`) and checks
passwords offline against what it last received; the platform takes a
decision only from an active account of the hall. Accounts made on the
terminal (`add_staff`, source "local") remain for a terminal that has never
received a list (tests, offline set-up); once the platform has sent one, the
platform's list is the hall's: local-only accounts no longer log in and no
new ones are made here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.errors import Message, UserFacingError
from kiosk.store.models import KeyValue, Staff, utcnow

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


PLATFORM_LIST_KEY = "staff.platform_list_at"  # when this terminal last received a non-empty list from the platform


class Source(StrEnum):
    LOCAL = "local"
    PLATFORM = "platform"


MANAGED_BY_PLATFORM = Message("本大厅的工作人员账号由平台管理，请由大厅管理员在平台上办理（onewindow platform staff ...），"
                              "窗口同步后生效。",
                              "This hall's staff accounts are managed on the platform: the hall's administrator "
                              "does this there (onewindow platform staff ...), and the counter has it after it syncs.")
LOCAL_ACCOUNT_RETIRED = Message("该账号只建在本终端上；本大厅的账号现由平台管理，请使用平台登记的账号登录。",
                                "This account exists only on this terminal; the hall's accounts are now managed on "
                                "the platform, so log in with an account registered there.")


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


def check_password(password: str) -> None:
    """The terminal's and the platform's rule for a password (`onewindow platform staff add` uses it too)."""
    if len(password) < MIN_PASSWORD or password.strip() != password or not password.isprintable():
        raise UserFacingError(
            Message(f"密码至少{MIN_PASSWORD}位，且不能以空格开头或结尾。",
                    f"A password has at least {MIN_PASSWORD} characters and no leading or trailing spaces."),
            code="weak_password",
        )


_check_password = check_password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_username(username: str) -> str:
    """The user name as stored (lower case), or a bilingual refusal."""
    name = username.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UserFacingError(Message("用户名须以小写字母开头，2到32位，只含小写字母、数字、点、下划线或连字符。",
                                      "A user name starts with a lower-case letter and has 2 to 32 lower-case "
                                      "letters, digits, dots, underscores or hyphens."), code="bad_username")
    return name


def check_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserFacingError(Message("角色只能是 clerk、supervisor 或 administrator。",
                                      "The role must be clerk, supervisor or administrator."), code="bad_role") from None


def find(session: Session, username: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == username.strip().lower()))
    if staff is None:
        raise UserFacingError(Message(f"没有用户“{username}”。", f"There is no user '{username}'."), code="no_staff")
    return staff


def add_staff(session: Session, username: str, password: str, role: Role | str, *, display_name: str | None = None,
              actor: str) -> Staff:
    if platform_managed(session):
        raise UserFacingError(MANAGED_BY_PLATFORM, code="platform_staff")
    name = check_username(username)
    role = check_role(role)
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
    if staff.source == Source.PLATFORM:
        raise UserFacingError(MANAGED_BY_PLATFORM, code="platform_staff")
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
    if staff.source != Source.PLATFORM and platform_managed(session):
        audit.record(session, actor=actor_of(staff), action="login_refused_local", subject=f"staff:{staff.id}",
                     details={})
        raise UserFacingError(LOCAL_ACCOUNT_RETIRED, code="local_account")
    if staff.source != Source.PLATFORM and _hasher.check_needs_rehash(staff.password_hash):  # the platform's hash
        # is the platform's to renew: a local rehash would be overwritten by the next sync anyway
        staff.password_hash = _hasher.hash(password)
    audit.record(session, actor=actor_of(staff), action="login", subject=f"staff:{staff.id}", details={})
    return staff


# --- the platform's list -------------------------------------------------------------------------

def platform_managed(session: Session) -> bool:
    """True once the platform has sent this terminal a non-empty staff list."""
    return session.get(KeyValue, PLATFORM_LIST_KEY) is not None


@dataclass(frozen=True)
class PlatformAccount:
    """One account of the hall as the platform sends it (`sync.wire.StaffEntry`)."""

    username: str
    display_name: str
    role: str
    password_hash: str
    active: bool


@dataclass
class StaffSync:
    added: int = 0
    updated: int = 0
    disabled: int = 0


def apply_platform_staff(session: Session, accounts: list[PlatformAccount]) -> StaffSync:
    """Make the local staff table hold the platform's list, in the caller's transaction.

    An account is matched by user name: a local account of the same name is
    taken over by the platform's (it keeps its id, so its audit history goes
    on). A platform account that no longer comes is disabled. An empty list
    changes nothing: that hall has not registered its staff on the platform
    yet, and its local accounts go on working.
    """
    result = StaffSync()
    if not accounts:
        return result
    by_name = {a.username: a for a in accounts}
    for account in by_name.values():
        role = check_role(account.role).value
        row = session.scalar(select(Staff).where(Staff.username == account.username))
        if row is None:
            row = Staff(username=account.username, display_name=account.display_name[:100] or account.username,
                        role=role, password_hash=account.password_hash, disabled=not account.active,
                        source=Source.PLATFORM.value)
            session.add(row)
            session.flush()
            result.added += 1
            audit.record(session, actor="platform", action="staff_synced", subject=f"staff:{row.id}",
                         details={"username": row.username, "role": role, "active": account.active, "new": True})
            continue
        before = (row.display_name, row.role, row.password_hash, row.disabled, row.source)
        row.display_name = account.display_name[:100] or account.username
        row.role = role
        row.password_hash = account.password_hash
        row.disabled = not account.active
        row.source = Source.PLATFORM.value
        if before != (row.display_name, row.role, row.password_hash, row.disabled, row.source):
            result.updated += 1
            audit.record(session, actor="platform", action="staff_synced", subject=f"staff:{row.id}",
                         details={"username": row.username, "role": role, "active": account.active,
                                  "password_changed": before[2] != row.password_hash})
    for row in session.scalars(select(Staff).where(Staff.source == Source.PLATFORM.value, Staff.disabled.is_(False))):
        if row.username not in by_name:
            row.disabled = True
            result.disabled += 1
            audit.record(session, actor="platform", action="staff_synced", subject=f"staff:{row.id}",
                         details={"username": row.username, "active": False, "gone": True})
    marker = session.get(KeyValue, PLATFORM_LIST_KEY)
    now = utcnow().isoformat()
    if marker is None:
        session.add(KeyValue(key=PLATFORM_LIST_KEY, value=now))
    else:
        marker.value = now
    return result
