"""The reference platform's licence library (GB/T 36901–36905): holdings, offers, uses and annotated copies.

It stands in for a province's electronic licence library. A terminal, with the citizen's consent, asks
which of a service item's materials the citizen's VALID licences can stand for (the published catalog's
`licence_types` decide), then records each use; the library answers a use with an annotated copy (加注件)
made for that application alone, signed, and owned by the hall that asked, so the hall fetches it like any
file. Every query and use is in the platform's audit chain, and every use is a row (who, which case, which
licence, why, under which consent words). A use is idempotent by the terminal's `use_id`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.assets import asset
from kiosk.catalog import Catalog, ServiceItem
from kiosk.errors import Message, UserFacingError
from kiosk.identity import InvalidIdentity, mask_id, parse_resident_id
from kiosk.licences.identifier import make_identifier, parse_identifier
from kiosk.licences.model import CONSENT_TEXT_VERSION
from sync import wire_licences as wl
from sync.server import licence_pdf, platform_audit
from sync.server.db import PlatformStore
from sync.server.licence_signing import signing_key
from sync.server.licences_models import Licence, LicenceUse
from sync.server.models import Blob, Device, HallBlob, utcnow
from sync.server.online import published_catalog

#: the consent words the library knows; a query or use under other words is refused (the audit must name them)
KNOWN_CONSENT_VERSIONS = frozenset({CONSENT_TEXT_VERSION})
HALL_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Validity is judged by the date in the province, not the server's time zone."""
    return datetime.now(HALL_TZ).date()


class LicenceRefused(UserFacingError):
    """A query or use the library will not answer; `status` is the HTTP status the route gives."""

    def __init__(self, status: int, message: Message, code: str) -> None:
        super().__init__(message, code=code)
        self.status = status


# --- licence types ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FaceField:
    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class LicenceType:
    code: str
    zh: str
    en: str
    face_fields: tuple[FaceField, ...]


@lru_cache(maxsize=1)
def licence_types() -> dict[str, LicenceType]:
    raw = json.loads(asset("licences", "licence_types.json").read_text(encoding="utf-8"))
    out: dict[str, LicenceType] = {}
    for t in raw["types"]:
        out[t["code"]] = LicenceType(t["code"], t["name"]["zh"], t["name"]["en"],
                                     tuple(FaceField(f["key"], f["name"]["zh"], f["name"]["en"]) for f in t["face_fields"]))
    return out


@lru_cache(maxsize=1)
def metadata_labels() -> dict[str, tuple[str, str]]:
    raw = json.loads(asset("licences", "licence_types.json").read_text(encoding="utf-8"))
    return {m["key"]: (m["name"]["zh"], m["name"]["en"]) for m in raw["metadata"]}


def licence_type(code: str) -> LicenceType:
    found = licence_types().get(code)
    if found is None:
        raise LicenceRefused(422, Message(f"没有证照类型“{code}”。", f"There is no licence type '{code}'."),
                             "licence_type_unknown")
    return found


# --- issuing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewLicence:
    type_code: str
    holder_id_number: str
    holder_name: str
    issuer_name: str
    issuer_code: str
    serial: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    face: dict[str, str]
    version: str = "001"
    licence_number: str = ""


def _page(lic: Licence) -> licence_pdf.LicencePage:
    t = licence_type(lic.type_code)
    labels = metadata_labels()
    meta = lic.gbt_metadata
    rows: list[tuple[str, str, str]] = []
    for key in ("identifier", "licence_number", "holder_name", "holder_code", "issuer_name", "issuer_code",
                "issued_on", "valid_from", "valid_until"):
        zh, en = labels[key]
        rows.append((zh, en, str(meta.get(key) or "")))
    face = meta.get("face") or {}
    for f in t.face_fields:
        rows.append((f.zh, f.en, str(face.get(f.key, ""))))
    return licence_pdf.LicencePage(t.zh, t.en, tuple(rows))


def _validity_text(valid_until: date | None) -> str:
    return valid_until.isoformat() if valid_until is not None else "长期 / long-term"


def issue(store: PlatformStore, new: NewLicence, *, actor: str = "platform:cli") -> Licence:
    """Issue a licence into the library: identifier with its check character, metadata, signed PDF."""
    t = licence_type(new.type_code)
    try:
        holder = parse_resident_id(new.holder_id_number).number
    except InvalidIdentity as exc:
        raise LicenceRefused(422, exc.message, "licence_holder_id") from None
    name = new.holder_name.strip()
    if not name or len(name) > 100:
        raise LicenceRefused(422, Message("持证人姓名为空或过长。", "The holder's name is empty or too long."),
                             "licence_holder_name")
    if not new.issuer_name.strip():
        raise LicenceRefused(422, Message("颁发机构名称为空。", "The issuing authority's name is empty."),
                             "licence_issuer")
    if new.valid_until is not None and new.valid_until < new.valid_from:
        raise LicenceRefused(422, Message("有效期截止日期早于起始日期。", "The licence ends before it begins."),
                             "licence_validity")
    unknown = sorted(set(new.face) - {f.key for f in t.face_fields})
    if unknown:
        raise LicenceRefused(422, Message(f"证照类型“{t.zh}”没有照面项：{'、'.join(unknown)}。",
                                          f"The licence type '{t.en}' has no face item(s): {', '.join(unknown)}."),
                             "licence_face")
    try:
        identifier = make_identifier(new.type_code, new.issuer_code, new.serial, new.version)
    except ValueError:
        raise LicenceRefused(422, Message("颁发机构代码、顺序号或版本号只能含数字和大写字母。",
                                          "The issuer code, serial and version take digits and capital letters "
                                          "only."), "licence_identifier") from None
    meta: dict[str, Any] = {
        "identifier": identifier, "type_name": t.zh, "type_code": t.code,
        "licence_number": new.licence_number or new.serial, "issuer_name": new.issuer_name.strip(),
        "issuer_code": new.issuer_code, "issued_on": new.issued_on.isoformat(), "holder_name": name,
        "holder_code": holder, "holder_code_type": "111",  # GB/T 36903: 111 = 居民身份证号码
        "valid_from": new.valid_from.isoformat(), "valid_until": _validity_text(new.valid_until),
        "face": dict(new.face)}
    key = signing_key(store.home)
    lic = Licence(identifier=identifier, type_code=t.code, holder_id_number=holder, holder_name=name,
                  issuer_name=new.issuer_name.strip(), issuer_code=new.issuer_code, issued_on=new.issued_on,
                  valid_from=new.valid_from, valid_until=new.valid_until, status="valid", gbt_metadata=meta,
                  file_pdf=b"", file_sha256="", file_signature="", key_id=key.key_id)
    rendered = licence_pdf.render(_page(lic), title=identifier)
    lic.file_pdf = rendered.data
    lic.file_sha256 = hashlib.sha256(rendered.data).hexdigest()
    lic.file_signature = key.sign_sha256(lic.file_sha256)
    with store.transaction() as session:
        if session.get(Licence, identifier) is not None:
            raise LicenceRefused(409, Message(f"证照 {identifier} 已在库中。", f"The licence {identifier} is already "
                                              "in the library."), "licence_exists")
        session.add(lic)
        session.flush()
        platform_audit.record(session, actor=actor, action="licence.issue", subject=identifier[-64:],
                              details={"identifier": identifier, "type": t.code, "holder": mask_id(holder)})
    return lic


def revoke(store: PlatformStore, identifier: str, reason: str, *, actor: str = "platform:cli") -> Licence:
    ident = str(parse_identifier(identifier))
    reason = reason.strip()
    if not reason:
        raise LicenceRefused(422, Message("请说明注销原因。", "Give the reason for revoking."), "licence_reason")
    with store.transaction() as session:
        lic = session.get(Licence, ident, with_for_update=True)
        if lic is None:
            raise LicenceRefused(404, Message("库中没有这个证照。", "The library holds no such licence."),
                                 "licence_unknown")
        if lic.status != "revoked":
            lic.status, lic.revoked_at, lic.revoked_reason = "revoked", utcnow(), reason[:200]
            platform_audit.record(session, actor=actor, action="licence.revoke", subject=ident[-64:],
                                  details={"identifier": ident, "reason": reason[:200]})
    return lic


def holdings(session: Session, holder_id_number: str) -> list[Licence]:
    return list(session.scalars(select(Licence).where(Licence.holder_id_number == holder_id_number.upper())
                                .order_by(Licence.type_code, Licence.issued_on)))


def state_on(lic: Licence, day: date) -> str:
    """valid, revoked, expired or not_yet_valid on `day`."""
    if lic.status == "revoked":
        return "revoked"
    if lic.valid_until is not None and lic.valid_until < day:
        return "expired"
    if lic.valid_from > day:
        return "not_yet_valid"
    return "valid"


# --- offers -------------------------------------------------------------------------------------

def _consent_known(consent: wl.ConsentWire) -> None:
    if consent.text_version not in KNOWN_CONSENT_VERSIONS:
        raise LicenceRefused(422, Message(f"同意书版本“{consent.text_version}”未知，不能查询或调用证照。",
                                          f"The consent text version '{consent.text_version}' is unknown; licences "
                                          "cannot be asked for or used under it."), "consent_version")


def _item(session: Session, code: str) -> tuple[Catalog, ServiceItem]:
    try:
        catalog = published_catalog(session)
    except UserFacingError as exc:
        raise LicenceRefused(404, exc.message, exc.code) from None
    item = catalog.item(code)
    if item is None:
        raise LicenceRefused(404, Message(f"已发布的服务目录中没有事项 {code}。",
                                          f"The published catalog has no service item {code}."), "unknown_item")
    return catalog, item


def _offer(lic: Licence, material_code: str) -> dict[str, Any]:
    t = licence_type(lic.type_code)
    return {"identifier": lic.identifier, "type_code": lic.type_code, "type_name": {"zh": t.zh, "en": t.en},
            "material_code": material_code, "holder_name": lic.holder_name, "issuer_name": lic.issuer_name,
            "issued_on": lic.issued_on, "valid_until": lic.valid_until}


def offers(store: PlatformStore, device: Device, query: wl.OffersQuery) -> dict[str, Any]:
    """For each material of the item that a licence type can stand for, the holder's best valid licence
    (long-term first, then the latest end, then the latest issued)."""
    _consent_known(query.consent)
    day = today()
    with store.transaction() as session:
        _catalog, item = _item(session, query.service_item)
        held = [lic for lic in holdings(session, query.id_number) if state_on(lic, day) == "valid"]
        out: list[dict[str, Any]] = []
        for material in item.materials:
            fits = [lic for lic in held if lic.type_code in material.licence_types]
            if not fits:
                continue
            best = max(fits, key=lambda lic: (lic.valid_until is None, lic.valid_until or date.min, lic.issued_on))
            out.append(_offer(best, material.code))
        platform_audit.record(session, actor=f"device:{device.id}", action="licence.offers",
                              subject=query.application_id.lower(),
                              details={"hall": device.hall_code, "service_item": query.service_item,
                                       "holder": mask_id(query.id_number), "offered": [o["identifier"] for o in out],
                                       "consent": {"version": query.consent.text_version, "by": query.consent.by,
                                                   "given_at": query.consent.given_at.isoformat()}})
    return {"offers": out}


# --- uses ---------------------------------------------------------------------------------------

def _request_hash(device: Device, req: wl.UseRequest) -> str:
    fields = [str(device.id), req.identifier, req.id_number.upper(), req.application_id.lower(), req.service_item,
              req.material_code, req.reason, req.actor, req.consent.text_version, req.consent.by,
              req.consent.given_at.isoformat()]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def _answer(use: LicenceUse, lic: Licence) -> dict[str, Any]:
    t = licence_type(lic.type_code)
    return {"use_id": use.use_id, "identifier": lic.identifier, "type_code": lic.type_code,
            "type_name": {"zh": t.zh, "en": t.en}, "issuer_name": lic.issuer_name, "valid_until": lic.valid_until,
            "sha256": use.copy_sha256, "size": use.copy_size, "media_type": "application/pdf",
            "page_count": use.copy_pages, "signature": use.copy_signature, "key_id": use.key_id}


def _existing(session: Session, device: Device, req: wl.UseRequest) -> dict[str, Any] | None:
    use = session.scalar(select(LicenceUse).where(LicenceUse.use_id == req.use_id.lower()))
    if use is None:
        return None
    if use.request_hash != _request_hash(device, req):
        raise LicenceRefused(409, Message("这个调用编号已用于另一次调用，内容不同，拒绝。",
                                          "This use id was already used for a different use; refused."),
                             "use_conflict")
    lic = session.get(Licence, use.identifier)
    assert lic is not None
    return _answer(use, lic)


def _check_use(session: Session, req: wl.UseRequest, day: date) -> tuple[Licence, ServiceItem]:
    try:
        ident = str(parse_identifier(req.identifier))
    except UserFacingError as exc:
        raise LicenceRefused(422, exc.message, exc.code) from None
    lic = session.get(Licence, ident)
    if lic is None:
        raise LicenceRefused(404, Message("电子证照库中没有这个证照。", "The licence library holds no such licence."),
                             "licence_unknown")
    if lic.holder_id_number != req.id_number.upper():
        raise LicenceRefused(403, Message("该证照不属于本申请人，不能调用。",
                                          "This licence is not the applicant's own; it cannot be used."),
                             "licence_not_holder")
    state = state_on(lic, day)
    if state == "revoked":
        raise LicenceRefused(409, Message("该证照已被注销，不能调用，请提交纸质材料。",
                                          "This licence was revoked and cannot be used; please hand in the paper."),
                             "licence_revoked")
    if state == "expired":
        assert lic.valid_until is not None
        raise LicenceRefused(409, Message(f"该证照已于 {lic.valid_until.isoformat()} 过期，不能调用，请提交纸质材料。",
                                          f"This licence expired on {lic.valid_until.isoformat()} and cannot be "
                                          "used; please hand in the paper."), "licence_expired")
    if state == "not_yet_valid":
        raise LicenceRefused(409, Message(f"该证照自 {lic.valid_from.isoformat()} 起才有效，现在不能调用。",
                                          f"This licence is valid only from {lic.valid_from.isoformat()}; it cannot "
                                          "be used yet."), "licence_not_yet_valid")
    _catalog, item = _item(session, req.service_item)
    material = item.material(req.material_code)
    if material is None:
        raise LicenceRefused(422, Message(f"事项“{item.name.zh}”没有材料 {req.material_code}。",
                                          f"The service item '{item.name.en}' has no material {req.material_code}."),
                             "unknown_material")
    if lic.type_code not in material.licence_types:
        t = licence_type(lic.type_code)
        raise LicenceRefused(422, Message(f"“{t.zh}”不能代替材料“{material.name.zh}”。",
                                          f"A {t.en} cannot stand for the material '{material.name.en}'."),
                             "licence_type_not_accepted")
    return lic, item


def use(store: PlatformStore, device: Device, req: wl.UseRequest) -> dict[str, Any]:
    """Record a use and answer with its signed annotated copy; the same use again gets the same answer."""
    _consent_known(req.consent)
    with store.transaction() as session:
        again = _existing(session, device, req)
        if again is not None:
            return again
        lic, item = _check_use(session, req, today())
        page = _page(lic)
    on = today()
    mark = licence_pdf.Watermark(item.name.zh, item.name.en, on, req.application_id.lower())
    rendered = licence_pdf.render(page, mark, title=f"{lic.identifier} / {req.application_id.lower()}")
    sha = hashlib.sha256(rendered.data).hexdigest()
    locator = store.keep_files({sha: rendered.data})[sha]  # durable before any row names it
    key = signing_key(store.home)
    row = LicenceUse(use_id=req.use_id.lower(), identifier=lic.identifier, device_id=device.id,
                     hall_code=device.hall_code, application_id=req.application_id.lower(),
                     service_item=req.service_item, material_code=req.material_code, reason=req.reason,
                     actor=req.actor, consent_text_version=req.consent.text_version,
                     consent_given_at=req.consent.given_at, consent_by=req.consent.by, copy_sha256=sha,
                     copy_size=len(rendered.data), copy_pages=rendered.pages, copy_signature=key.sign_sha256(sha),
                     key_id=key.key_id, request_hash=_request_hash(device, req))
    try:
        with store.transaction() as session:
            blob = session.get(Blob, sha)
            if blob is None:
                _insert_once(session, Blob(sha256=sha, size=len(rendered.data), locator=locator))
            elif blob.locator != locator:  # its file was gone and has just been stored again
                blob.locator = locator
            if session.scalar(select(HallBlob).where(HallBlob.hall_code == device.hall_code,
                                                     HallBlob.sha256 == sha)) is None:
                _insert_once(session, HallBlob(hall_code=device.hall_code, sha256=sha, size=len(rendered.data),
                                               media_type="application/pdf", device_id=device.id))
            session.add(row)
            session.flush()
            platform_audit.record(session, actor=f"device:{device.id}", action="licence.use",
                                  subject=row.use_id,
                                  details={"identifier": lic.identifier, "hall": device.hall_code,
                                           "application_id": row.application_id, "service_item": row.service_item,
                                           "material": row.material_code, "reason": row.reason, "actor": row.actor,
                                           "consent": {"version": row.consent_text_version, "by": row.consent_by,
                                                       "given_at": row.consent_given_at.isoformat()},
                                           "copy_sha256": sha})
            return _answer(row, lic)
    except IntegrityError:  # the same use raced in from a retry: answer as the first one did
        with store.transaction() as session:
            again = _existing(session, device, req)
        if again is None:
            raise
        return again


def _insert_once(session: Session, row: Blob | HallBlob) -> None:
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        pass


def copy_for_device(session: Session, device_id: int, sha256: str) -> bool:
    """An annotated copy made for a use this device asked for (a kiosk fetches it before it submits)."""
    return session.scalar(select(func.count()).select_from(LicenceUse)
                          .where(LicenceUse.device_id == device_id, LicenceUse.copy_sha256 == sha256)) > 0


def uses(session: Session, *, identifier: str | None = None, holder: str | None = None,
         limit: int = 1000) -> list[dict[str, Any]]:
    q = select(LicenceUse, Licence).join(Licence, Licence.identifier == LicenceUse.identifier)
    if identifier:
        q = q.where(LicenceUse.identifier == identifier)
    if holder:
        q = q.where(Licence.holder_id_number == holder.upper())
    rows = session.execute(q.order_by(LicenceUse.id).limit(limit))
    return [{"use_id": u.use_id, "at": u.at.isoformat(), "identifier": u.identifier, "type_code": lic.type_code,
             "holder": mask_id(lic.holder_id_number), "device_id": u.device_id, "hall_code": u.hall_code,
             "application_id": u.application_id, "service_item": u.service_item, "material_code": u.material_code,
             "reason": u.reason, "actor": u.actor, "consent_text_version": u.consent_text_version,
             "consent_given_at": u.consent_given_at.isoformat(), "consent_by": u.consent_by,
             "copy_sha256": u.copy_sha256} for u, lic in rows]


def describe(lic: Licence, day: date | None = None) -> dict[str, Any]:
    t = licence_type(lic.type_code)
    return {"identifier": lic.identifier, "type_code": lic.type_code, "type_name": {"zh": t.zh, "en": t.en},
            "holder_id_number": mask_id(lic.holder_id_number), "holder_name": lic.holder_name,
            "issuer_name": lic.issuer_name, "issuer_code": lic.issuer_code, "issued_on": lic.issued_on.isoformat(),
            "valid_from": lic.valid_from.isoformat(),
            "valid_until": lic.valid_until.isoformat() if lic.valid_until else None,
            "status": lic.status, "state": state_on(lic, day or today()), "file_sha256": lic.file_sha256}
