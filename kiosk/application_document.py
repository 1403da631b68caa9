"""The application document: what a citizen submitted, built once, at submission.

The terminal builds it in the transaction that stores the application (it is
the outbox item's payload, sent to the platform byte for byte), and the
platform's online intake builds its own cases with the same function, so the
two can never disagree on what an application is or on what its hash covers.

`content` is what the hash covers: the same citizen input gives the same
hash on every device. The rest (which terminal, which receipt, sizes and
page counts of the files) travels beside it.

The models are typed and bounded (pydantic): the platform validates a pushed
document with them, and FastAPI documents them in the platform's OpenAPI.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from kiosk.canonical import content_hash
from kiosk.catalog import ServiceItem
from kiosk.materials.intake import MaterialFile

MAX_TEXT = 2000
MAX_DEPTH = 8


def _safe_text(value: str) -> str:
    """No NUL, no control characters but newlines and tabs, no lone surrogates (unstorable, unprintable)."""
    for ch in value:
        code = ord(ch)
        if (code < 32 and ch not in "\n\r\t") or 0xD800 <= code <= 0xDFFF or code == 0x7F:
            raise ValueError("the text holds a control character or an unpaired surrogate")
    return value


def _safe_json(value: Any, depth: int = 0) -> Any:
    """Form values: plain JSON, shallow, every string safe."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"a text longer than {MAX_TEXT} characters")
        return _safe_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError("a number too large")
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return value
    if isinstance(value, list):
        if len(value) > 200:
            raise ValueError("a list longer than 200 items")
        return [_safe_json(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if len(value) > 200:
            raise ValueError("an object with more than 200 keys")
        return {_safe_text(str(k))[:64]: _safe_json(v, depth + 1) for k, v in value.items()}
    raise ValueError(f"not a JSON value: {type(value).__name__}")


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z_.-]{1,64}$")]
HallCode = Annotated[str, Field(pattern=r"^[0-9]{6,12}$")]
MediaType = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$")]
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_safe_text)]
ShortText = Annotated[str, Field(max_length=255), AfterValidator(_safe_text)]
FileSize = Annotated[StrictInt, Field(gt=0, le=2**40)]
PageCount = Annotated[StrictInt, Field(ge=1, le=10_000)]
FormValues = Annotated[dict[str, Any], AfterValidator(_safe_json)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    zh: ShortText
    en: ShortText


class ApplicationContent(Strict):
    """Exactly what `content_hash` covers."""

    service_item: Code
    catalog_version: Code
    applicant: dict[Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")], Annotated[ShortText, Field(max_length=100)]]
    form: FormValues
    materials: dict[Code, Annotated[list[Sha256], Field(max_length=50)]] = Field(max_length=100)


class AttachmentRef(Strict):
    sha256: Sha256
    size: FileSize
    media_type: MediaType


class FileDetail(AttachmentRef):
    page_count: PageCount = 1
    name: ShortText | None = None


class LicenceDetail(Strict):
    """The electronic licence that stood for a material (已调用电子证照，免提交); its annotated copy is the
    material's file."""

    identifier: Annotated[str, Field(pattern=r"^1\.2\.156\.3005\.2\.[0-9A-Z.]{5,110}$")]
    type_code: Annotated[str, Field(pattern=r"^[0-9A-Z]{1,32}$")]
    type_name: Bilingual
    issuer_name: ShortText
    valid_until: date | None = Field(description="None: valid long-term (长期有效)")
    use_id: Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]


class MaterialDetail(Strict):
    code: Code
    name: Bilingual
    required: bool
    files: list[FileDetail] = Field(max_length=50)
    at_counter: bool = Field(default=False, description=(
        "the citizen hands this material in at the counter (交窗口核验); it then has no files"))
    licence: LicenceDetail | None = Field(default=None, description=(
        "an electronic licence stood for this material, with the citizen's consent; its file is the annotated copy"))
    prereview: Literal["passed", "original"] | None = Field(default=None, description=(
        "online cases: the platform's pre-review passed the material, or the original must still be seen at the "
        "counter (须核验原件)"))


class ApplicationDocument(Strict):
    """An application as it travels to the platform, idempotent by `id`."""

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    hall_code: HallCode
    device_no: Annotated[StrictInt, Field(ge=0, le=999)]
    receipt_no: Annotated[str, Field(max_length=40, pattern=r"^[0-9A-Z-]{1,40}$")] | None
    channel: Literal["kiosk", "counter", "online", "cli"]
    submitted_at: AwareDatetime
    promised_date: date | None = None
    content: ApplicationContent
    content_hash: Sha256
    attachments: list[AttachmentRef] = Field(max_length=500)
    materials_detail: list[MaterialDetail] = Field(default_factory=list, max_length=100)

    def problems(self) -> list[str]:
        """What makes a well-formed document inconsistent; empty when it is whole."""
        found: list[str] = []
        if content_hash(self.content.model_dump(mode="json")) != self.content_hash:
            found.append("the content hash does not match the content")
        named = {s for shas in self.content.materials.values() for s in shas}
        listed = [a.sha256 for a in self.attachments]
        if len(set(listed)) != len(listed) or set(listed) != named:
            found.append("the attachment list does not match the materials")
        for detail in self.materials_detail:
            if [f.sha256 for f in detail.files] != self.content.materials.get(detail.code, []):
                found.append(f"the detail of material {detail.code} does not match its files")
            if detail.at_counter and detail.files:
                found.append(f"material {detail.code} is both attached and to be handed in at the counter")
        return found

    def wire(self) -> dict[str, Any]:
        """The JSON form stored in the outbox and sent as is. A material's `at_counter` is written only when
        true (and `licence`, `prereview` only when set), so a document without a hand-in is byte for byte what it was before the field existed (and a
        platform that predates the field still takes it)."""
        data = self.model_dump(mode="json")
        for detail in data.get("materials_detail", []):
            if not detail.get("at_counter"):
                detail.pop("at_counter", None)
            for optional in ("licence", "prereview"):
                if detail.get(optional) is None:
                    detail.pop(optional, None)
        return data


def display_name(name: str) -> str | None:
    """A file name fit to store and show: undecodable bytes (kept by Python as lone surrogates) and
    control characters become U+FFFD, never a reason to refuse the citizen's file."""
    raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    cleaned = "".join("\ufffd" if ord(c) < 32 or ord(c) == 0x7F else c for c in raw).strip()
    return cleaned[:255] or None


def application_content(item: ServiceItem, catalog_version: str, applicant: Mapping[str, str],
                        form: Mapping[str, Any], hashes: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    return {"service_item": item.code, "catalog_version": catalog_version, "applicant": dict(applicant),
            "form": dict(form), "materials": {code: list(shas) for code, shas in hashes.items()}}


def build_document(*, application_id: str, hall_code: str, device_no: int, receipt_no: str | None, channel: str,
                   submitted_at: datetime, promised_date: date | None, item: ServiceItem, catalog_version: str,
                   applicant: Mapping[str, str], form: Mapping[str, Any],
                   files: Mapping[str, Sequence[tuple[str, MaterialFile]]],
                   at_counter: Collection[str] = ()) -> ApplicationDocument:
    """The one builder: `files` maps each of the item's material codes to (sha256, file) in order;
    `at_counter` names the materials the citizen hands in at the counter instead."""
    hashes = {spec.code: [sha for sha, _ in files.get(spec.code, ())] for spec in item.materials}
    content = application_content(item, catalog_version, applicant, form, hashes)
    attachments: dict[str, dict[str, Any]] = {}
    details = []
    for spec in item.materials:
        entries = []
        for sha, f in files.get(spec.code, ()):
            attachments.setdefault(sha, {"sha256": sha, "size": len(f.data), "media_type": f.media_type})
            entries.append({"sha256": sha, "size": len(f.data), "media_type": f.media_type,
                            "page_count": f.page_count, "name": display_name(f.name)})
        details.append({"code": spec.code, "name": {"zh": spec.name.zh, "en": spec.name.en},
                        "required": spec.required, "files": entries, "at_counter": spec.code in at_counter})
    return ApplicationDocument.model_validate({
        "id": application_id, "hall_code": hall_code, "device_no": device_no, "receipt_no": receipt_no,
        "channel": channel, "submitted_at": submitted_at, "promised_date": promised_date, "content": content,
        "content_hash": content_hash(content), "attachments": list(attachments.values()),
        "materials_detail": details})
