"""What a terminal knows of a citizen's electronic licences: offers, the consent, the copy it attaches.

Shared by the platform link (`sync`), the use cases (`kiosk.usecases.licences`) and the screens. A
licence stands in for a material only with the citizen's consent on screen, for one application, and
through an annotated copy (加注件) made for that use alone; the terminal never holds the licence itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.catalog import Text
from kiosk.errors import Message, UserFacingError

#: what the consent screen says; its version travels with every query and use, so the audit names the words
CONSENT_TEXT_VERSION = "2026-11-v1"
CONSENT_TEXT = Message(
    "为减少您需要提交的材料，本机将向省电子证照库查询您名下可用于本事项的电子证照（如身份证、户口簿、结婚证）。"
    "查询和调用仅用于本次申请，每次调用都会留下记录。您也可以不同意，照常提交纸质材料。",
    "To spare you papers, this terminal will ask the province's electronic licence library which of your "
    "licences (such as your ID card, household register or marriage certificate) can stand for materials of "
    "this service. They are used for this application only, and every use is recorded. You may also say no "
    "and hand in paper as usual.")
REUSED_LABEL = Message("已调用电子证照，免提交", "Electronic licence used; no need to hand in")
NEEDS_LINK = Message("需联网核验：现在无法连接电子证照库，请照常提交纸质材料。",
                     "Needs the network to check: the licence library cannot be reached now; please hand in the "
                     "paper as usual.")


@dataclass(frozen=True)
class Consent:
    """The citizen said yes on screen (or staff recorded the citizen's yes at a counter)."""

    given_at: datetime
    by: str  # "citizen" at a kiosk, "staff:<id>" at a counter
    text_version: str = CONSENT_TEXT_VERSION


@dataclass(frozen=True)
class LicenceOffer:
    """A valid licence of this citizen that can stand for one material of the service item."""

    identifier: str
    type_code: str
    type_name: Text
    material_code: str
    holder_name: str
    issuer_name: str
    issued_on: date
    valid_until: date | None  # None: valid long-term (长期有效)


@dataclass(frozen=True)
class LicenceOffers:
    """The platform's answer; `available` False means it could not be asked (offline, not enrolled): the
    step then says `NEEDS_LINK` and the materials are captured on paper as today."""

    available: bool
    offers: tuple[LicenceOffer, ...] = ()
    note: Message | None = None


@dataclass(frozen=True)
class LicenceRef:
    """What an application material keeps of the licence that stood for it (also in its document)."""

    identifier: str
    type_code: str
    type_name: Text
    issuer_name: str
    valid_until: date | None
    use_id: str  # the platform's record of this use (who, which case, which licence, why)
    # the annotated copy's SHA-256: the one file the material may hold (checked at submission); "" when unknown
    sha256: str = ""
    # the application the use was made for (the platform's copy names it); the submission takes this id
    application_id: str = ""


@dataclass(frozen=True)
class LicenceCopy:
    """The annotated copy (加注件) for this use only, verified against the platform's signing key."""

    ref: LicenceRef
    material_code: str
    data: bytes
    sha256: str
    media_type: str = "application/pdf"
    page_count: int = 1


class LicenceUnavailable(UserFacingError):
    """The licence library could not be asked or refused this use; the material goes on paper instead."""
