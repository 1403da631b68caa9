"""What a receipt says, gathered from the store once, in plain values.

The layout and the byte encoders only see this, so the same content gives
the thermal receipt, the raster used for comparison, the on-screen fallback
and the A4 receipt copy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from kiosk import glossary
from kiosk.catalog import Catalog
from kiosk.errors import Message
from kiosk.identity import mask_id
from kiosk.licences.refs import ref_from_json, validity
from kiosk.settings import Settings
from kiosk.store.models import Application


@dataclass(frozen=True)
class MaterialLine:
    name_zh: str
    name_en: str
    files: int
    pages: int


@dataclass(frozen=True)
class ReusedLine:
    """A material an electronic licence stood for (已调用电子证照，免提交): the citizen hands nothing in."""

    name_zh: str
    name_en: str
    licence_zh: str
    licence_en: str
    identifier: str
    validity: Message


@dataclass(frozen=True)
class ReceiptContent:
    hall_zh: str
    hall_en: str
    item_zh: str
    item_en: str
    receipt_no: str
    applicant_name: str
    id_masked: str
    submitted_at: datetime | None  # local time
    promised_date: date | None
    materials: tuple[MaterialLine, ...]
    progress_payload: str  # what the QR code holds: the case's status address
    progress_site: str  # where a person types the receipt number
    hall_address_zh: str = ""
    hall_address_en: str = ""
    hall_phone: str = ""
    collect_with: Message = glossary.DEFAULT_COLLECT_WITH  # what to bring when collecting the result
    where: Message | None = None  # the service item's counter, from the catalog
    lang: str = "zh"
    reprint: bool = False
    to_hand_in: tuple[tuple[str, str], ...] = ()  # (zh, en) names of materials to hand in at the counter
    reused: tuple[ReusedLine, ...] = ()  # materials electronic licences stood for (not in `materials`)


def receipt_content(app: Application, settings: Settings, catalog: Catalog | None, *, lang: str | None = None,
                    reprint: bool = False) -> ReceiptContent:
    item = catalog.item(app.service_item_code) if catalog is not None else None
    refs = {m.material_code: ref_from_json(m.licence) for m in app.materials}
    materials = tuple(
        MaterialLine(m.name_zh, m.name_en, len(m.files), sum(f.attachment.page_count for f in m.files))
        for m in app.materials if m.files and refs[m.material_code] is None
    )
    reused = tuple(ReusedLine(m.name_zh, m.name_en, ref.type_name.zh, ref.type_name.en, ref.identifier,
                              validity(ref.valid_until))
                   for m in app.materials if (ref := refs[m.material_code]) is not None)
    payload = settings.status_url(app.receipt_no or "")
    site = urlsplit(payload)
    return ReceiptContent(
        hall_zh=settings.hall_name_zh, hall_en=settings.hall_name_en,
        item_zh=item.name.zh if item else app.service_item_code,
        item_en=item.name.en if item else app.service_item_code,
        receipt_no=app.receipt_no or "", applicant_name=app.applicant_name or "",
        id_masked=mask_id(app.applicant_id_number) if app.applicant_id_number else "",
        submitted_at=app.submitted_at.astimezone() if app.submitted_at else None,
        promised_date=app.promised_date, materials=materials,
        progress_payload=payload, progress_site=site.netloc or payload,
        hall_address_zh=settings.hall_address_zh, hall_address_en=settings.hall_address_en,
        hall_phone=settings.hall_phone, where=item.where.as_message() if item and item.where.zh else None,
        lang=lang or settings.language, reprint=reprint,
        to_hand_in=tuple((m.name_zh, m.name_en) for m in app.materials if m.at_counter), reused=reused,
    )
