"""Settings from the centre on the wire (`/api/v1/settings`), typed once for the platform and the terminal.

The platform answers `GET /settings` with a signed envelope: `document` is the exact JSON text that was
signed (Ed25519, the platform's settings key, whose public half the terminal received at enrollment), so
the terminal verifies the bytes it received before it parses a single value; nothing is re-serialised on
either side. The document names the hall and the device it is for and carries a version from one sequence
on the platform; the terminal refuses another's document and an older version (a rollback).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from sync.wire import Bilingual, Wire

DOCUMENT_KIND = "onewindow.centre-settings/1"


class SignedSettings(Wire):
    document: Annotated[str, Field(min_length=2, max_length=64_000)]
    signature: Annotated[str, Field(min_length=1, max_length=200)]  # base64 Ed25519 over document's UTF-8 bytes
    key_id: Annotated[str, Field(max_length=64)]


class SettingsDocument(Wire):
    """What `SignedSettings.document` holds once its signature is verified."""

    kind: Literal["onewindow.centre-settings/1"]
    version: Annotated[StrictInt, Field(ge=1)]
    hall_code: Annotated[str, Field(pattern=r"^[0-9]{6,12}$")]
    device_id: StrictInt
    issued_at: str
    values: dict[str, Any]


class SettingsReport(Wire):
    version: Annotated[StrictInt, Field(ge=0)]
    outcome: Literal["applied", "rolled_back", "refused"]
    at: Annotated[str, Field(max_length=40)]
    reason: Bilingual | None = None


class SettingsReports(Wire):
    reports: Annotated[list[SettingsReport], Field(max_length=50)]


class SettingsReportsAnswer(Wire):
    stored: int
