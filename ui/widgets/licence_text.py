"""How a screen names an electronic licence: its type, issuer and validity, in the current language.

Shared by the kiosk (consent step, materials, review) and the counter's review, so a citizen and a
clerk read the same words for the same licence.
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

from kiosk.catalog import Text
from ui.i18n import lang, translate


class NamedLicence(Protocol):
    """What `LicenceOffer` and `LicenceRef` both carry."""

    @property
    def type_name(self) -> Text: ...
    @property
    def issuer_name(self) -> str: ...
    @property
    def valid_until(self) -> date | None: ...


def validity_text(valid_until: date | None) -> str:
    """"有效期至 2031-05-20", or "长期有效" for a licence without an end (GB/T 36903 leaves it empty)."""
    if valid_until is None:
        return translate("Widgets", "Valid long-term")
    return translate("Widgets", "Valid until %1").replace("%1", valid_until.isoformat())


def licence_summary(licence: NamedLicence) -> str:
    """"居民身份证 · 杭州市公安局西湖分局 · 有效期至 2031-05-20": one line, wrapped where it must."""
    return " · ".join((licence.type_name.get(lang()), licence.issuer_name, validity_text(licence.valid_until)))
