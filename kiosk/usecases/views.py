"""What the use cases hand back: frozen, plain, and safe to keep on a screen.

ID numbers and phone numbers are already masked where a listing shows them;
no view holds an ORM row, so nothing a window keeps can reach the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.licences.model import LicenceRef
from kiosk.catalog import Text
from kiosk.errors import Message
from kiosk.lifecycle import LABELS, Status
from kiosk.print_jobs import PrintState
from kiosk.review import Decision
from kiosk.staff import Permission, Role
from kiosk.worklist import Urgency


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    role: Role
    permissions: frozenset[Permission]

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class CaseRow:
    """One line of the work list or the deadlines table; ID numbers already masked."""

    id: str
    receipt_no: str | None
    case_no: str | None
    service_item: str
    item_name: Text
    channel: str
    status: Status
    applicant_name: str | None
    id_masked: str | None
    submitted_at: datetime | None
    updated_at: datetime | None
    promised_date: date | None
    days_left: int | None
    urgency: Urgency

    @property
    def status_label(self) -> Message:
        return LABELS[self.status]


@dataclass(frozen=True)
class FileView:
    sha256: str
    media_type: str
    page_count: int
    name: str | None


@dataclass(frozen=True)
class MaterialView:
    code: str
    name: Text
    required: bool
    review_state: str
    review_note: str | None
    files: tuple[FileView, ...]
    at_counter: bool = False  # the citizen hands it in at the counter (需到窗口提交)
    licence: LicenceRef | None = None  # an electronic licence stood for it (已调用电子证照，免提交)
    prereview: str | None = None  # online cases: "passed" by the platform's pre-review, or "original" to be seen
    original_seen_at: datetime | None = None  # staff checked the original at the counter (online cases)

    @property
    def page_count(self) -> int:
        return sum(f.page_count for f in self.files)


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    phone_masked: str | None
    form: tuple[tuple[Text, Text], ...]
    materials: tuple[MaterialView, ...]
    status_note: str | None

    def material(self, code: str) -> MaterialView:
        return next(m for m in self.materials if m.code == code)


@dataclass(frozen=True)
class DraftRow:
    id: str
    service_item: str
    item_name: Text
    applicant_name: str | None
    id_masked: str | None
    updated_at: datetime | None
    file_count: int


@dataclass(frozen=True)
class PrintResult:
    """What the screen says about a receipt or notice; `printed` None: nothing was to be printed."""

    printed: bool | None
    message: Message | None
    state: PrintState | None = None
    job_id: int | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    decision: Decision
    detail: CaseDetail
    printed: bool | None  # None: nothing to print for this decision
    print_message: Message | None


@dataclass(frozen=True)
class LinkView:
    """The small indicator: link and queues; `online` None means not known yet."""

    online: bool | None
    pending_items: int
    pending_prints: int
    prints_need_staff: int
    refused_items: int
    enrolled: bool
    last_error: str | None = None


@dataclass(frozen=True)
class LookupResult:
    receipt_no: str
    found: bool
    status: Message | None
    note: str | None
    promised_date: str | None
    source: str  # "platform" or "local"
    platform_note: Message | None
