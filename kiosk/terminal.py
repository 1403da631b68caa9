"""The terminal as the rest of the software sees it: one object per data dir, passed everywhere.

The kiosk and counter windows, the CLI, the sync engine and the print queue
all act through a `Terminal`: the same settings, store, attachments, catalog
and devices. What the layers above the domain contribute (the platform link
from `sync`, the printers from `printing`) plugs in as typed *parts* through
the `onewindow.terminal_parts` entry points, so the domain never imports the
layers above it and a build without one of them still works, and says so.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kiosk.attachments import AttachmentStore
from kiosk.audit import PlatformHeads
from kiosk.catalog import Catalog
from kiosk.catalog_store import load_current_catalog
from kiosk.devices.base import Scanner
from kiosk.devices.id_card_reader import IdCardReader
from kiosk.errors import Message, Problem
from kiosk.identity import mask_id
from kiosk.licences.model import Consent, LicenceCopy, LicenceOffer, LicenceOffers
from kiosk.lifecycle import LABELS, Status
from kiosk.materials.intake import IntakeLimits
from kiosk.print_jobs import PrintOutcome
from kiosk.processes import Offload
from kiosk.queue.model import HallPart
from kiosk.settings import Settings, load_settings
from kiosk.store import Store, open_store
from kiosk.store.models import Application, ApplicationMaterial, MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication, submit

log = logging.getLogger("onewindow.terminal")
PARTS_GROUP = "onewindow.terminal_parts"


# --- what the parts offer -------------------------------------------------------------------------

@dataclass(frozen=True)
class SyncState:
    """What a screen shows about the link; `online` None means not tried yet."""

    running: bool = False
    online: bool | None = None
    enrollment_required: bool = False
    syncing: bool = False
    pending_items: int = 0
    pending_bytes: int = 0
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    next_attempt_in: float | None = None


@dataclass(frozen=True)
class PlatformAnswer:
    """The platform's word on a case, or why there is none (`note`)."""

    found: bool
    status: str | None = None
    status_note: str | None = None
    case_no: str | None = None
    note: Message | None = None


class SyncPart(Protocol):
    """The link to the platform (`sync.part`)."""

    def poke(self) -> None:
        """Sync soon: after a submission or decision, or when the network comes back."""

    def connectivity_changed(self, online: bool) -> None:
        """The operating system says the network went up or down."""

    def state(self) -> SyncState: ...

    def look_up(self, number: str) -> PlatformAnswer:
        """Ask the platform about a receipt or case number; link trouble is an answer, never an exception."""

    def audit_heads(self) -> PlatformHeads:
        """The audit heads the platform holds for this device (`kiosk.audit`); link trouble is an answer."""

    def licence_offers(self, *, id_number: str, service_item: str, application_id: str,
                       consent: Consent) -> LicenceOffers:
        """Which of the item's materials this citizen already holds as valid licences (`sync.licences`);
        link trouble is an answer (`available` False), never an exception."""

    def use_licence(self, offer: LicenceOffer, *, id_number: str, application_id: str, service_item: str,
                    consent: Consent, actor: str, use_id: str) -> LicenceCopy:
        """Record one use on the platform and fetch its verified annotated copy; idempotent by `use_id`.
        Raises `LicenceUnavailable` (link trouble, refusal, a copy whose signature does not verify)."""

    def stop(self, timeout: float = 5.0) -> None: ...


class PrintPart(Protocol):
    """The printers (`printing.part`)."""

    def print_now(self, job_id: int, *, actor: str) -> PrintOutcome | None:
        """One attempt at a queued job now (the citizen is waiting); None if it is not due or not found."""

    def poke(self) -> None:
        """A job was queued or the printer may be back: the background worker looks at once."""

    def lay_out_documents_with(self, offload: Offload) -> None:
        """Where A4 documents are laid out (reportlab, 100 ms and more of pure Python): a window process says
        `kiosk.processes.call_in_process`, so its GUI thread never waits behind the layout for Python's lock."""

    def prepare_documents(self) -> None:
        """Blocking: load what laying out a notice needs (its CJK font, about a second) where notices are laid
        out, before the first decision waits for it."""

    def prepare_receipts(self) -> None:
        """Blocking: load which font draws which character (a third of a second of pure Python, read from the
        fonts' files), before the first receipt with a rare character in a name waits for it."""

    def stop(self, timeout: float = 5.0) -> None: ...


@dataclass
class Devices:
    """This terminal's capture devices; each may be absent, and the flows say so plainly."""

    scanner: Scanner | None = None
    camera: Scanner | None = None
    id_reader: IdCardReader | None = None


# --- the terminal ---------------------------------------------------------------------------------

@dataclass
class Terminal:
    settings: Settings
    store: Store
    attachments: AttachmentStore
    catalog: Catalog
    devices: Devices = field(default_factory=Devices)
    sync: SyncPart | None = None
    printing: PrintPart | None = None
    hall: HallPart | None = None  # the hall hub's queue (`sync.hall.part`); None: no hub configured

    @classmethod
    def open(cls, settings: Settings | None = None, home: Path | str | None = None, *, parts: bool = True,
             background: bool = False) -> "Terminal":
        """Open the store (migrating it) and load the catalog; `parts` attaches sync and printing, and
        `background` also starts their workers (the windows want them; a one-shot CLI command does not)."""
        settings = settings or load_settings(home)
        store = open_store(settings)
        terminal = cls(settings, store, AttachmentStore(settings.attachments_dir, store.keys.attachments),
                       load_current_catalog(store))
        if parts:
            attach_parts(terminal, background=background)
        return terminal

    def reload_catalog(self) -> Catalog:
        """After sync installed a newer catalog; screens pick it up at their next start."""
        self.catalog = load_current_catalog(self.store)
        return self.catalog

    @property
    def intake_limits(self) -> IntakeLimits:
        return IntakeLimits(max_bytes=self.settings.max_file_bytes)

    def submit(self, draft: ApplicationDraft, *, channel: str, actor: str,
               extra_problems: list[Problem] | None = None) -> SubmittedApplication:
        return submit(self.store, self.attachments, self.catalog, draft, channel=channel, actor=actor,
                      extra_problems=extra_problems)

    def applications(self, statuses: Iterable[str] | None = None) -> list[Application]:
        with self.store.transaction() as session:
            query = (select(Application)
                     .options(selectinload(Application.materials).selectinload(ApplicationMaterial.files)
                              .selectinload(MaterialFile.attachment))
                     .order_by(Application.created_at))
            if statuses is not None:
                query = query.where(Application.status.in_(list(statuses)))
            return list(session.scalars(query))

    def close(self, timeout: float = 5.0) -> None:
        """Stop the parts' workers; the store stays open for the process (one engine per data dir)."""
        for part in (self.sync, self.printing, self.hall):
            if part is not None:
                try:
                    part.stop(timeout)
                except Exception:  # noqa: BLE001 - stopping one part must not keep the others running
                    log.exception("stopping a terminal part failed")


def attach_parts(terminal: Terminal, *, background: bool) -> None:
    """Load every installed part; one that fails to load is logged and left out, never fatal."""
    for ep in sorted(entry_points(group=PARTS_GROUP), key=lambda e: e.name):
        try:
            attach = ep.load()
            attach(terminal, background=background)
        except Exception:  # noqa: BLE001 - a broken part must not stop the citizen's flow
            log.exception("terminal part %s could not be attached", ep.name)


def describe_application(app: Application, catalog: Catalog | None = None) -> dict[str, Any]:
    """A JSON-ready view of an application with ID numbers masked, for listings."""
    item = catalog.item(app.service_item_code) if catalog else None
    form = dict(app.form or {})
    if item is not None:
        for f in item.form:
            if f.type in ("id_number",) and isinstance(form.get(f.key), str):
                form[f.key] = mask_id(form[f.key])
    status = Status(app.status)
    return {
        "id": app.id,
        "receipt_no": app.receipt_no,
        "case_no": app.case_no,
        "service_item": app.service_item_code,
        "service_item_name": {"zh": item.name.zh, "en": item.name.en} if item else None,
        "catalog_version": app.catalog_version,
        "status": status.value,
        "status_label": {"zh": LABELS[status].zh, "en": LABELS[status].en},
        "channel": app.channel,
        "applicant": {
            "name": app.applicant_name,
            "id_type": app.applicant_id_type,
            "id_number": mask_id(app.applicant_id_number) if app.applicant_id_number else None,
            "phone": app.applicant_phone,
        },
        "form": form,
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "promised_date": app.promised_date.isoformat() if app.promised_date else None,
        "content_hash": app.content_hash,
        "materials": [
            {
                "code": m.material_code,
                "name": {"zh": m.name_zh, "en": m.name_en},
                "required": m.required,
                "attachments": [
                    {"sha256": f.attachment_sha256, "size": f.attachment.size, "media_type": f.attachment.media_type,
                     "page_count": f.attachment.page_count, "name": f.original_name}
                    for f in m.files
                ],
            }
            for m in app.materials
        ],
    }
