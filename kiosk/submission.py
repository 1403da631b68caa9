"""Submitting an application: all of it, or none of it.

Order matters for a power cut at any moment:
0. the terminal's device number is known and the application document
   (what goes to the platform) is built and validated first, so a refusal
   leaves nothing behind;
1. every attachment is written and fsynced under its hash (harmless if
   nothing ever refers to it);
2. one transaction writes the application, its materials, the attachment
   rows, the outbox row that will carry it to the platform and the audit row;
   SQLite in WAL mode with synchronous=FULL makes the commit durable.
A crash before 2 commits leaves no application; after, the whole one.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit, outbox, visits
from kiosk.application_document import ApplicationDocument, LicenceDetail, build_document, display_name
from kiosk.attachments import AttachmentStore, sha256_hex
from kiosk.catalog import Catalog, ServiceItem
from kiosk.device_identity import device_no_for_receipts
from kiosk.errors import Message, Problem, UserFacingError, ValidationFailed
from kiosk.forms import check_applicant, check_form
from kiosk.licences.identifier import InvalidIdentifier, parse_identifier
from kiosk.licences.model import LicenceRef
from kiosk.licences.refs import ref_to_json
from kiosk.lifecycle import Status
from kiosk.materials.intake import MaterialFile
from kiosk.receipt_numbers import next_receipt_no
from kiosk.store import Store
from kiosk.store.models import Application, ApplicationMaterial, Attachment, MaterialFile as MaterialFileRow
from kiosk.outbox import OutboxKind
from kiosk.store.models import utcnow
from kiosk.workdays import default_calendar


@dataclass
class ApplicationDraft:
    """What a citizen has entered, before it is checked."""

    service_item: str
    applicant: dict[str, Any]
    form: dict[str, Any]
    materials: dict[str, list[MaterialFile]] = field(default_factory=dict)
    id: str | None = None
    # materials the citizen will hand in at the counter, where the kiosk had no way to capture them
    at_counter: list[str] = field(default_factory=list)
    # materials an electronic licence stood for (consent given); each has the annotated copy as its file
    licences: dict[str, LicenceRef] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedDraft:
    item: ServiceItem
    applicant: dict[str, str]
    form: dict[str, Any]
    materials: dict[str, list[MaterialFile]]
    at_counter: frozenset[str] = frozenset()
    licences: dict[str, LicenceRef] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmittedApplication:
    id: str
    receipt_no: str
    promised_date: date
    service_item: str
    duplicate: bool = False


class ApplicationConflict(UserFacingError):
    def __init__(self, application_id: str) -> None:
        super().__init__(Message(f"编号为 {application_id} 的申请已存在且内容不同，未覆盖。",
                                 f"Application {application_id} already exists with different content; "
                                 "nothing was overwritten."), code="conflict")


def check_draft(catalog: Catalog, draft: ApplicationDraft, *, max_files_per_material: int = 20,
                extra_problems: list[Problem] | None = None) -> CheckedDraft:
    """Every rule a kiosk, a counter or the CLI applies; raises with every problem at once."""
    problems: list[Problem] = list(extra_problems or [])
    item = catalog.item(str(draft.service_item)) if draft.service_item else None
    if item is None:
        problems.append(Problem("service_item", Message(f"没有编码为“{draft.service_item}”的办理事项。",
                                                        f"There is no service item with code '{draft.service_item}'.")))
    applicant, applicant_problems = check_applicant(draft.applicant)
    problems += applicant_problems
    form: dict[str, Any] = {}
    if item is not None:
        form, form_problems = check_form(item, draft.form)
        problems += form_problems
        for code in draft.materials:
            if item.material(code) is None:
                problems.append(Problem(f"materials.{code}", Message(f"该事项不需要材料“{code}”。",
                                                                     f"This service item has no material '{code}'.")))
        at_counter = {str(code) for code in draft.at_counter}
        for code in sorted(at_counter):
            if item.material(str(code)) is None:
                problems.append(Problem(f"at_counter.{code}", Message(f"该事项不需要材料“{code}”。",
                                                                      f"This service item has no material '{code}'.")))
        for spec in item.materials:
            files = draft.materials.get(spec.code, [])
            if spec.code in at_counter and files:
                problems.append(Problem(f"materials.{spec.code}",
                                        Message(f"材料“{spec.name.zh}”已有文件，不能同时标为到窗口提交。",
                                                f"'{spec.name.en}' has files; it cannot also be handed in at the "
                                                "counter.")))
            if spec.required and not files and spec.code not in at_counter:
                problems.append(Problem(f"materials.{spec.code}",
                                        Message(f"缺少必交材料“{spec.name.zh}”。",
                                                f"The required material '{spec.name.en}' is missing.")))
            if len(files) > max_files_per_material:
                problems.append(Problem(f"materials.{spec.code}",
                                        Message(f"材料“{spec.name.zh}”最多{max_files_per_material}个文件。",
                                                f"'{spec.name.en}' takes at most {max_files_per_material} files.")))
    if item is not None:
        problems += _licence_problems(item, draft, at_counter)
    if draft.id is not None:
        try:
            uuid.UUID(str(draft.id))
        except ValueError:
            problems.append(Problem("id", Message("申请编号必须是 UUID。", "The application id must be a UUID.")))
    if problems:
        raise ValidationFailed(problems)
    assert item is not None
    return CheckedDraft(item=item, applicant=applicant, form=form,
                        materials={s.code: list(draft.materials.get(s.code, [])) for s in item.materials},
                        at_counter=frozenset(s.code for s in item.materials if s.code in at_counter),
                        licences={s.code: draft.licences[s.code] for s in item.materials if s.code in draft.licences})


def _licence_problems(item: ServiceItem, draft: ApplicationDraft, at_counter: set[str]) -> list[Problem]:
    """A material a licence stood for holds exactly that licence's annotated copy, and the licence is of a
    type the catalog lets stand for it: anything else would send the platform a claim the files do not back."""
    problems: list[Problem] = []
    made_for = {ref.application_id for ref in draft.licences.values() if isinstance(ref, LicenceRef)
                and ref.application_id}
    if len(made_for) > 1 or (made_for and draft.id is not None and str(draft.id).lower() not in made_for):
        problems.append(Problem("licences", Message("电子证照是为另一份申请调用的，不能用于这份申请。",
                                                    "The licences were used for another application; they cannot "
                                                    "stand for materials of this one.")))
    for code, ref in sorted(draft.licences.items(), key=lambda kv: str(kv[0])):
        spec = item.material(str(code))
        where = f"licences.{code}"
        if spec is None:
            problems.append(Problem(where, Message(f"该事项不需要材料“{code}”。",
                                                   f"This service item has no material '{code}'.")))
            continue
        if not isinstance(ref, LicenceRef):
            problems.append(Problem(where, Message(f"材料“{spec.name.zh}”的电子证照信息无效。",
                                                   f"The licence record of '{spec.name.en}' is not valid.")))
            continue
        try:
            parsed = parse_identifier(ref.identifier)
        except InvalidIdentifier as exc:
            problems.append(Problem(where, exc.message))
            continue
        if ref.type_code not in spec.licence_types or parsed.licence_type != ref.type_code:
            problems.append(Problem(where, Message(f"材料“{spec.name.zh}”不能用这种电子证照代替。",
                                                   f"'{spec.name.en}' cannot be replaced by this kind of licence.")))
        try:
            uuid.UUID(ref.use_id)
        except (ValueError, TypeError, AttributeError):
            problems.append(Problem(where, Message(f"材料“{spec.name.zh}”的电子证照调用记录编号无效。",
                                                   f"The licence use id of '{spec.name.en}' is not valid.")))
        if spec.code in at_counter:
            problems.append(Problem(where, Message(f"材料“{spec.name.zh}”已调用电子证照，不能同时标为到窗口提交。",
                                                   f"'{spec.name.en}' is covered by a licence; it cannot also be "
                                                   "handed in at the counter.")))
        files = draft.materials.get(spec.code, [])
        if (len(files) != 1 or files[0].media_type != "application/pdf" or not ref.sha256
                or sha256_hex(files[0].data) != ref.sha256):
            problems.append(Problem(where, Message(
                f"材料“{spec.name.zh}”已调用电子证照，只能附该证照的加注件，不能有其他文件。",
                f"'{spec.name.en}' is covered by a licence: it must hold that licence's annotated copy and "
                "nothing else.")))
    return problems


def with_licences(document: ApplicationDocument, licences: dict[str, LicenceRef]) -> ApplicationDocument:
    """The document with each licence material's `licence` detail (not part of the content hash: the
    content names the copy's hash already)."""
    if not licences:
        return document
    details = []
    for detail in document.materials_detail:
        ref = licences.get(detail.code)
        if ref is not None:
            detail = detail.model_copy(update={"licence": LicenceDetail.model_validate({
                "identifier": ref.identifier, "type_code": ref.type_code,
                "type_name": {"zh": ref.type_name.zh, "en": ref.type_name.en}, "issuer_name": ref.issuer_name,
                "valid_until": ref.valid_until, "use_id": ref.use_id})})
        details.append(detail)
    return document.model_copy(update={"materials_detail": details})


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now().astimezone()).astimezone().date()


def submit(store: Store, attachments: AttachmentStore, catalog: Catalog, draft: ApplicationDraft, *,
           channel: str, actor: str, extra_problems: list[Problem] | None = None,
           now: datetime | None = None) -> SubmittedApplication:
    settings = store.settings
    checked = check_draft(catalog, draft, max_files_per_material=settings.max_files_per_material,
                          extra_problems=extra_problems)
    made_for = sorted({ref.application_id for ref in checked.licences.values() if ref.application_id})
    application_id = str(draft.id or (made_for[0] if made_for else uuid.uuid4()))
    submitted_at = now or utcnow()
    today = local_today(submitted_at)
    promised = default_calendar().add_working_days(today, checked.item.promised_limit_days)
    files = {code: [(sha256_hex(f.data), f) for f in material_files]
             for code, material_files in checked.materials.items()}
    # 0. the device number (a terminal without one cannot issue receipts) and the document are settled,
    #    and so validated, before anything is written
    with store.transaction() as session:
        device_no = device_no_for_receipts(session, settings)
    document = build_document(application_id=application_id, hall_code=settings.hall_code,
                              device_no=device_no, receipt_no=None, channel=channel,
                              submitted_at=submitted_at, promised_date=promised, item=checked.item,
                              catalog_version=catalog.version, applicant=checked.applicant, form=checked.form,
                              files=files, at_counter=checked.at_counter)
    document = with_licences(document, checked.licences)
    # 1. bytes first, fsynced
    hashes: dict[str, list[str]] = {code: [attachments.put(f.data) for _, f in entries]
                                    for code, entries in files.items()}
    digest = document.content_hash

    # 2. one transaction for everything that refers to them
    with store.transaction() as session:
        existing = session.get(Application, application_id)
        if existing is not None:
            if existing.content_hash == digest and existing.receipt_no:
                return SubmittedApplication(existing.id, existing.receipt_no, existing.promised_date or promised,
                                            existing.service_item_code, duplicate=True)
            raise ApplicationConflict(application_id)
        receipt = next_receipt_no(session, settings.hall_code, device_no, today)
        document = document.model_copy(update={"receipt_no": str(receipt)})
        app = Application(
            id=application_id, receipt_no=str(receipt), service_item_code=checked.item.code,
            catalog_version=catalog.version, status=Status.SUBMITTED.value, channel=channel,
            hall_code=settings.hall_code, device_no=device_no,
            applicant_name=checked.applicant["name"], applicant_id_type=checked.applicant["id_type"],
            applicant_id_number=checked.applicant["id_number"], applicant_phone=checked.applicant["phone"] or None,
            form=checked.form, content_hash=digest, promised_date=promised,
            created_at=submitted_at, submitted_at=submitted_at, updated_at=submitted_at,
        )
        session.add(app)
        _add_materials(session, app, checked, hashes)
        visits.record_submission(session, app, actor)  # handed in at the hall: the first visit (online: none)
        outbox.enqueue(session, OutboxKind.APPLICATION, app.id, document.wire())
        details = {"receipt_no": str(receipt), "service_item": checked.item.code, "channel": channel}
        if checked.licences:
            details["licences"] = {code: ref.use_id for code, ref in checked.licences.items()}
        audit.record(session, actor=actor, action="submitted", subject=app.id, details=details)
    return SubmittedApplication(application_id, str(receipt), promised, checked.item.code)


def _add_materials(session: Session, app: Application, checked: CheckedDraft, hashes: dict[str, list[str]]) -> None:
    """The attachment rows are looked up in one query and new ones flushed with the rest (the unit of work
    inserts them before the file rows that refer to them): a query and a flush per file was most of a
    submission's Python, on a thread whose every millisecond the GUI thread may wait for."""
    wanted = {sha for shas in hashes.values() for sha in shas}
    known = {row.sha256: row for row in session.scalars(select(Attachment).where(Attachment.sha256.in_(wanted)))}
    for position, spec in enumerate(checked.item.materials):
        material = ApplicationMaterial(material_code=spec.code, name_zh=spec.name.zh, name_en=spec.name.en,
                                       required=spec.required, position=position,
                                       at_counter=spec.code in checked.at_counter,
                                       licence=ref_to_json(checked.licences[spec.code])
                                       if spec.code in checked.licences else None)
        app.materials.append(material)
        for index, (file, sha) in enumerate(zip(checked.materials[spec.code], hashes[spec.code])):
            row = known.get(sha)
            if row is None:  # (the same file under two materials is one attachment row)
                known[sha] = Attachment(sha256=sha, size=len(file.data), media_type=file.media_type,
                                        page_count=file.page_count)
                session.add(known[sha])
            elif row.purged_at is not None:
                row.purged_at = None  # the bytes were written again above: the file exists once more
            material.files.append(MaterialFileRow(attachment_sha256=sha, position=index, original_name=display_name(file.name)))
