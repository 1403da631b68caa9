"""The documents the terminal and the platform exchange, typed once for both sides.

The server declares them as FastAPI request and response models (so its
OpenAPI document describes every field), and the client parses every answer
with the same models: an answer that does not fit is not the platform's
answer (a proxy, a truncated body, a different protocol version) and is
treated like a lost link, never half-applied.

The application itself is the domain's document (`kiosk.application_document`),
built once at submission; it is re-exported here as part of the wire.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator  # noqa: F401

from kiosk.application_document import (  # noqa: F401 - part of the wire, re-exported
    ApplicationDocument,
    AttachmentRef,
    Bilingual,
    Code,
    FileDetail,
    HallCode,
    MaterialDetail,
    Sha256,
    ShortText,
)
from sync.protocol import COMPLETED_APPLICATIONS_MAX, UPLOAD_BATCH_MAX_FILES

Uuid = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
Status = Literal["submitted", "received", "accepted", "needs_supplement", "approved", "rejected", "withdrawn"]
M = TypeVar("M", bound=BaseModel)


class Wire(BaseModel):
    """Answers may grow new fields in a later protocol version; old terminals ignore them."""

    model_config = ConfigDict(extra="ignore")


class Reason(Wire):
    zh: str
    en: str


class ProblemAnswer(Wire):
    """Every 4xx and 5xx the platform gives has this shape (nginx's own answers in front of it too)."""

    code: str = Field(description="what went wrong, for programs: e.g. invalid, bad_json, bad_text, too_large")
    reason: Reason = Field(description="what went wrong, for people: Simplified Chinese and English")
    detail: list[dict[str, Any]] | None = Field(default=None, description="422 only: each field that does not fit "
                                                "(loc, msg, type)")


# --- applications --------------------------------------------------------------------------------

class PushRequest(BaseModel):
    applications: list[Any] = Field(max_length=100, description=(
        "Application documents (see ApplicationDocument). Each is judged on its own: one malformed item "
        "is answered 'rejected' with its reason and never fails the batch."))
    audit_head: Any | None = Field(default=None, description=(
        "The terminal's audit head (see AuditHeadPush), taken in after the applications as `POST /audit/heads` "
        "takes it and answered in `audit_head`: a pass that pushes needs no request of its own for it. One "
        "that does not fit is answered `invalid` and never fails the applications."))
    heartbeat: Any | None = Field(default=None, description=(
        "The terminal's heartbeat reports (see HeartbeatPush), taken in after the applications as `POST "
        "/heartbeat` takes them and answered in `heartbeat`: a pass that pushes needs no request of its own "
        "for them. A batch that does not fit is answered `invalid` and never fails the applications."))


class PushResult(Wire):
    id: str
    result: Literal["created", "duplicate", "conflict", "rejected"]
    reason: Reason | None = None
    missing: list[Sha256] = Field(default_factory=list, description="attachments the platform still lacks")
    complete: bool = False
    status: str | None = None
    case_no: str | None = None


class PushResponse(Wire):
    results: list[PushResult]
    audit_head: PushedAuditHead | None = Field(default=None, description="the answer to the request's audit head")
    upload_batch_bytes: int | None = Field(default=None, ge=1, description=(
        "the largest body `POST /uploads/batch` takes (several whole files in one request); absent: send each "
        "file on its own"))


class UploadBatchFile(Wire):
    """One file of `POST /uploads/batch`, answered as `POST /uploads` would answer it whole."""

    sha256: Sha256
    result: Literal["stored", "in_progress", "refused"] = Field(description=(
        "stored: the platform holds the verified file (now or already); in_progress: an upload of it is "
        "under way, to be resumed on its own; refused: `status`, `code` and `reason` say why"))
    status: int | None = Field(default=None, description="refused: the HTTP status POST /uploads would answer")
    code: str | None = None
    reason: Reason | None = None
    completed_applications: list[str] = Field(default_factory=list, max_length=COMPLETED_APPLICATIONS_MAX,
                                              description="the device's applications this file completed")


class UploadBatchAnswer(Wire):
    files: list[UploadBatchFile] = Field(max_length=UPLOAD_BATCH_MAX_FILES)
    feed: ChangesPage | None = Field(default=None, description=(
        "the changes feed's page the request asked for (`since`, `limit`, `start` as `GET /changes` takes them), "
        "read after the files were taken in: a pass whose uploads are one batch needs no feed read of its own"))
    feed_unread: bool = Field(default=False, description=(
        "the page was asked for but could not be read this time (the files are in): the terminal reads the feed "
        "itself, and asks again with its next batch"))


class StatesRequest(BaseModel):
    ids: list[Annotated[str, Field(max_length=64)]] = Field(max_length=500)


class CaseState(Wire):
    id: str
    known: bool
    complete: bool = False
    missing: list[Sha256] = Field(default_factory=list)
    status: str | None = None
    case_no: str | None = None
    content_hash: str | None = None


class StatesResponse(Wire):
    states: list[CaseState]


class MissingRequest(BaseModel):
    sha256: list[Sha256] = Field(max_length=2000)


class MissingResponse(Wire):
    missing: list[Sha256]


# --- decisions -------------------------------------------------------------------------------------

class DecisionRequest(BaseModel):
    """A counter's decision on one of its hall's cases, idempotent by `decision_id`."""

    decision_id: Uuid
    application_id: Uuid
    to: Literal["accepted", "needs_supplement", "approved", "rejected"]
    note: str = Field(default="", max_length=2000)
    missing: list[Code] = Field(default_factory=list, max_length=100,
                                description="material codes to supplement (needs_supplement only)")
    decided_by: str = Field(min_length=1, max_length=64, description=(
        "the user name of the staff member who decided: an active staff account of the case's hall on the "
        "platform whose role may decide (`onewindow platform staff add`)"))
    decided_at: AwareDatetime | None = None
    visits: int | None = Field(default=None, ge=0, le=99, description=(
        "the citizen's trips to the hall for this case so far, as the counter counts them (one visit, 最多跑一次); "
        "absent from older terminals"))

    @field_validator("note", "decided_by")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any((ord(c) < 32 and c not in "\n\r\t") or 0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise ValueError("control characters are not allowed")
        return value

    @field_validator("decided_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            year = value.year
        except OverflowError:  # pragma: no cover - pydantic bounds the year already
            year = 0
        if not 2000 <= year <= 2200:
            raise ValueError("decided_at is not a plausible time")
        return value


class DecisionAnswer(Wire):
    result: Literal["applied", "duplicate"]
    decision_id: str
    application_id: str
    case_no: str | None = None
    status: str
    seq: int | None = None


# --- the changes feed ----------------------------------------------------------------------------

class PreReview(Wire):
    """The platform's pre-review of an online case: who looked, when, what they said. Each material's own
    verdict is its `MaterialDetail.prereview` (passed, or the original must be seen at the counter)."""

    by: Annotated[str, Field(min_length=1, max_length=100)]
    at: AwareDatetime
    note: Annotated[str, Field(max_length=2000)] | None = None


class AssignedApplication(Wire):
    """An online case assigned to a hall: what its counters need to take it in and fetch its files."""

    id: Uuid
    hall_code: HallCode
    channel: Literal["online"] = "online"
    case_no: Annotated[str, Field(min_length=1, max_length=64)]
    receipt_no: str | None = None
    service_item: Code
    catalog_version: Code
    applicant: dict[str, Annotated[str, Field(max_length=100)]] = Field(default_factory=dict)
    form: dict[str, Any] = Field(default_factory=dict)
    content_hash: Sha256 | None = None
    submitted_at: AwareDatetime | None = None
    promised_date: str | None = None
    materials: list[MaterialDetail] = Field(default_factory=list)
    prereview: PreReview | None = Field(default=None, description="set when the platform pre-reviewed the case")


class Change(Wire):
    seq: StrictInt
    kind: Literal["status", "assigned"] = "status"
    application_id: str
    case_no: str | None = None
    status: str
    note: str | None = None
    missing_materials: list[str] = Field(default_factory=list)
    at: AwareDatetime
    actor: str
    decision_id: str | None = None
    application: dict[str, Any] | None = Field(default=None, description="an AssignedApplication, kind 'assigned' only")


class Summary(Wire):
    hall_code: str
    hall_cases: int
    device_cases: int
    device_complete: int
    catalog_etag: str | None = Field(default=None, description=(
        "the newest catalog's ETag, as `GET /catalog` gives it: a terminal holding it asks for no catalog; "
        "absent from older platforms and while none is published"))
    settings_version: int | None = Field(default=None, description=(
        "the version of this terminal's settings document from the centre: a terminal that has seen it asks "
        "for no settings; absent from older platforms and while the centre set nothing"))


class ChangesPage(Wire):
    changes: list[Change]
    cursor: Annotated[StrictInt, Field(ge=0)]
    more: bool
    summary: Summary | None = Field(default=None, description=(
        "on the last page (more false): the count check's figures as `GET /summary` gives them, read with the "
        "page, so a sync pass needs no request of its own for them; absent from older platforms"))


class ChangesStart(Wire):
    """Where a terminal that has never read the feed starts: the hall's newest change as of now.

    It then reads `GET /changes?since=0&start=<cursor>`: up to the start, only its own applications and (a
    counter) the hall's open online cases; after it, everything, as usual.
    """

    cursor: Annotated[StrictInt, Field(ge=0)]


class LookupAnswer(Wire):
    """A counter gets the application id too; a kiosk only what the citizen holding the number may know."""

    id: str | None = None
    case_no: str | None = None
    receipt_no: str | None = None
    status: str
    status_note: str | None = None
    complete: bool = False


# --- staff accounts (counters only) ----------------------------------------------------------------

class StaffEntry(Wire):
    username: Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_.-]{1,31}$")]
    display_name: Annotated[str, Field(max_length=100)]
    role: Literal["clerk", "supervisor", "administrator"]
    password_hash: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\$argon2id\$")]
    active: bool


class StaffList(Wire):
    """The hall's staff accounts as the platform keeps them: a counter checks passwords offline against these."""

    hall_code: str
    staff: list[StaffEntry]
# --- audit heads ---------------------------------------------------------------------------------

Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
EntryId = Annotated[int, Field(ge=0, le=2**62)]


class AuditAnchor(BaseModel):
    """The terminal's entry at the position of the head the platform last accepted: what it holds there
    now (`hash` None: no such entry any more) and how many entries lead up to it."""

    last_id: EntryId
    count: EntryId
    hash: Hash | None = None


class AuditHeadPush(BaseModel):
    """A terminal's audit head; `anchor` proves it extends the head the platform holds."""

    last_id: EntryId
    count: EntryId
    hash: Hash
    anchor: AuditAnchor | None = None


class AuditHead(Wire):
    last_id: int
    count: int
    hash: str
    received_at: AwareDatetime | None = None


class AuditHeadAnswer(Wire):
    """`accepted` (a new head), `unchanged` (the same head again) or `anchor_needed`: send again with the
    terminal's entry at `anchor_id`. A head that does not extend the platform's is answered 409
    (`audit_head_rewound`), recorded as a discrepancy and not accepted."""

    result: Literal["accepted", "unchanged", "anchor_needed"]
    head: AuditHead | None = None
    anchor_id: int | None = None


class PushedAuditHead(Wire):
    """The answer to an audit head sent along with a push: `POST /audit/heads`'s answer, where that route's
    409 is `refused` (recorded as a discrepancy, not accepted) and a head that does not fit is `invalid`."""

    result: Literal["accepted", "unchanged", "anchor_needed", "refused", "invalid"]
    head: AuditHead | None = None
    anchor_id: int | None = None
    reason: Reason | None = None


class AuditDiscrepancy(Wire):
    received_at: AwareDatetime
    last_id: int
    count: int
    hash: str
    reason: Reason


class AuditHeadsRecord(Wire):
    """The heads the platform holds for the asking device, oldest first (the newest `limit`)."""

    heads: list[AuditHead]
    discrepancies: list[AuditDiscrepancy] = Field(default_factory=list)
    total_heads: int = 0


def parse(model: type[M], value: Any) -> M:
    """The client's side: raises `ValueError` (a `ValidationError`) when an answer does not fit."""
    return model.model_validate(value)




# --- hall queue statistics (schema 6) ---------------------------------------------------------------------

ServiceDay = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Seconds = Annotated[float, Field(ge=0, le=1e10, allow_inf_nan=False)]


class HallStatsRow(BaseModel):
    """One hour of one queue line on one day (`kiosk.queue.model.DailyStats`): sums in seconds, so they add."""

    model_config = ConfigDict(extra="forbid")
    service_day: ServiceDay
    hour: Annotated[int, Field(ge=0, le=23)]
    category: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{0,7}$")]
    issued: Count
    served: Count
    no_shows: Count
    wait_seconds_sum: Seconds
    walk_seconds_sum: Seconds
    service_seconds_sum: Seconds
    served_within_target: Count

    @field_validator("service_day")
    @classmethod
    def _real_day(cls, value: str) -> str:
        from datetime import date

        date.fromisoformat(value)  # ValueError: a 422
        return value

    @field_validator("served_within_target")
    @classmethod
    def _within_served(cls, value: int, info: Any) -> int:
        served = info.data.get("served")
        if served is not None and value > served:
            raise ValueError("served_within_target cannot exceed served")
        return value

    @field_validator("no_shows")
    @classmethod
    def _fits_issued(cls, value: int, info: Any) -> int:
        issued, served = info.data.get("issued"), info.data.get("served")
        if issued is not None and served is not None and served + value > issued:
            raise ValueError("served + no_shows cannot exceed issued")
        return value


class HallStatsPush(BaseModel):
    """A counter's recomputed rows; each replaces the platform's row with the same (day, hour, line)."""

    model_config = ConfigDict(extra="forbid")
    rows: Annotated[list[HallStatsRow], Field(min_length=1, max_length=5000)]

    @field_validator("rows")
    @classmethod
    def _distinct(cls, rows: list[HallStatsRow]) -> list[HallStatsRow]:
        keys = {(r.service_day, r.hour, r.category) for r in rows}
        if len(keys) != len(rows):
            raise ValueError("a (service_day, hour, category) appears twice")
        return rows


class HallStatsAnswer(Wire):
    stored: int
    days: list[str]


# models that name others defined further down, completed now: a subclass in another module
# (`sync.wire_heartbeat.PushWithHeartbeat`) could not resolve those names from there
PushResponse.model_rebuild()
UploadBatchAnswer.model_rebuild()
