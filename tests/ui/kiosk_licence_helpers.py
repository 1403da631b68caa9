"""A licence library at the edge of the kiosk tests: a catalog whose materials accept licences, and a
platform link that answers offers and uses from values the test builds (recording every call).

The use cases between the screen and the link are the real ones (`kiosk.usecases.licences`): they check
the copy's bytes, record the audit rows and filter the offers by the catalog.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kiosk.audit import PlatformHeads
from kiosk.catalog import Text, demo_catalog_path, parse_catalog
from kiosk.catalog_store import install_catalog
from kiosk.licences.identifier import make_identifier
from kiosk.licences.model import (
    NEEDS_LINK, Consent, LicenceCopy, LicenceOffer, LicenceOffers, LicenceRef, LicenceUnavailable,
)
from kiosk.errors import Message
from kiosk.terminal import PlatformAnswer, SyncState, Terminal
from tests.ui.kiosk_helpers import ID_CARD

LICENCE_TYPES = {"id_card": "SFZ", "household_register": "HKB"}
ISSUER_CODE = "11330106002505800A"  # an 18-character unified social credit code


def install_licence_catalog(terminal: Terminal) -> None:
    """The demo catalog with `licence_types` on the ID card item's ID card and household register."""
    document = copy.deepcopy(json.loads(demo_catalog_path().read_text(encoding="utf-8")))
    document["version"] = document["version"] + "-licences"
    for item in document["items"]:
        if str(item["code"]) == ID_CARD:
            for material in item["materials"]:
                if material["code"] in LICENCE_TYPES:
                    material["licence_types"] = [LICENCE_TYPES[material["code"]]]
    catalog = parse_catalog(document)
    with terminal.store.transaction() as session:
        install_catalog(session, catalog, source="test")
    terminal.reload_catalog()


def copy_pdf(title: str) -> bytes:
    """A one-page PDF standing in for the platform's annotated copy (加注件)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 760, title)
    page.showPage()
    page.save()
    return out.getvalue()


def offer(material: str, *, valid_until: date | None, serial: str = "0001") -> LicenceOffer:
    type_code = LICENCE_TYPES[material]
    names = {"SFZ": Text("居民身份证", "Resident ID card"), "HKB": Text("居民户口簿", "Household register")}
    return LicenceOffer(identifier=make_identifier(type_code, ISSUER_CODE, serial), type_code=type_code,
                        type_name=names[type_code], material_code=material, holder_name="张三",
                        issuer_name="杭州市公安局西湖分局", issued_on=date(2021, 5, 20), valid_until=valid_until)


@dataclass
class LicenceLink:
    """The terminal's platform link, enrolled and online, with a licence library of `offers`.

    `refuse` names materials whose use the library refuses (a revoked licence, say); `online` False answers
    as the real link does when the platform cannot be reached (tested with the real link in
    `test_kiosk_licences.py`), for the screenshots."""

    offers: list[LicenceOffer]
    refuse: set[str] = field(default_factory=set)
    online: bool = True
    gate: threading.Event | None = None  # set: answers wait until the test opens it (a slow library)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def poke(self) -> None:
        pass

    def connectivity_changed(self, online: bool) -> None:
        pass

    def state(self) -> SyncState:
        return SyncState(running=False, online=self.online, enrollment_required=False)

    def look_up(self, number: str) -> PlatformAnswer:
        return PlatformAnswer(False)

    def audit_heads(self) -> PlatformHeads:
        return PlatformHeads(False)

    def licence_offers(self, *, id_number: str, service_item: str, application_id: str,
                       consent: Consent) -> LicenceOffers:
        self.calls.append(("offers", {"id_number": id_number, "service_item": service_item,
                                      "application_id": application_id, "consent": consent}))
        if self.gate is not None:
            self.gate.wait(30)
        if not self.online:
            return LicenceOffers(False, note=NEEDS_LINK)
        return LicenceOffers(True, tuple(self.offers))

    def use_licence(self, offer: LicenceOffer, *, id_number: str, application_id: str, service_item: str,
                    consent: Consent, actor: str, use_id: str) -> LicenceCopy:
        self.calls.append(("use", {"material": offer.material_code, "application_id": application_id,
                                   "actor": actor, "use_id": use_id}))
        if offer.material_code in self.refuse:
            raise LicenceUnavailable(Message("该电子证照已被注销。", "This licence has been revoked."),
                                     code="licence_revoked")
        data = copy_pdf(f"copy of {offer.identifier} for {application_id}")
        sha = hashlib.sha256(data).hexdigest()
        ref = LicenceRef(identifier=offer.identifier, type_code=offer.type_code, type_name=offer.type_name,
                         issuer_name=offer.issuer_name, valid_until=offer.valid_until, use_id=use_id, sha256=sha)
        return LicenceCopy(ref=ref, material_code=offer.material_code, data=data, sha256=sha)

    def stop(self, timeout: float = 5.0) -> None:
        pass

