"""The kiosk's only door to the layers below: store, sync, printing, devices.

Every method blocks and is meant to run in a `ui.jobs` job, never on the
GUI thread. Pieces that belong to other packages (the sync worker, the print
queue, scanners, ID-card readers) are reached through small functions here
that degrade to "not available" when the piece is missing, so the citizen
flow works, and is tested, either way.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import drafts, progress, ratings
from kiosk.catalog import MaterialSpec
from kiosk.errors import Message, UserFacingError
from kiosk.lifecycle import LABELS, Status
from kiosk.materials.intake import MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.kiosk")

NO_PRINTER = Message("本机未连接回执打印机。请记下屏幕上的受理编号，或用手机扫描二维码。",
                     "No receipt printer is set up here. Please note the receipt number on the screen or scan the QR code.")
NO_SCANNER = Message("本机没有可用的扫描仪或高拍仪，请选择“导入文件”或联系工作人员。",
                     "No scanner or document camera is available here; choose 'Import a file' or ask the staff.")


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    message: Message


@dataclass(frozen=True)
class SyncView:
    """What the small indicator shows; `online` None means not known yet."""

    online: bool | None
    pending_items: int
    pending_prints: int
    enrolled: bool


@dataclass(frozen=True)
class LookupResult:
    receipt_no: str
    found: bool
    status: Message | None
    note: str | None
    promised_date: str | None
    source: str  # "platform" or "local"
    platform_note: Message | None


class KioskServices:
    def __init__(self, terminal: Terminal, *, scanner: Any = None, camera: Any = None, id_reader: Any = None,
                 sync_worker: Any = None, online_lookup: bool = True, actor: str | None = None) -> None:
        self.terminal = terminal
        self.scanner = scanner
        self.camera = camera
        self.id_reader = id_reader
        self.sync_worker = sync_worker
        self.online_lookup = online_lookup
        self.actor = actor or f"kiosk:{terminal.settings.device_no}"

    # --- drafts --------------------------------------------------------------------------
    def save_draft(self, snapshot: drafts.DraftSnapshot) -> None:
        drafts.save_draft(self.terminal.store, self.terminal.attachments, snapshot, actor=self.actor)

    def discard_draft(self, draft_id: str, reason: str) -> bool:
        return drafts.discard_draft(self.terminal.store, draft_id, actor=self.actor, reason=reason)

    # --- submission and receipt -------------------------------------------------------------
    def submit(self, draft: ApplicationDraft, draft_id: str | None) -> SubmittedApplication:
        """Store the application locally (never waits for the network), then close the draft."""
        submitted = self.terminal.submit(draft, channel="kiosk", actor=self.actor)
        if draft_id:
            try:
                drafts.discard_draft(self.terminal.store, draft_id, actor=self.actor, reason="submitted")
            except Exception:  # noqa: BLE001 - the submission stands; staff can discard the leftover draft
                log.exception("could not close draft %s after submission", draft_id)
        if self.sync_worker is not None:
            self.sync_worker.poke()
        return submitted

    def print_receipt(self, submitted: SubmittedApplication, lang: str) -> PrintResult:
        settings = self.terminal.settings
        if not settings.printer:
            return PrintResult(False, NO_PRINTER)
        try:
            from printing import queue
        except ImportError:
            return PrintResult(False, NO_PRINTER)
        with self.terminal.store.transaction() as session:
            job = queue.enqueue_receipt(session, submitted.id, printer=settings.printer, lang=lang,
                                        paper_mm=settings.receipt_paper_mm, profile=settings.printer_profile,
                                        actor=self.actor)
            job_id = job.id
        outcome = queue.run_job(self.terminal, job_id, actor=self.actor)
        if outcome is None:
            return PrintResult(False, NO_PRINTER)
        return PrintResult(outcome.printed, outcome.message())

    # --- progress, rating, sync ------------------------------------------------------------
    def lookup(self, text: str) -> LookupResult:
        """Checks the number first (a typo never reaches a look-up); local store, then the platform."""
        from kiosk.receipt_numbers import parse_receipt_no

        number = str(parse_receipt_no(text))
        try:
            from sync.status_lookup import lookup
        except ImportError:
            lookup = None  # type: ignore[assignment]
        if lookup is None:
            local = progress.find_by_receipt(self.terminal.store, number)
            if local is None:
                return LookupResult(number, False, None, None, None, "local", None)
            return LookupResult(number, True, local.label, local.status_note,
                                local.promised_date.isoformat() if local.promised_date else None, "local", None)
        found = lookup(self.terminal, number, online=self.online_lookup)
        best = found.get("platform") or found.get("local")
        note = found.get("platform_error")
        platform_note = Message(note["zh"], note["en"]) if isinstance(note, dict) else None
        if not best:
            return LookupResult(number, False, None, None, None, "local", platform_note)
        try:
            label: Message | None = LABELS[Status(best["status"])]
        except ValueError:
            label = Message(str(best["status"]), str(best["status"]))
        local = found.get("local") or {}
        return LookupResult(number, True, label, best.get("status_note") or best.get("note"),
                            local.get("promised_date"), "platform" if found.get("platform") else "local",
                            platform_note)

    def rate(self, score: int, *, reason_code: str | None = None, comment: str | None = None,
             service_item: str | None = None, application_id: str | None = None) -> None:
        with self.terminal.store.transaction() as session:
            ratings.record_rating(session, score, service_item_code=service_item, application_id=application_id,
                                  reason_code=reason_code, comment=comment, channel="kiosk")

    def sync_view(self) -> SyncView:
        counts = progress.pending_counts(self.terminal.store)
        if self.sync_worker is None:
            return SyncView(None, counts.outbox, counts.print_jobs, enrolled=False)
        status = self.sync_worker.status()
        online = None if status.online is None else bool(status.online)
        return SyncView(online, counts.outbox, counts.print_jobs, enrolled=not status.enrollment_required)

    # --- materials ----------------------------------------------------------------------
    def import_files(self, paths: list[Path], spec: MaterialSpec) -> list[MaterialFile]:
        from kiosk.materials.pipeline import prepare_material_files

        return prepare_material_files(paths, spec, self.terminal.intake_limits)

    def capture(self, spec: MaterialSpec, source: str, timeout: float = 120.0) -> MaterialFile:
        """Scan (flatbed/feeder) or photograph (document camera) one material into one file."""
        from kiosk.devices.base import ScanSettings
        from kiosk.materials.pipeline import material_file_from_pages

        device = self.scanner if source == "scanner" else self.camera
        if device is None:
            raise UserFacingError(NO_SCANNER, code="no_scanner")
        colour = "colour" if spec.colour == "colour" else "grayscale"
        pages = device.scan(ScanSettings(colour=colour)).result(timeout)
        if not pages:
            raise UserFacingError(Message("没有扫描到页面，请放好材料后重试。",
                                          "No page was captured; place the document and try again."), code="no_pages")
        return material_file_from_pages(pages, spec.colour, spec.code)

    def read_id_card(self, timeout: float = 30.0) -> Any:
        if self.id_reader is None:
            from kiosk.devices.id_card_reader import IdCardError

            raise IdCardError("no_device")
        return self.id_reader.read().result(timeout)

    def close(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.stop(timeout=5.0)


def start_sync_worker(terminal: Terminal) -> Any:
    """The sync package's background worker, if this build has one and the terminal is enrolled."""
    try:
        from sync.credentials import load_credential
        from sync.worker import SyncWorker
    except ImportError:
        return None
    if load_credential(terminal.settings) is None:
        return None
    worker = SyncWorker(terminal)
    worker.start()
    return worker
