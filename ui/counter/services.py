"""The counter's only door to the store, printing and sync; every method blocks and runs in a `ui.jobs` job.

Screens get plain dataclasses back (never ORM rows), so nothing a screen
holds can lazily query the database on the GUI thread. The logged-in staff
member is passed by id and reloaded in each transaction: a disabled account
stops working at its next action, and `kiosk.staff.require` and the audit
rows always see the current row.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk import audit, drafts as draft_store, review, worklist
from kiosk.catalog import MaterialSpec, Text
from kiosk.errors import Message, UserFacingError
from kiosk.identity import mask_id
from kiosk.lifecycle import LABELS, Status
from kiosk.materials.intake import MaterialFile
from kiosk.staff import PERMISSIONS, Permission, Role, actor_of, authenticate, require
from kiosk.store.models import Application, AuditEntry, Staff
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal
from kiosk.workdays import default_calendar
from kiosk.worklist import OPEN_STATUSES, Urgency, deadline_of

log = logging.getLogger("onewindow.counter")

SOURCES = ("kiosk", "counter", "online")
#: what a decision prints: the notice the citizen takes home
DECISION_DOCUMENTS = {Status.ACCEPTED: "acceptance", Status.NEEDS_SUPPLEMENT: "supplement"}
SESSION_ENDED = Message("登录已失效，请重新登录。", "Your session has ended; please log in again.")


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

    @property
    def page_count(self) -> int:
        return sum(f.page_count for f in self.files)


@dataclass(frozen=True)
class CaseDetail:
    row: CaseRow
    phone_masked: str | None
    form: tuple[tuple[Text, str], ...]
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
class DecisionOutcome:
    decision: review.Decision
    detail: CaseDetail
    printed: bool | None  # None: nothing to print for this decision
    print_message: Message | None


@dataclass
class SyncView:
    online: bool | None
    pending_items: int
    pending_prints: int
    enrolled: bool


@dataclass
class CounterServices:
    terminal: Terminal
    document_printer: str = "cups:"
    scanner: Any = None
    camera: Any = None
    sync_worker: Any = None
    today: date | None = None  # fixed in tests and screenshots; None means the real date
    _devices: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from ui.kiosk.services import KioskServices  # scanning and import work exactly as at a kiosk

        self._devices = KioskServices(self.terminal, scanner=self.scanner, camera=self.camera, online_lookup=False)

    @property
    def hall(self) -> str:
        return self.terminal.settings.hall_code

    def _today(self) -> date:
        return self.today or date.today()

    # --- staff --------------------------------------------------------------------------------
    @staticmethod
    def _view(staff: Staff) -> StaffView:
        role = Role(staff.role)
        return StaffView(staff.id, staff.username, staff.display_name, role, PERMISSIONS[role])

    def login(self, username: str, password: str) -> StaffView:
        """Failed attempts are audited too, so the audit row must commit even though we raise."""
        error: UserFacingError | None = None
        with self.terminal.store.transaction() as session:
            try:
                staff = authenticate(session, username, password)
            except UserFacingError as exc:
                error = exc
            else:
                return self._view(staff)
        assert error is not None
        raise error

    def unlock(self, staff_id: int, password: str) -> StaffView:
        with self.terminal.store.transaction() as session:
            staff = session.get(Staff, staff_id)
            username = staff.username if staff else ""
        view = self.login(username, password)
        if view.id != staff_id:  # pragma: no cover - usernames are unique
            raise UserFacingError(SESSION_ENDED, code="session")
        return view

    def note(self, staff_id: int, action: str, details: dict[str, Any] | None = None) -> None:
        """Lock, unlock and logout leave a trace beside the staff member's other actions."""
        with self.terminal.store.transaction() as session:
            audit.record(session, actor=f"staff:{staff_id}", action=action, subject=f"staff:{staff_id}",
                         details=details or {})

    def _staff(self, session: Any, staff_id: int) -> Staff:
        staff = session.get(Staff, staff_id)
        if staff is None or staff.disabled:
            raise UserFacingError(SESSION_ENDED, code="session")
        return staff

    # --- reading cases ------------------------------------------------------------------------
    def _row(self, app: Application) -> CaseRow:
        item = self.terminal.catalog.item(app.service_item_code)
        deadline = deadline_of(app, default_calendar(), self._today())
        return CaseRow(
            id=app.id, receipt_no=app.receipt_no, case_no=app.case_no, service_item=app.service_item_code,
            item_name=item.name if item else Text(app.service_item_code, app.service_item_code),
            channel=app.channel, status=Status(app.status), applicant_name=app.applicant_name,
            id_masked=mask_id(app.applicant_id_number) if app.applicant_id_number else None,
            submitted_at=app.submitted_at, updated_at=app.updated_at, promised_date=app.promised_date,
            days_left=deadline.working_days_left, urgency=deadline.urgency)

    def work_list(self, staff_id: int, *, source: str = "all", status: str = "all") -> list[CaseRow]:
        """Cases waiting for a counter: kiosk captures, walk-ins, and online cases to check in person."""
        statuses = [Status.SUBMITTED.value, Status.RECEIVED.value, Status.NEEDS_SUPPLEMENT.value]
        if status != "all":
            statuses = [Status(status).value]
        channels = [source] if source in SOURCES else None
        with self.terminal.store.transaction() as session:
            require(self._staff(session, staff_id), Permission.REVIEW)
            apps = worklist.work_list(session, hall_code=self.hall, statuses=statuses, channels=channels)
            return [self._row(a) for a in apps]

    def search(self, staff_id: int, text: str) -> list[CaseRow]:
        with self.terminal.store.transaction() as session:
            require(self._staff(session, staff_id), Permission.REVIEW)
            return [self._row(a) for a in worklist.search(session, text, hall_code=self.hall)
                    if a.status != Status.DRAFT.value]

    def deadlines(self, staff_id: int, *, hall_wide: bool) -> list[CaseRow]:
        """Open cases by urgency; the whole hall needs HALL_DEADLINES, otherwise the cases this person handled."""
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            require(staff, Permission.HALL_DEADLINES if hall_wide else Permission.REVIEW)
            apps = worklist.work_list(session, hall_code=self.hall, statuses=OPEN_STATUSES)
            if not hall_wide:
                mine = set(session.scalars(select(AuditEntry.subject).where(AuditEntry.actor == actor_of(staff))))
                apps = [a for a in apps if a.id in mine]
            rows = [self._row(a) for a in apps]
        order = {Urgency.OVERDUE: 0, Urgency.DUE_SOON: 1, Urgency.ON_TRACK: 2, Urgency.NONE: 3}
        return sorted(rows, key=lambda r: (order[r.urgency], r.days_left if r.days_left is not None else 10**6))

    def case(self, staff_id: int, application_id: str) -> CaseDetail:
        with self.terminal.store.transaction() as session:
            require(self._staff(session, staff_id), Permission.REVIEW)
            return self._detail(session, application_id)

    def _detail(self, session: Any, application_id: str) -> CaseDetail:
        app = session.get(Application, application_id)
        if app is None or app.hall_code != self.hall:
            raise UserFacingError(Message("找不到这份申请。", "This application cannot be found."), code="no_application")
        item = self.terminal.catalog.item(app.service_item_code)
        form: list[tuple[Text, str]] = []
        for key, value in (app.form or {}).items():
            spec = item.field(key) if item else None
            label = spec.label if spec else Text(key, key)
            shown = str(value)
            if spec is not None and spec.type == "id_number":
                shown = mask_id(shown)
            elif spec is not None and spec.type == "choice":
                option = next((o for o in spec.options if o.value == value), None)
                shown = f"{option.label.zh} / {option.label.en}" if option else shown
            form.append((label, shown))
        materials = tuple(
            MaterialView(m.material_code, Text(m.name_zh, m.name_en), m.required, m.review_state, m.review_note,
                         tuple(FileView(f.attachment_sha256, f.attachment.media_type, f.attachment.page_count,
                                        f.original_name) for f in m.files))
            for m in app.materials)
        phone = app.applicant_phone
        return CaseDetail(self._row(app), (phone[:3] + "****" + phone[-4:]) if phone and len(phone) >= 8 else phone,
                          tuple(form), materials, app.status_note)

    def attachment(self, sha256: str) -> bytes:
        """Verified plain bytes (the store checks the hash on the way out)."""
        return self.terminal.attachments.get(sha256)

    # --- review and decisions -------------------------------------------------------------------
    def check_material(self, staff_id: int, application_id: str, code: str, result: str,
                       reason: str | None = None) -> CaseDetail:
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            app = session.get(Application, application_id)
            review.check_material(session, app, code, result, staff=staff, reason=reason)
            session.flush()
            return self._detail(session, application_id)

    def decide(self, staff_id: int, application_id: str, to: str, note: str | None = None, *,
               lang: str = "zh") -> DecisionOutcome:
        """Local first: status, audit row, outbox row and the notice's print job commit together."""
        target = Status(to)
        job_id: int | None = None
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            app = session.get(Application, application_id)
            if app is None:
                raise UserFacingError(Message("找不到这份申请。", "This application cannot be found."),
                                      code="no_application")
            missing = [{"name_zh": m.name_zh, "name_en": m.name_en, "note": m.review_note or ""}
                       for m in app.materials if m.review_state in (review.MaterialCheck.MISSING,
                                                                     review.MaterialCheck.INVALID)]
            decision = review.decide(session, app, target, staff=staff, note=note)
            kind = DECISION_DOCUMENTS.get(target)
            if kind is not None:
                job_id = self._enqueue(session, app.id, kind, lang, missing if kind == "supplement" else None,
                                       actor_of(staff))
            session.flush()
            detail = self._detail(session, application_id)
        if self.sync_worker is not None:
            self.sync_worker.poke()
        printed, message = self._print(job_id, actor=f"staff:{staff_id}") if job_id is not None else (None, None)
        return DecisionOutcome(decision, detail, printed, message)

    def _enqueue(self, session: Any, application_id: str, kind: str, lang: str,
                 missing: list[dict[str, str]] | None, actor: str) -> int | None:
        try:
            from printing.queue import enqueue_document
        except ImportError:  # a build without printing: the decision stands, staff print later
            return None
        return enqueue_document(session, application_id, kind, printer=self.document_printer, lang=lang,
                                missing=missing, actor=actor).id

    def _print(self, job_id: int, *, actor: str) -> tuple[bool, Message]:
        from printing.queue import run_job

        outcome = run_job(self.terminal, job_id, actor=actor)
        if outcome is not None and outcome.printed:
            return True, Message("通知书已送往打印机。", "The notice has been sent to the printer.")
        why = outcome.error if outcome is not None and outcome.error else None
        return False, Message("通知书暂时无法打印，已留在打印队列中，打印机恢复后自动打印。" + (f"（{why.zh}）" if why else ""),
                              "The notice cannot print right now; it stays in the print queue and prints when the "
                              "printer is back." + (f" ({why.en})" if why else ""))

    def reprint(self, staff_id: int, application_id: str, kind: str, *, lang: str = "zh") -> tuple[bool, Message]:
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            require(staff, Permission.REVIEW)
            job_id = self._enqueue(session, application_id, kind, lang, None, actor_of(staff))
        if job_id is None:
            return False, Message("本机不能打印。", "This counter cannot print.")
        return self._print(job_id, actor=f"staff:{staff_id}")

    # --- drafts and walk-ins -------------------------------------------------------------------
    def drafts(self, staff_id: int) -> list[DraftRow]:
        with self.terminal.store.transaction() as session:
            require(self._staff(session, staff_id), Permission.TAKE_APPLICATION)
            rows = []
            for app in worklist.drafts(session, hall_code=self.hall):
                item = self.terminal.catalog.item(app.service_item_code)
                rows.append(DraftRow(app.id, app.service_item_code,
                                     item.name if item else Text(app.service_item_code, app.service_item_code),
                                     app.applicant_name,
                                     mask_id(app.applicant_id_number) if app.applicant_id_number else None,
                                     app.updated_at, sum(len(m.files) for m in app.materials)))
            return sorted(rows, key=lambda r: r.updated_at or datetime.min, reverse=True)

    def load_draft(self, staff_id: int, draft_id: str) -> ApplicationDraft:
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            require(staff, Permission.TAKE_APPLICATION)
            audit.record(session, actor=actor_of(staff), action="draft_resumed", subject=draft_id, details={})
        draft = draft_store.load_draft(self.terminal.store, self.terminal.attachments, draft_id)
        if draft is None:
            raise UserFacingError(Message("该草稿已不存在（可能已被提交或放弃）。",
                                          "This draft no longer exists (it was submitted or discarded)."),
                                  code="no_draft")
        return draft

    def discard_draft(self, staff_id: int, draft_id: str) -> bool:
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            require(staff, Permission.TAKE_APPLICATION)
        return draft_store.discard_draft(self.terminal.store, draft_id, actor=actor_of(staff),
                                         reason="discarded_at_counter")

    def submit_walk_in(self, staff_id: int, draft: ApplicationDraft, draft_id: str | None = None) -> SubmittedApplication:
        with self.terminal.store.transaction() as session:
            staff = self._staff(session, staff_id)
            require(staff, Permission.TAKE_APPLICATION)
            actor = actor_of(staff)
        submitted = self.terminal.submit(draft, channel="counter", actor=actor)
        if draft_id:
            try:
                draft_store.discard_draft(self.terminal.store, draft_id, actor=actor, reason="submitted")
            except Exception:  # noqa: BLE001 - the submission stands; the draft can be discarded by hand
                log.exception("could not close draft %s after the counter submitted it", draft_id)
        if self.sync_worker is not None:
            self.sync_worker.poke()
        return submitted

    def import_files(self, paths: list[Path], spec: MaterialSpec) -> list[MaterialFile]:
        return self._devices.import_files(paths, spec)

    def capture(self, spec: MaterialSpec, source: str) -> MaterialFile:
        return self._devices.capture(spec, source)

    # --- supervisor ------------------------------------------------------------------------------
    def report(self, staff_id: int, date_from: date, date_to: date) -> Any:
        from kiosk.reports import build_report

        catalog = self.terminal.catalog
        with self.terminal.store.transaction() as session:
            require(self._staff(session, staff_id), Permission.DASHBOARD)
            return build_report(session, catalog, default_calendar(), date_from, date_to, today=self._today())

    # --- status ----------------------------------------------------------------------------------
    def sync_view(self) -> SyncView:
        from kiosk.progress import pending_counts

        counts = pending_counts(self.terminal.store)
        if self.sync_worker is None:
            return SyncView(None, counts.outbox, counts.print_jobs, enrolled=False)
        status = self.sync_worker.status()
        return SyncView(None if status.online is None else bool(status.online), counts.outbox, counts.print_jobs,
                        enrolled=not status.enrollment_required)

    def close(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.stop(timeout=5.0)
