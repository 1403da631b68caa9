"""A `LicenceRef` as the store keeps it (`ApplicationMaterial.licence`, JSON) and as people read it.

The store holds the reference, never the licence: which licence stood for the material, which use of it
the platform recorded, and the annotated copy's hash. Reading is tolerant on purpose: a row written by a
later version with more keys still reads, and a damaged one reads as "no licence" (the material then
shows its file like any other) rather than breaking the whole case view.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from kiosk.catalog import Text
from kiosk.errors import Message
from kiosk.licences.model import LicenceRef

log = logging.getLogger("onewindow.licences")


def ref_to_json(ref: LicenceRef) -> dict[str, Any]:
    return {"identifier": ref.identifier, "type_code": ref.type_code,
            "type_name": {"zh": ref.type_name.zh, "en": ref.type_name.en}, "issuer_name": ref.issuer_name,
            "valid_until": ref.valid_until.isoformat() if ref.valid_until else None, "use_id": ref.use_id,
            "sha256": ref.sha256, "application_id": ref.application_id}


def ref_from_json(raw: Any) -> LicenceRef | None:
    """The reference a material row holds, or None when it holds none (or an unreadable one, logged)."""
    if not raw:
        return None
    try:
        name = raw["type_name"]
        until = raw.get("valid_until")
        return LicenceRef(identifier=str(raw["identifier"]), type_code=str(raw["type_code"]),
                          type_name=Text(str(name["zh"]), str(name["en"])), issuer_name=str(raw["issuer_name"]),
                          valid_until=date.fromisoformat(until) if until else None, use_id=str(raw["use_id"]),
                          sha256=str(raw.get("sha256") or ""), application_id=str(raw.get("application_id") or ""))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.error("a material's licence reference cannot be read (%s); shown as an ordinary file", exc)
        return None


def validity(valid_until: date | None) -> Message:
    """How a licence's validity reads on a screen, a receipt or a notice."""
    if valid_until is None:
        return Message("长期有效", "valid long-term")
    return Message(f"有效期至 {valid_until.isoformat()}", f"valid until {valid_until.isoformat()}")
