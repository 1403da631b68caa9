"""What one A4 document says, read from the store in plain values (no reportlab here).

`document_facts` runs inside the caller's session and takes a millisecond;
the layout (`printing.pdf.documents.render_document`) takes the facts and
no session, so a window process can run it in its worker process
(`kiosk.processes`) and its GUI thread never waits behind reportlab for
Python's lock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.catalog import Catalog
from kiosk.errors import Message
from kiosk.identity import mask_id
from kiosk.notices import NoticeNotAllowed, require_notice_allowed, supplement_deadline
from kiosk.settings import Settings
from kiosk.store.models import Application
from printing.errors import DocumentUnavailable
from printing.receipt.content import ReceiptContent, receipt_content

TITLES: dict[str, Message] = {
    "form": Message("政务服务事项申请表", "Application Form"),
    "acceptance": Message("受理通知书", "Notice of Acceptance"),
    "supplement": Message("补正材料通知书", "Notice of Materials to Supplement"),
    "receipt_copy": Message("受理回执（存根）", "Application Receipt (copy)"),
}


@dataclass(frozen=True)
class MaterialFacts:
    name_zh: str
    name_en: str
    required: bool
    licence: bool  # an electronic licence stood for it: nothing handed in
    files: int
    pages: int
    review_state: str


@dataclass(frozen=True)
class MissingMaterial:
    name_zh: str
    name_en: str
    note: str


@dataclass(frozen=True)
class DocumentFacts:
    """Everything one document says, read from the store: picklable, so the layout can run in another process."""

    kind: str
    lang: str
    content: ReceiptContent
    applicant_phone: str
    fields: tuple[tuple[str, str], ...]  # the form's rows (label, value) in the document's language
    materials: tuple[MaterialFacts, ...]
    missing: tuple[MissingMaterial, ...] = ()  # a supplement notice's materials
    supplement_due: date | None = None


def in_language(lang: str, zh: str, en: str) -> str:
    """Chinese, with the English after it when the document is in English."""
    return f"{zh} {en}" if lang == "en" else zh


def _field_rows(app: Application, catalog: Catalog | None, lang: str) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    form = dict(app.form or {})
    item = catalog.item(app.service_item_code) if catalog else None
    fields = list(item.form) if item else []
    known = {f.key for f in fields}
    for f in fields:
        value = form.get(f.key)
        if value is None or value == "":
            shown = "—"
        elif f.type == "choice":
            option = next((o for o in f.options if o.value == value), None)
            shown = in_language(lang, option.label.zh, f"({option.label.en})") if option else str(value)
        elif f.type == "id_number":
            shown = mask_id(str(value))
        else:
            shown = str(value)
        rows.append((in_language(lang, f.label.zh, f.label.en), shown))
    for key in sorted(set(form) - known):  # fields of an older catalog version: keep them visible
        rows.append((in_language(lang, "其他填写内容", f"Other ({key})"), str(form[key])))
    return tuple(rows)


def missing_materials(app: Application, explicit: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The materials to supplement: the explicit list, else those reviewed as 'missing', else required ones without files."""
    if explicit:
        return [{"name_zh": str(m.get("name_zh") or m.get("name") or ""), "name_en": str(m.get("name_en") or ""),
                 "note": str(m.get("note") or "")} for m in explicit]
    marked = [m for m in app.materials if m.review_state == "missing"]
    if not marked:
        marked = [m for m in app.materials if m.required and not m.files]
    return [{"name_zh": m.name_zh, "name_en": m.name_en, "note": m.review_note or ""} for m in marked]


def document_facts(kind: str, app: Application, settings: Settings, catalog: Catalog | None, *, lang: str = "zh",
                   missing: list[dict[str, str]] | None = None) -> DocumentFacts:
    """What the document says, from the store (inside the caller's session); raises DocumentUnavailable when
    it cannot be made."""
    if kind not in TITLES:
        raise ValueError(kind)
    try:
        require_notice_allowed(app, kind)  # also for a job queued before the case changed
    except NoticeNotAllowed as exc:
        raise DocumentUnavailable(exc.message) from None
    to_supplement: tuple[MissingMaterial, ...] = ()
    due: date | None = None
    if kind == "supplement":
        to_supplement = tuple(MissingMaterial(m["name_zh"], m["name_en"], m["note"])
                              for m in missing_materials(app, missing))
        if not to_supplement:
            raise DocumentUnavailable(Message(f"申请 {app.receipt_no} 没有需要补正的材料记录，无法出具补正通知书。",
                                              f"Application {app.receipt_no} has no material marked as missing; "
                                              "there is nothing to put in a supplement notice."))
        due = supplement_deadline(app, settings.supplement_days)
    materials = tuple(MaterialFacts(m.name_zh, m.name_en, bool(m.required), bool(m.licence), len(m.files),
                                    sum(f.attachment.page_count for f in m.files), str(m.review_state))
                      for m in app.materials)
    return DocumentFacts(kind=kind, lang=lang, content=receipt_content(app, settings, catalog, lang=lang),
                         applicant_phone=app.applicant_phone or "", fields=_field_rows(app, catalog, lang),
                         materials=materials, missing=to_supplement, supplement_due=due)
