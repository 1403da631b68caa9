"""One citizen's visit, held in plain Python so it can be wiped in one place.

Widgets show it; the draft saver persists it; `wipe()` drops every
reference when the visit ends (finished, cancelled or idle), so nothing the
citizen typed or scanned stays in memory for the next person.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store layer loads in the background; this module must import fast
    from kiosk.catalog import ServiceItem
    from kiosk.devices.id_card_reader import IdCardData
    from kiosk.drafts import DraftSnapshot
    from kiosk.licences.model import Consent, LicenceOffers, LicenceRef
    from kiosk.materials.intake import MaterialFile
    from kiosk.submission import ApplicationDraft, SubmittedApplication


@dataclass
class CitizenSession:
    item: ServiceItem | None = None
    draft_id: str | None = None
    applicant: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    materials: dict[str, list[MaterialFile]] = field(default_factory=dict)
    at_counter: set[str] = field(default_factory=set)  # materials to hand in at the counter (no capture device)
    submitted: SubmittedApplication | None = None
    card: IdCardData | None = None  # the ID card read in this visit (its answers fill the form)
    # Electronic licences (`ui.kiosk.screens.licence_consent`): the citizen's yes on screen, the platform's
    # answer, and the materials a licence stood for (each also has the annotated copy in `materials`).
    # `licence_holder` is the ID number they were asked for: another number typed later voids them all.
    application_id: str | None = None  # the id the application is submitted under; uses of licences name it
    licence_consent: Consent | None = None
    licence_declined: bool = False
    licence_offers: LicenceOffers | None = None
    licence_holder: str | None = None
    licences: dict[str, LicenceRef] = field(default_factory=dict)

    def start(self, item: ServiceItem) -> None:
        self.wipe()
        from kiosk.drafts import new_draft_id

        self.item = item
        self.draft_id = new_draft_id()
        self.application_id = str(uuid.uuid4())

    @property
    def has_personal_data(self) -> bool:
        return bool(any(self.applicant.values()) or any(self.form.values()) or any(self.materials.values())
                    or self.submitted)

    def snapshot(self, catalog_version: str) -> DraftSnapshot | None:
        from kiosk.drafts import DraftSnapshot

        if self.item is None or self.draft_id is None:
            return None
        return DraftSnapshot(draft_id=self.draft_id, service_item=self.item.code, catalog_version=catalog_version,
                             applicant=dict(self.applicant), form=dict(self.form),
                             materials={k: list(v) for k, v in self.materials.items() if v},
                             at_counter=frozenset(self.at_counter), licences=dict(self.licences))

    def to_draft(self) -> ApplicationDraft:
        from kiosk.submission import ApplicationDraft

        assert self.item is not None
        applicant = {"name": self.applicant.get("name", ""), "id_type": "resident",
                     "id_number": self.applicant.get("id_number", ""), "phone": self.applicant.get("phone", "")}
        form = {k: v for k, v in self.form.items() if v not in ("", None)}
        return ApplicationDraft(service_item=self.item.code, applicant=applicant, form=form,
                                materials={k: list(v) for k, v in self.materials.items()},
                                at_counter=sorted(self.at_counter), id=self.application_id,
                                licences=dict(self.licences))

    def forget_licences(self) -> None:
        """Drop the consent, the answer and every licence used (with its copy): the citizen takes the step
        again, e.g. after correcting the ID number. A use already recorded on the platform stays recorded."""
        for code in self.licences:
            files = self.materials.get(code)
            if files is not None:
                files.clear()
        self.licences.clear()
        self.licence_consent = None
        self.licence_declined = False
        self.licence_offers = None
        self.licence_holder = None

    def wipe(self) -> None:
        for files in self.materials.values():
            files.clear()
        self.applicant.clear()
        self.form.clear()
        self.materials.clear()
        self.at_counter.clear()
        self.forget_licences()
        self.application_id = None
        self.item = None
        self.draft_id = None
        self.submitted = None
        self.card = None
        # The citizen's strings and file bytes go as their last references go (just above). A full garbage
        # collection here would only find cycles of widgets, and it stalled the screen for 130 ms at every
        # session's end; `ui.threads` collects those on the GUI thread in its own time.
