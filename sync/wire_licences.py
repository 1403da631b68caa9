"""The licence library's documents (`/api/v1/licences/...`), typed once for the platform and the terminal.

A terminal asks which of a service item's materials the citizen already holds (`OffersQuery`, only with
the citizen's consent, which travels with the query), then records each use it makes (`UseRequest`,
idempotent by `use_id`): the platform keeps the use in its audit (who, which case, which licence, why) and
answers with an annotated copy (加注件) made for this use only, which the hall then fetches like any file
(`GET /attachments/{sha256}`). The copy's SHA-256 is signed with the platform's Ed25519 licence key
(`GET /licences/signing-key`), so a terminal attaches only what the library really issued.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from sync.wire import Bilingual, Code, Sha256, ShortText, Uuid, Wire

IdNumber = Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
Identifier = Annotated[str, Field(pattern=r"^1\.2\.156\.3005\.2\.[0-9A-Z.]{5,110}$")]
TypeCode = Annotated[str, Field(pattern=r"^[0-9A-Z]{1,32}$")]


class ConsentWire(Wire):
    given_at: AwareDatetime
    by: Annotated[str, Field(min_length=1, max_length=64)]  # "citizen", or "staff:<id>" at a counter
    text_version: Annotated[str, Field(min_length=1, max_length=32)]


class OffersQuery(Wire):
    id_number: IdNumber
    service_item: Code
    application_id: Uuid
    consent: ConsentWire


class Offer(Wire):
    identifier: Identifier
    type_code: TypeCode
    type_name: Bilingual
    material_code: Code
    holder_name: ShortText
    issuer_name: ShortText
    issued_on: date
    valid_until: date | None = Field(description="None: valid long-term (长期有效)")


class OffersAnswer(Wire):
    offers: list[Offer] = Field(max_length=100)


class UseRequest(Wire):
    use_id: Uuid  # the terminal's; the same use sent again is the same use, never a second one
    identifier: Identifier
    id_number: IdNumber  # the holder: a licence is used only for the citizen who holds it
    application_id: Uuid
    service_item: Code
    material_code: Code
    reason: Annotated[str, Field(min_length=1, max_length=200)]  # why, as the audit records it
    actor: Annotated[str, Field(min_length=1, max_length=64)]  # "kiosk", or "staff:<id>"
    consent: ConsentWire


class UseAnswer(Wire):
    use_id: Uuid
    identifier: Identifier
    type_code: TypeCode
    type_name: Bilingual
    issuer_name: ShortText
    valid_until: date | None
    sha256: Sha256  # the annotated copy, fetched with GET /attachments/{sha256}
    size: Annotated[int, Field(gt=0, le=64 * 1024 * 1024)]
    media_type: Literal["application/pdf"]
    page_count: Annotated[int, Field(ge=1, le=100)]
    signature: Annotated[str, Field(min_length=80, max_length=100)]  # base64 Ed25519 over the sha256 hex (ASCII)
    key_id: Annotated[str, Field(min_length=1, max_length=64)]


class SigningKey(Wire):
    key_id: Annotated[str, Field(min_length=1, max_length=64)]
    public_key: Annotated[str, Field(min_length=40, max_length=64)]  # base64 raw Ed25519 public key
