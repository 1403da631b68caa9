"""The terminal's side of the licence library (`/api/v1/licences/...`): offers, uses, verified copies.

A copy (加注件) is attached to a citizen's application only once this terminal has checked three things:
its bytes hash to the SHA-256 the platform named, their length is the size it named, and that hash is
signed by the platform's Ed25519 licence key. The key is pinned in the store the first time it is fetched
(trust on first use, like an SSH host key); a platform that later answers with a different key is
refused, with a message for staff, because a terminal cannot tell a rotated key from an impostor.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.catalog import Text
from kiosk.errors import Message
from kiosk.licences.model import (
    NEEDS_LINK,
    Consent,
    LicenceCopy,
    LicenceOffer,
    LicenceOffers,
    LicenceRef,
    LicenceUnavailable,
)
from kiosk.licences.pin import PinnedKey, pin_key, pinned_key
from kiosk.store import Store
from sync import wire
from sync.client import Offline, PlatformClient, Refused
from sync.credentials import CaFileUnusable, EnrollmentRequired
from sync.wire_licences import ConsentWire, OffersAnswer, OffersQuery, SigningKey, UseAnswer, UseRequest

log = logging.getLogger("onewindow.sync.licences")

KEY_CHANGED = Message(
    "电子证照库的签名密钥与本机首次记录的不同，已拒绝使用其证照。请工作人员联系平台管理员核实；核实无误后，用"
    "“onewindow licence forget-key”清除本机记录的密钥。",
    "The licence library's signing key differs from the one this terminal recorded first, so its licences are "
    "refused. Staff: ask the platform's administrator to confirm the change; once confirmed, clear the recorded "
    "key with 'onewindow licence forget-key'.")
COPY_REFUSED = Message("电子证照加注件未通过校验（内容或签名不符），未使用。请提交纸质材料，并告知工作人员。",
                       "The licence's annotated copy failed its check (content or signature do not match) and "
                       "was not used. Please hand in the paper, and tell the staff.")
KEY_UNUSABLE = Message("平台提供的电子证照签名密钥无法使用。", "The platform's licence signing key cannot be used.")


class SigningKeyChanged(LicenceUnavailable):
    """The platform's key is not the pinned one: refused until staff clear the pin after checking."""

    def __init__(self) -> None:
        super().__init__(KEY_CHANGED, code="licence_key_changed")


class CopyRefused(LicenceUnavailable):
    """The copy's bytes, size or signature do not match what the platform said."""

    def __init__(self, why: str) -> None:
        super().__init__(COPY_REFUSED, code="licence_copy_refused")
        self.why = why


@dataclass(frozen=True)
class VerifiedCopy:
    answer: UseAnswer
    data: bytes


def _public_key(raw_b64: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw_b64, validate=True))
    except (binascii.Error, ValueError):
        raise LicenceUnavailable(KEY_UNUSABLE, code="licence_key_unusable") from None


class LicenceLink:
    """One platform client and this terminal's store; every method raises what `PlatformClient` raises
    (`Offline`, `Refused`, `EnrollmentRequired`), `wire.ValidationError` for a malformed answer, or a
    `LicenceUnavailable` of its own."""

    def __init__(self, client: PlatformClient, store: Store) -> None:
        self.client = client
        self.store = store

    def offers(self, query: OffersQuery) -> OffersAnswer:
        return wire.parse(OffersAnswer, self.client.json("POST", "licences/offers",
                                                         json_body=query.model_dump(mode="json")))

    def use(self, request: UseRequest) -> VerifiedCopy:
        """Record the use (idempotent by `use_id`), fetch its copy and verify it."""
        answer = wire.parse(UseAnswer, self.client.json("POST", "licences/uses",
                                                        json_body=request.model_dump(mode="json")))
        if answer.use_id.lower() != request.use_id.lower() or answer.identifier != request.identifier:
            raise CopyRefused("the answer is for another use or another licence")
        key = self.signing_key(answer.key_id)
        resp = self.client.request("GET", f"attachments/{answer.sha256}", headers={"Accept": "*/*"})
        data = resp.content
        verify_copy(answer, data, key)
        return VerifiedCopy(answer, data)

    def signing_key(self, key_id: str) -> Ed25519PublicKey:
        """The pinned key, pinning the platform's on first use; a different key than the pinned one is
        refused (also when the platform names a new key id)."""
        pinned = pinned_key(self.store)
        if pinned is not None and pinned.key_id == key_id:
            return _public_key(pinned.public_key)
        current = wire.parse(SigningKey, self.client.json("GET", "licences/signing-key"))
        key = _public_key(current.public_key)
        if pinned is None:
            pinned = pin_key(self.store, PinnedKey(current.key_id, current.public_key))
            log.info("licence signing key %s pinned", pinned.key_id)
        if (pinned.key_id, pinned.public_key) != (current.key_id, current.public_key):
            log.error("licence signing key changed: pinned %s, platform now %s", pinned.key_id, current.key_id)
            raise SigningKeyChanged()
        if current.key_id != key_id:
            raise CopyRefused(f"signed with key {key_id!r}, the platform's key is {current.key_id!r}")
        return key


def verify_copy(answer: UseAnswer, data: bytes, key: Ed25519PublicKey) -> None:
    """Raises `CopyRefused` unless `data` is the copy the answer names, signed by `key`."""
    if len(data) != answer.size:
        raise CopyRefused(f"{len(data)} bytes, the platform said {answer.size}")
    if hashlib.sha256(data).hexdigest() != answer.sha256:
        raise CopyRefused("the bytes do not hash to the named SHA-256")
    try:
        key.verify(base64.b64decode(answer.signature, validate=True), answer.sha256.encode("ascii"))
    except (InvalidSignature, binascii.Error, ValueError):
        raise CopyRefused("the signature does not verify") from None


# --- the terminal's answers (what `sync.part.PlatformLink` returns to the use cases) -----------------

def _consent(consent: Consent) -> ConsentWire:
    given = consent.given_at if consent.given_at.tzinfo else consent.given_at.astimezone()
    return ConsentWire(given_at=given, by=consent.by, text_version=consent.text_version)


def _fields(exc: wire.ValidationError) -> list[tuple[object, str]]:
    """Which fields did not fit, never their values (an ID number must not reach a log)."""
    return [(e["loc"], e["type"]) for e in exc.errors()[:3]]


def ask_offers(link: LicenceLink, *, id_number: str, service_item: str, application_id: str,
               consent: Consent) -> LicenceOffers:
    """Link trouble of any kind is an answer (`available` False with `NEEDS_LINK`); a refusal by the
    platform is one too, with the platform's reason."""
    try:
        query = OffersQuery(id_number=id_number, service_item=service_item, application_id=application_id,
                            consent=_consent(consent))
    except wire.ValidationError as exc:
        log.warning("licence offers not asked, the query does not fit the wire: %s", _fields(exc))
        return LicenceOffers(False, note=NEEDS_LINK)
    try:
        answer = link.offers(query)
    except Refused as exc:
        log.warning("licence offers refused: %s %s", exc.status, exc.code)
        return LicenceOffers(False, note=exc.message)
    except (Offline, wire.ValidationError, EnrollmentRequired, CaFileUnusable) as exc:
        log.info("licence offers not available: %s", exc)
        return LicenceOffers(False, note=NEEDS_LINK)
    return LicenceOffers(True, tuple(
        LicenceOffer(identifier=o.identifier, type_code=o.type_code, type_name=Text(o.type_name.zh, o.type_name.en),
                     material_code=o.material_code, holder_name=o.holder_name, issuer_name=o.issuer_name,
                     issued_on=o.issued_on, valid_until=o.valid_until)
        for o in answer.offers))


def use_licence(link: LicenceLink, offer: LicenceOffer, *, id_number: str, application_id: str, service_item: str,
                consent: Consent, actor: str, use_id: str, reason: str) -> LicenceCopy:
    """The verified copy, or `LicenceUnavailable` saying why (link trouble, the platform's refusal, a copy
    or key that does not verify)."""
    try:
        request = UseRequest(use_id=use_id, identifier=offer.identifier, id_number=id_number,
                             application_id=application_id, service_item=service_item,
                             material_code=offer.material_code, reason=reason[:200], actor=actor[:64],
                             consent=_consent(consent))
    except wire.ValidationError as exc:
        log.warning("licence use not asked, the request does not fit the wire: %s", _fields(exc))
        raise LicenceUnavailable(NEEDS_LINK, code="licence_bad_request") from None
    try:
        copy = link.use(request)
    except CopyRefused as exc:
        log.error("licence use %s: annotated copy refused: %s", use_id, exc.why)
        raise
    except Refused as exc:
        raise LicenceUnavailable(exc.message, code=exc.code or "licence_refused") from None
    except (Offline, wire.ValidationError, EnrollmentRequired, CaFileUnusable) as exc:
        log.info("licence use %s not made: %s", use_id, exc)
        raise LicenceUnavailable(NEEDS_LINK, code="licence_offline") from None
    a = copy.answer
    ref = LicenceRef(identifier=a.identifier, type_code=a.type_code, type_name=Text(a.type_name.zh, a.type_name.en),
                     issuer_name=a.issuer_name, valid_until=a.valid_until, use_id=a.use_id.lower(), sha256=a.sha256)
    return LicenceCopy(ref=ref, material_code=offer.material_code, data=copy.data, sha256=a.sha256,
                       media_type=a.media_type, page_count=a.page_count)
