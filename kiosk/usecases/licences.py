"""Electronic licences standing in for materials, as the kiosk, the counter and the CLI use them
(L2 implements; L3's screens call these).

After identity, and only with the citizen's consent on screen, the terminal asks the platform which of
the item's materials the citizen already holds as valid licences (`ask_offers`). The ones the citizen
takes are used (`use_offers`): each use is recorded on the platform and in this terminal's audit, and its
annotated copy (加注件) becomes the material's file, so the material is "已调用电子证照，免提交". Offline,
`ask_offers` answers `available=False` and the step says `NEEDS_LINK`: the paper is captured as today.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import audit
from kiosk.catalog import ServiceItem
from kiosk.errors import Message, UserFacingError
from kiosk.identity import InvalidIdentity, parse_resident_id
from kiosk.licences import pin
from kiosk.licences.model import NEEDS_LINK, Consent, LicenceOffer, LicenceOffers, LicenceRef, LicenceUnavailable
from kiosk.materials.intake import MaterialFile, MaterialRefused, check_bytes
from kiosk.staff import Permission, actor_of
from kiosk.store.models import AuditEntry
from kiosk.terminal import Terminal
from kiosk.usecases.staff import current_staff

# a use's id follows from what it is for (`use_id_for`)
USE_NAMESPACE = uuid.UUID("6f0c1f52-5a1e-4d43-9a0e-4c1b8f3e7a21")
NO_CONSENT = Message("未经您同意，本机不会查询或调用您的电子证照。请照常提交纸质材料。",
                     "Without your consent this terminal neither looks up nor uses your electronic licences. "
                     "Please hand in the paper as usual.")


@dataclass(frozen=True)
class ReusedMaterial:
    """One material an electronic licence stands for: the session puts `file` under `material_code` in its
    materials and `ref` under the same code in its licences (`ApplicationDraft.licences`)."""

    material_code: str
    ref: LicenceRef
    file: MaterialFile


class LicenceUseFailed(LicenceUnavailable):
    """One use failed: its message names the material; `used` holds the materials used before it (they stay
    used: put them in the session like any other result), the rest go on paper."""

    def __init__(self, message: Message, *, code: str, material_code: str,
                 used: list[ReusedMaterial] | None = None) -> None:
        super().__init__(message, code=code)
        self.material_code = material_code
        self.used: list[ReusedMaterial] = list(used or [])


@dataclass(frozen=True)
class _Checked:
    item: ServiceItem
    id_number: str
    application_id: str
    consent: Consent


def _check(t: Terminal, *, id_number: str, service_item: str, application_id: str, consent: Consent | None) -> _Checked:
    """Bad input is refused before anything is asked or recorded: the message says what is wrong."""
    if not isinstance(consent, Consent):
        raise UserFacingError(NO_CONSENT, code="licence_no_consent")
    item = t.catalog.item(str(service_item))
    if item is None:
        raise UserFacingError(Message(f"没有编码为“{service_item}”的办理事项。",
                                      f"There is no service item with code '{service_item}'."), code="no_item")
    try:
        resident = parse_resident_id(str(id_number))
    except InvalidIdentity as exc:
        raise UserFacingError(exc.message, code="licence_bad_id_number") from None
    try:
        application = str(uuid.UUID(str(application_id)))
    except ValueError:
        raise UserFacingError(Message("申请编号必须是 UUID。", "The application id must be a UUID."),
                              code="licence_bad_application_id") from None
    return _Checked(item, resident.number, application, consent)


def _accepts(item: ServiceItem, offer: LicenceOffer) -> bool:
    spec = item.material(offer.material_code)
    return spec is not None and offer.type_code in spec.licence_types


def ask_offers(t: Terminal, *, id_number: str, service_item: str, application_id: str,
               consent: Consent) -> LicenceOffers:
    """One offer per material at most (the longest valid), in the item's order; only materials whose
    catalog entry lists the licence's type, and only licences valid today, whatever the platform says.
    An item none of whose materials a licence can stand for asks nobody."""
    c = _check(t, id_number=id_number, service_item=service_item, application_id=application_id, consent=consent)
    if not any(spec.licence_types for spec in c.item.materials):
        answer = LicenceOffers(True)
    elif t.sync is None:
        answer = LicenceOffers(False, note=NEEDS_LINK)
    else:
        answer = t.sync.licence_offers(id_number=c.id_number, service_item=c.item.code,
                                       application_id=c.application_id, consent=c.consent)
    today = date.today()
    best: dict[str, LicenceOffer] = {}
    for offer in answer.offers if answer.available else ():
        if not _accepts(c.item, offer) or (offer.valid_until is not None and offer.valid_until < today):
            continue
        held = best.get(offer.material_code)
        if held is None or (held.valid_until is not None
                            and (offer.valid_until is None or offer.valid_until > held.valid_until)):
            best[offer.material_code] = offer
    offers = tuple(best[s.code] for s in c.item.materials if s.code in best)
    with t.store.transaction() as session:
        audit.record(session, actor=c.consent.by, action="licence_consent", subject=c.application_id,
                     details={"service_item": c.item.code, "consent_text": c.consent.text_version,
                              "given_at": c.consent.given_at.isoformat(), "available": answer.available,
                              "offers": [o.identifier for o in offers]})
    return LicenceOffers(answer.available, offers, answer.note)


def _recorded(session: Session, application_id: str, use_id: str) -> bool:
    details = session.scalars(select(AuditEntry.details).where(AuditEntry.action == "licence_used",
                                                               AuditEntry.subject == application_id))
    return any(isinstance(d, dict) and d.get("use_id") == use_id for d in details)


def use_id_for(application_id: str, offer: LicenceOffer, consent: Consent, actor: str) -> str:
    """The same use asked again (a retry after a lost answer, a second tap) has the same id and is one use on
    the platform; a use under another consent or by another actor is another use, recorded as such."""
    given = consent.given_at.isoformat()
    return str(uuid.uuid5(USE_NAMESPACE, "/".join((application_id, offer.material_code, offer.identifier, given,
                                                   consent.by, consent.text_version, actor))))


def use_offers(t: Terminal, offers: Sequence[LicenceOffer], *, id_number: str, service_item: str,
               application_id: str, consent: Consent, actor: str) -> list[ReusedMaterial]:
    """Use each offer (one per material); raises `LicenceUnavailable` naming the material that failed, after
    which the materials already used stay used and the rest go on paper.

    `application_id` is the id the application will be submitted under (each copy is made out to it, and
    `submit` takes it from the licences when the draft names none); never a draft's own id, which
    `kiosk.drafts` keeps apart from the application's."""
    c = _check(t, id_number=id_number, service_item=service_item, application_id=application_id, consent=consent)
    seen: set[str] = set()
    for offer in offers:
        if not isinstance(offer, LicenceOffer) or not _accepts(c.item, offer):
            code = getattr(offer, "material_code", "?")
            raise UserFacingError(Message(f"材料“{code}”不能用这种电子证照代替。",
                                          f"The material '{code}' cannot be replaced by this kind of licence."),
                                  code="licence_not_accepted")
        if offer.material_code in seen:
            raise UserFacingError(Message(f"材料“{offer.material_code}”只能调用一个电子证照。",
                                          f"Only one licence can stand for the material '{offer.material_code}'."),
                                  code="licence_twice")
        seen.add(offer.material_code)
    used: list[ReusedMaterial] = []
    for offer in offers:
        spec = c.item.material(offer.material_code)
        assert spec is not None
        use_id = use_id_for(c.application_id, offer, c.consent, actor)
        try:
            if t.sync is None:
                raise LicenceUnavailable(NEEDS_LINK, code="licence_offline")
            copy = t.sync.use_licence(offer, id_number=c.id_number, application_id=c.application_id,
                                      service_item=c.item.code, consent=c.consent, actor=actor, use_id=use_id)
            file = check_bytes(f"{spec.name.zh}（电子证照加注件）.pdf", copy.data, t.intake_limits)
            copy = replace(copy, ref=replace(copy.ref, application_id=c.application_id))
            if file.media_type != "application/pdf" or copy.sha256 != copy.ref.sha256:
                raise LicenceUnavailable(Message("电子证照加注件不是所需的 PDF 文件。",
                                                 "The licence's annotated copy is not the expected PDF."),
                                         code="licence_copy_refused")
        except (LicenceUnavailable, MaterialRefused) as exc:
            with t.store.transaction() as session:
                audit.record(session, actor=actor, action="licence_use_failed", subject=c.application_id,
                             details={"identifier": offer.identifier, "material": offer.material_code,
                                      "use_id": use_id, "code": exc.code})
            raise LicenceUseFailed(Message(f"材料“{spec.name.zh}”未能调用电子证照，请提交纸质材料：{exc.message.zh}",
                                           f"The licence for '{spec.name.en}' could not be used; please hand in "
                                           f"the paper: {exc.message.en}"),
                                   code=exc.code, material_code=offer.material_code, used=used) from exc
        with t.store.transaction() as session:
            if _recorded(session, c.application_id, copy.ref.use_id):
                used.append(ReusedMaterial(offer.material_code, copy.ref, file))
                continue  # the same use asked again: the platform kept one, so does the audit
            audit.record(session, actor=actor, action="licence_used", subject=c.application_id,
                         details={"identifier": copy.ref.identifier, "type_code": copy.ref.type_code,
                                  "material": offer.material_code, "service_item": c.item.code,
                                  "use_id": copy.ref.use_id, "copy_sha256": copy.sha256,
                                  "reason": f"instead of material {offer.material_code} of {c.item.code}",
                                  "consent_text": c.consent.text_version, "consent_by": c.consent.by})
        used.append(ReusedMaterial(offer.material_code, copy.ref, file))
    return used


def forget_signing_key(t: Terminal, staff_id: int) -> bool:
    """An administrator clears the pinned licence signing key after the platform's administrator confirmed a
    real change (the next use pins the platform's key again); audited. False when none was pinned."""
    with t.store.transaction() as session:
        staff = current_staff(session, staff_id, Permission.MANAGE_STAFF)
        old = pin.forget_pinned_key(session)
        if old is None:
            return False
        audit.record(session, actor=actor_of(staff), action="licence_key_forgotten", subject=old.key_id,
                     details={"public_key": old.public_key})
        return True
