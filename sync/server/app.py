"""The platform's HTTP API (FastAPI), documented by its own OpenAPI document.

Every answer carries the protocol header, so a terminal can tell the
platform's "done" from a captive portal's login page. Bodies are bounded
(`Limits`); anything malformed gets a 4xx naming what is wrong.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.errors import UserFacingError
from sync.protocol import (
    API_PREFIX,
    CHECKSUM_MISMATCH,
    COMPLETED_APPLICATIONS_HEADER,
    COMPLETED_APPLICATIONS_MAX,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    TUS_VERSION,
    UPLOAD_BATCH_HEADER,
    UPLOAD_COMPLETE_HEADER,
    UPLOAD_CONTENT_TYPE,
)
from sync import wire
from sync.server import (
    appointments_api,
    audit_heads,
    cases,
    centre_settings,
    centre_settings_api,
    enrollment,
    fleet,
    fleet_api,
    hall_stats,
    licences,
    licences_api,
    openapi_doc,
    prereview,
    prereview_api,
    updates_api,
    upload_batch,
    uploads,
)
from sync.server import staff as staff_accounts
from sync.server.blob_crypto import BlobDamaged
from sync.server.blocking_route import blocking_route
from sync.server.db import PlatformStore
from sync.server.http_limits import DeviceConcurrencyMiddleware
from sync.server.request_guard import BodyRefused, check_json_body
from sync.server.deps import (
    FORBIDDEN,
    CounterDep,
    DeviceDep,
    Unauthorized,
    WrongRole,
    problem,
)
from sync.server.models import Blob, Device, PublishedCatalog, utcnow
from sync.wire_heartbeat import ChangesWithHeartbeat, HeartbeatPush, PushWithHeartbeat

log = logging.getLogger("onewindow.platform")


@dataclass(frozen=True)
class Limits:
    max_json_bytes: int = 2 * 1024 * 1024
    max_chunk_bytes: int = 4 * 1024 * 1024
    max_upload_bytes: int = 64 * 1024 * 1024
    max_batch: int = 100
    max_requests_per_device: int = 16  # requests one device token may have in flight at once


def _cut_when_damaged(pieces: Iterator[bytes], sha256: str) -> Iterator[bytes]:
    """A segment that fails to authenticate mid-download ends the answer short of its Content-Length (the
    client sees an incomplete body, never unauthenticated bytes), with the cause in the log. The error goes on
    up, so the server closes the connection: a quiet end left the client waiting for the missing bytes."""
    try:
        yield from pieces
    except (BlobDamaged, FileNotFoundError) as exc:
        log.error("stored file %s failed while it was sent: %s", sha256, exc)
        raise


class ProtocolMiddleware:
    """Stamps the protocol header on every answer, refuses oversized, unsized or malformed bodies early,
    and answers any unexpected failure in the platform's error format (still with the protocol header).

    Only the per-device cap lies outside it, so even Starlette's own errors and a 500 pass through it.
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def stamped(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != PROTOCOL_HEADER.lower().encode()]
                headers.append((PROTOCOL_HEADER.lower().encode(), PROTOCOL_VERSION.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._guarded(scope, receive, stamped)
        except ClientDisconnect:
            return
        except Exception:
            log.exception("unexpected failure answering %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await problem(500, "平台内部错误，请稍后重试。", "The platform failed on this request; try again later.",
                              "internal")(scope, receive, stamped)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        # Upload chunks: a PATCH, and the first chunk a POST /uploads may carry (tus creation-with-upload).
        # Upload batches (POST /uploads/batch) are bounded the same way.
        is_chunk = (scope["method"] == "PATCH" and scope["path"].startswith(f"{API_PREFIX}/uploads/")
                    or scope["method"] == "POST" and scope["path"] in (f"{API_PREFIX}/uploads",
                                                                       f"{API_PREFIX}/uploads/batch"))
        limit = self.limits.max_chunk_bytes if is_chunk else self.limits.max_json_bytes
        failure: JSONResponse | None = None
        declared = 0
        if "chunked" in headers.get("transfer-encoding", "").lower():
            failure = problem(411, "请求须带 Content-Length。", "A Content-Length is required.", "length_required")
        elif "content-length" in headers:
            raw = headers["content-length"].strip()
            if not DIGITS.fullmatch(raw):
                failure = problem(400, "Content-Length 无效。", "Content-Length is invalid.", "bad_length")
            elif int(raw) > limit:
                failure = problem(413, f"请求体超过上限（{limit}字节）。", f"The body is over the limit of {limit} bytes.",
                                  "too_large")
            else:
                declared = int(raw)
        if failure is None and declared and not is_chunk and scope["method"] in BODY_METHODS:
            body = await _read_body(receive)
            try:
                check_json_body(headers.get("content-type", ""), body)
            except BodyRefused as exc:
                failure = problem(exc.status, exc.zh, exc.en, exc.code)
            else:
                receive = _replay(body, receive)
        if failure is not None:
            await failure(scope, receive, send)
            return
        await self.app(scope, receive, send)


DIGITS = re.compile(r"[0-9]{1,18}")
NEWEST_CATALOG = select(PublishedCatalog.id, PublishedCatalog.etag).order_by(PublishedCatalog.id.desc()).limit(1)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


async def _read_body(receive: Receive) -> bytes:
    """The whole body (its size is already bounded by Content-Length and the limit)."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hands the application the body this layer already read, then the connection's later messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class EnrollIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    # the hall the technician set the terminal up for (`onewindow setup`): a code of another hall is refused
    # and stays unused
    hall_code: str | None = Field(default=None, min_length=1, max_length=12)


class EnrollOut(BaseModel):
    device_id: int
    hall_code: str
    device_name: str
    token: str
    device_no: int = Field(ge=1, le=999, description="the device's number in its hall, the middle part of its "
                                                     "receipt numbers; never handed out twice in a hall")
    role: Literal["kiosk", "counter"] = Field(description="what the device may do: a kiosk pushes and reads back "
                                                          "its own applications, a counter works its hall's cases")
    settings_key: str | None = Field(default=None, description="the platform's Ed25519 public key (base64, raw) "
                                                               "that signs this device's settings from the centre")


UploadId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]


# the feed's query, the same for GET /changes and POST /changes
FeedSince = Annotated[int, Query(ge=0, le=2**62)]
FeedLimit = Annotated[int, Query(ge=1, le=500)]
FeedStart = Annotated[int | None, Query(ge=0, le=2**62, description=(
    "the cursor `GET /changes/start` gave this terminal: up to it, only its own applications and "
    "(a counter) the hall's open online cases"))]

REQUEST_THREADS = 8  # = sync.server.db.POOL_SIZE: each thread running a route's database work holds one connection


@asynccontextmanager
async def _threads(_app: FastAPI) -> AsyncIterator[None]:
    """Routes doing database work run in at most `REQUEST_THREADS` threads (anyio's default is 40): more only
    contend for the GIL (at 50 terminals, 6 threads cost 10-20 % less CPU per application than 16, and were
    faster) and for the pool's connections, which were opened and closed past its size. A platform that needs
    more concurrency runs more workers (`serve --workers N`), each with its own GIL."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(store: PlatformStore, limits: Limits = Limits()) -> FastAPI:
    app = FastAPI(title="OneWindow platform", version=PROTOCOL_VERSION, openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url=f"{API_PREFIX}/docs", redoc_url=None, lifespan=_threads)
    app.add_middleware(ProtocolMiddleware, limits=limits)
    # Outermost, so a request counts from its head on, also while the protocol layer reads its body.
    app.add_middleware(DeviceConcurrencyMiddleware, limit=limits.max_requests_per_device, refuse=lambda: problem(
        429, "本设备同时发出的请求过多，请稍后重试。", "This device has too many requests in flight; try again shortly.",
        "too_many_requests", headers={"Retry-After": "1", PROTOCOL_HEADER: PROTOCOL_VERSION}))
    app.state.store = store
    router = APIRouter(prefix=API_PREFIX)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [_printable(str(p)) for p in e.get("loc", ())], "msg": _printable(str(e.get("msg", ""))),
                   "type": _printable(str(e.get("type", "")))} for e in exc.errors()[:20]]
        where = "; ".join(".".join(e["loc"]) + ": " + e["msg"] for e in errors[:5])
        return JSONResponse({"code": "invalid", "reason": {"zh": f"请求内容无效：{where}", "en": f"Invalid request: {where}"},
                             "detail": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        zh, en, code = HTTP_ERRORS.get(exc.status_code, ("请求无法处理。", "The request cannot be handled.", "error"))
        return problem(exc.status_code, zh, en, code, headers=dict(exc.headers or {}))

    @app.exception_handler(UserFacingError)
    async def _user_error(_request: Request, exc: UserFacingError) -> JSONResponse:
        return problem(400, exc.message.zh, exc.message.en, exc.code)

    @app.exception_handler(Unauthorized)
    async def _unauth(_request: Request, _exc: Unauthorized) -> JSONResponse:
        return problem(401, "本设备未注册或已被停用，请重新注册。", "This device is not enrolled or was revoked; enroll it again.",
                       "enrollment_required", headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(WrongRole)
    async def _wrong_role(_request: Request, _exc: WrongRole) -> JSONResponse:
        return problem(403, "本设备注册为自助终端，不能执行此操作：只有本大厅的窗口终端可以。",
                       "This device is enrolled as a kiosk and may not do this; only a counter device of the hall "
                       "may.", "device_role")

    @router.post("/enroll", response_model=EnrollOut, responses={403: {"description": "code refused"},
                                                                 409: {"description": "every device number of the "
                                                                                      "hall is taken"}})
    def enroll(body: EnrollIn) -> Any:
        try:
            with store.transaction() as session:
                new = enrollment.redeem(session, body.code, expected_hall=body.hall_code)
        except enrollment.EnrollmentRefused as exc:
            return problem(403, exc.message.zh, exc.message.en, exc.code)
        except enrollment.HallFull as exc:
            return problem(409, exc.message.zh, exc.message.en, exc.code)
        return EnrollOut(device_id=new.device_id, hall_code=new.hall_code, device_name=new.device_name, token=new.token,
                         device_no=new.device_no, role=new.role,
                         settings_key=centre_settings.settings_key(store).public_b64)

    published: dict[int, bytes] = {}  # a published catalog's JSON by its row id (rows are only ever added)

    @router.get("/catalog", responses={304: {"description": "not modified"}, 404: {"description": "none published"}})
    def catalog(request: Request, device: DeviceDep) -> Any:
        """The newest catalog; its etag alone is read while the terminal's copy is current (every sync pass)."""
        with store.reading() as conn:
            row = conn.execute(NEWEST_CATALOG).first()
            if row is None:
                return problem(404, "平台尚未发布服务目录。", "The platform has not published a catalog.", "no_catalog")
            etag = f'"{row.etag}"'
            if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
                return Response(status_code=304, headers={"ETag": etag})
            body = published.get(row.id)
            if body is None:
                document = conn.execute(select(PublishedCatalog.document).where(PublishedCatalog.id == row.id)).scalar_one()
                body = JSONResponse(document).body
                published.clear()
                published[row.id] = body
        return Response(body, media_type="application/json", headers={"ETag": etag})

    @router.post("/applications", response_model=PushWithHeartbeat)
    @blocking_route
    def push(body: wire.PushRequest, device: DeviceDep) -> Any:
        """Application documents (`ApplicationDocument`), each judged on its own; then the terminal's audit
        head and heartbeat reports, when they came along."""
        answer: dict[str, Any] = {"results": [r.as_dict() for r in cases.push_batch(store, device, body.applications)],
                                  "upload_batch_bytes": limits.max_chunk_bytes}
        if body.audit_head is not None:
            try:
                head = wire.AuditHeadPush.model_validate(body.audit_head)
            except wire.ValidationError:
                answer["audit_head"] = {"result": "invalid", "reason": {
                    "zh": "审计头格式不符，未处理。", "en": "The audit head does not fit its schema; it was not taken in."}}
            else:
                try:
                    answer["audit_head"] = take_audit_head(head, device)
                except Exception:  # noqa: BLE001 - the applications are in; no answer sends the head on its own
                    log.exception("an audit head sent with a push was not taken in")
        if body.heartbeat is not None:
            try:
                answer["heartbeat"] = take_heartbeat(body.heartbeat, device)
            except Exception:  # noqa: BLE001 - the applications are in; no answer sends the reports on their own
                log.exception("heartbeat reports sent with a push were not taken in")
        return answer

    def take_heartbeat(raw: Any, device: Device) -> dict[str, Any]:
        """`HeartbeatOnPush`: the reports taken as `POST /heartbeat` takes them, or none of them when the batch
        does not fit (the terminal then sends them on their own, where the one that does not fit is found)."""
        try:
            reports = HeartbeatPush.model_validate(raw)
        except wire.ValidationError:
            return {"result": "invalid", "reason": {
                "zh": "心跳报告格式不符，均未处理。", "en": "The heartbeat reports do not fit their schema; none was taken in."}}
        return {"result": "taken", **fleet.take(store, device, reports)}

    @router.post("/applications/state", response_model=wire.StatesResponse)
    @blocking_route
    def states(body: wire.StatesRequest, device: DeviceDep) -> Any:
        with store.reading() as conn:
            found = cases.case_states_read(conn, device, body.ids)
        if found is not None:
            return {"states": found}
        with store.transaction() as session:
            return {"states": cases.case_states(session, device, body.ids)}

    @router.post("/attachments/missing", response_model=wire.MissingResponse)
    def missing(body: wire.MissingRequest, device: DeviceDep) -> Any:
        with store.transaction() as session:
            return {"missing": cases.missing_blobs(session, device.hall_code, body.sha256)}

    def feed_page(conn: Connection, device: Device, since: int, limit: int, start: int | None) -> dict[str, Any]:
        rows, cursor, more = cases.changes_since(conn, device.hall_code, since, limit,
                                                 device_id=None if device.role == "counter" else device.id,
                                                 start=start, device=device)
        # the last page carries the count check's figures: a pass needs no GET /summary of its own
        figures = None if more else cases.summary(conn, device)
        return {"changes": rows, "cursor": cursor, "more": more, "summary": figures}

    @router.get("/changes", response_model=wire.ChangesPage)
    @blocking_route
    def changes(device: DeviceDep, since: FeedSince = 0, limit: FeedLimit = 100, start: FeedStart = None) -> Any:
        with store.reading() as conn:  # Core: every sync pass reads a page (an ORM session cost twice the page)
            return feed_page(conn, device, since, limit, start)

    @router.post("/changes", response_model=ChangesWithHeartbeat)
    @blocking_route
    def changes_with_heartbeat(body: HeartbeatPush, device: DeviceDep, since: FeedSince = 0,
                               limit: FeedLimit = 100, start: FeedStart = None) -> Any:
        """`GET /changes` with the terminal's heartbeat reports along, taken as `POST /heartbeat` takes them: one
        request and one transaction for what an idle terminal's pass sends every minute. A batch that does not
        fit is refused whole (422) and the page is not read; the terminal then sends both on their own."""
        with store.engine.begin() as conn:
            results = fleet.receive(conn, device, body)
            page = feed_page(conn, device, since, limit, start)
        return {**page, "heartbeat": {"results": results, "server_time": utcnow()}}

    @router.get("/changes/start", response_model=wire.ChangesStart)
    @blocking_route
    def changes_start(device: DeviceDep) -> Any:
        """Where a terminal that has never read the feed starts: the present, not the hall's whole history."""
        with store.read() as session:
            return {"cursor": cases.feed_head(session, device.hall_code)}

    @router.get("/summary", response_model=wire.Summary)
    @blocking_route
    def summary(device: DeviceDep) -> Any:
        with store.reading() as conn:
            return cases.summary(conn, device)

    @router.get("/lookup", response_model=wire.LookupAnswer, responses={404: {"description": "no such case in this hall"}})
    def lookup(device: DeviceDep, number: Annotated[str, Query(min_length=1, max_length=64)]) -> Any:
        with store.read() as session:
            case = cases.lookup(session, device.hall_code, number)
            if case is None:
                return problem(404, "本大厅没有这个编号的案件。", "This hall has no case with that number.", "not_found")
            if device.role != "counter":  # a kiosk shows the citizen what the citizen may know
                return JSONResponse(cases.citizen_view(case))  # as it is: no "id" key at all, not even null
            return cases.describe(session, case)

    @router.post("/decisions", response_model=wire.DecisionAnswer, responses={404: {"description": "no such case in this hall"},
                                          409: {"description": "stale or illegal for the case's status, or the id "
                                                               "is taken by a different decision"},
                                          422: {"description": "invalid"},
                                          403: {"model": wire.ProblemAnswer,
                                                "description": "not a counter, another hall's case, or decided_by is "
                                                               "no active staff account of the hall that may "
                                                               "decide"}})
    @blocking_route
    def decisions(body: wire.DecisionRequest, device: CounterDep) -> Any:
        decision = cases.HallDecision(decision_id=body.decision_id.lower(), application_id=body.application_id.lower(),
                                      to=body.to, note=body.note.strip(), missing=tuple(body.missing),
                                      decided_by=body.decided_by, decided_at=body.decided_at)
        try:
            answer = cases.submit_decision(store, device, decision)
            if body.visits is not None:  # the one-visit figure travels with the decision (sync.server.prereview)
                prereview.record_visits(store, device, answer["application_id"], body.visits)
            return answer
        except cases.DecisionRefused as exc:
            return problem(exc.status, exc.message.zh, exc.message.en, exc.code)

    @router.get("/attachments/{sha256}", response_class=StreamingResponse,
                responses={200: {"content": {"application/octet-stream": {}}},
                           404: {"description": "not a file this hall has uploaded"},
                           500: {"description": "the stored file is damaged"}, **FORBIDDEN})
    def attachment(sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")], device: DeviceDep) -> Any:
        """A file this hall uploaded (or the platform stored for it: online cases' files for the counter).

        A kiosk gets only the files of applications it pushed itself, and the
        annotated copies of the licence uses it made (before it submits): any
        other hash is 403, whether or not it exists, so a kiosk learns nothing.
        Streamed from the store (`store.blobs`: the local directory or object
        storage), decrypted as it goes, in bounded memory. A file on the local
        disk is authenticated whole before the answer starts, so a damaged file
        is a clear error rather than a download cut short; an object is not read
        twice over the network: its header and first segment are authenticated
        before the answer starts (a wrong key or another file is a clear error),
        and a later damaged segment ends the download short of its length, which
        the terminal refuses (it checks every file's SHA-256 as well).
        """
        with store.transaction() as session:
            if (device.role != "counter" and not cases.referenced_by_device(session, device.id, sha256)
                    and not licences.copy_for_device(session, device.id, sha256)):  # its own licence uses' copies
                return problem(403, "自助终端只能取回本机提交的申请的文件。",
                               "A kiosk may download only the files of applications it submitted itself.",
                               "device_role")
            owned = cases.hall_blob(session, device.hall_code, sha256)
            media_type = owned.media_type if owned is not None else None
            blob = session.get(Blob, sha256) if owned is not None else None
            locator = blob.locator if blob is not None else None
        not_found = problem(404, "本大厅没有这个文件。", "This hall has no such file.", "not_found")
        if owned is None:
            return not_found
        blobs = store.blobs
        headers = {"Cache-Control": "no-store", "OneWindow-SHA256": sha256}
        try:
            if blobs.kind == "local" or blob is None:
                size = sum(len(piece) for piece in blobs.open(sha256, locator))
                pieces: Iterator[bytes] = blobs.open(sha256, locator)
            else:  # one GET: the size is the verified file's, from its row
                size = blob.size
                opened = blobs.open(sha256, locator)
                pieces = itertools.chain([next(opened, b"")], opened)
        except FileNotFoundError:
            return not_found
        except BlobDamaged as exc:
            log.error("stored file %s cannot be read: %s", sha256, exc)
            return problem(500, "平台保存的这个文件已损坏或无法解密，请联系平台管理员。",
                           "The platform's copy of this file is damaged or cannot be decrypted; call the platform's "
                           "administrator.", "blob_damaged")
        headers["Content-Length"] = str(size)
        return StreamingResponse(_cut_when_damaged(pieces, sha256), media_type=_safe_media_type(media_type),
                                 headers=headers)

    @router.get("/staff", response_model=wire.StaffList, responses=FORBIDDEN)
    @blocking_route
    def staff(device: CounterDep) -> Any:
        """The hall's staff accounts with their password hashes, for a counter to check logins offline."""
        with store.read() as session:
            return {"hall_code": device.hall_code, "staff": staff_accounts.staff_list(session, device.hall_code)}

    # --- resumable uploads (tus 1.0 core + creation + creation-with-upload + checksum) ----------------

    def tus_headers(state: uploads.UploadState) -> dict[str, str]:
        headers = {"Tus-Resumable": TUS_VERSION, "Upload-Offset": str(state.offset),
                   "Upload-Length": str(state.length), "Cache-Control": "no-store"}
        if state.complete:
            headers[UPLOAD_COMPLETE_HEADER] = "1"
            if 0 < len(state.completed_applications) <= COMPLETED_APPLICATIONS_MAX:
                headers[COMPLETED_APPLICATIONS_HEADER] = ",".join(state.completed_applications)
        return headers

    def upload_problem(exc: uploads.UploadError) -> JSONResponse:
        headers = {"Tus-Resumable": TUS_VERSION}
        if exc.offset is not None:
            headers["Upload-Offset"] = str(exc.offset)
        return JSONResponse({"code": exc.code, "reason": exc.reason}, status_code=exc.status, headers=headers)

    def upload_body_length(request: Request) -> int | JSONResponse:
        """The Content-Length of a body of upload bytes (a chunk, a batch), or the answer refusing its headers."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != UPLOAD_CONTENT_TYPE:
            return problem(415, f"Content-Type 须为 {UPLOAD_CONTENT_TYPE}。", f"Content-Type must be {UPLOAD_CONTENT_TYPE}.",
                           "content_type")
        raw_length = request.headers.get("content-length", "")
        if not DIGITS.fullmatch(raw_length):
            return problem(400, "缺少或无效的 Content-Length。", "Content-Length is missing or invalid.", "bad_length")
        return int(raw_length)

    def chunk_headers(request: Request) -> tuple[int, bytes] | JSONResponse:
        """A chunk's Content-Type, Content-Length (> 0) and Upload-Checksum, or the answer refusing them."""
        length = upload_body_length(request)
        if isinstance(length, JSONResponse):
            return length
        expected = _checksum(request.headers.get("upload-checksum", ""))
        if expected is None:
            return problem(400, "须带 Upload-Checksum: sha256 <base64>。", "Upload-Checksum: sha256 <base64> is required.",
                           "bad_checksum")
        if length == 0:
            return problem(400, "数据块为空。", "The chunk is empty.", "empty_chunk")
        return length, expected

    async def receive_chunk(request: Request, length: int, expected: bytes, running: Any,
                            offset: int | None, digest: Any = None) -> bytes | JSONResponse:
        """The chunk's bytes once all `length` of them arrived and match their checksum; `running` (the file's
        SHA-256 so far, when this process knows it) is fed them on the way, so no byte is read twice.
        `digest`: the fresh hash to take the chunk's checksum in (a first chunk's is also the file's running
        hash, so its bytes are hashed once, not twice).

        The chunk is held in memory: at most the platform's chunk limit, which the protocol layer enforced
        from Content-Length before a byte was read.
        """
        digest = digest if digest is not None else hashlib.sha256()
        pieces: list[bytes] = []
        received = 0
        async for piece in request.stream():
            received += len(piece)
            if received > length:
                break
            digest.update(piece)
            if running is not None:
                running.update(piece)
            pieces.append(piece)
        if received != length:
            return problem(400, "数据块长度与 Content-Length 不符。", "The chunk does not match Content-Length.",
                           "bad_length")
        if digest.digest() != expected:
            headers = {"Tus-Resumable": TUS_VERSION}
            if offset is not None:
                headers["Upload-Offset"] = str(offset)
            return JSONResponse({"code": "checksum", "reason": {
                "zh": "数据块校验失败，请重发。", "en": "The chunk failed its checksum; send it again."}},
                status_code=CHECKSUM_MISMATCH, headers=headers)
        return b"".join(pieces)

    @router.post("/uploads", status_code=201, responses={
        200: {"description": "this hall already holds the file, or the body was the whole file and it is stored"},
        400: {}, 409: {}, 413: {}, 415: {}, CHECKSUM_MISMATCH: {"description": "the first chunk failed its checksum; "
                                                                                "no upload was created"},
        422: {"description": "the length (or, for a whole file, the media type) differs from what this hall's "
                             "cases declare for the file"}})
    async def create_upload(request: Request, device: DeviceDep) -> Any:
        """Create an upload (tus creation). The body may carry its first chunk, or the whole file (tus
        creation-with-upload, with Upload-Checksum): 201 once that chunk is committed, 200 with
        OneWindow-Upload-Complete when the file is complete. An upload this device already has for the file
        is handed back with its offset (its body then unused)."""
        raw_length = request.headers.get("upload-length", "")
        if not DIGITS.fullmatch(raw_length) or len(raw_length) > 15:
            return problem(400, "缺少或无效的 Upload-Length。", "Upload-Length is missing or invalid.", "bad_length")
        sha256 = _metadata_sha256(request.headers.get("upload-metadata", ""))
        if sha256 is None:
            return problem(400, "Upload-Metadata 须含 sha256。", "Upload-Metadata must carry sha256.", "bad_metadata")
        length = int(raw_length)
        first: bytes | None = None
        running: Any = None
        if request.headers.get("content-length", "0").strip() not in ("", "0"):
            checked = chunk_headers(request)
            if isinstance(checked, JSONResponse):
                return checked
            try:
                uploads.check_length(length, limits.max_upload_bytes, checked[0])
            except uploads.UploadError as exc:
                return upload_problem(exc)
            running = hashlib.sha256()  # the file's SHA-256 from its first byte: the same as the chunk's checksum
            try:
                received = await receive_chunk(request, checked[0], checked[1], None, None, digest=running)
            except ClientDisconnect:  # the link dropped mid-chunk: nothing was created
                return Response(status_code=400)
            if isinstance(received, JSONResponse):
                return received
            first = received
        try:
            state = await run_in_threadpool(uploads.create, store, device, sha256, length, limits.max_upload_bytes,
                                            first, running)
        except uploads.UploadError as exc:
            return upload_problem(exc)
        headers = tus_headers(state)
        if state.complete:
            return Response(status_code=200, headers=headers)
        headers["Location"] = f"{API_PREFIX}/uploads/{state.id}"
        return Response(status_code=201, headers=headers)

    @router.post("/uploads/batch", response_model=wire.UploadBatchAnswer, responses={
        400: {"model": wire.ProblemAnswer}, 413: {"model": wire.ProblemAnswer}, 415: {"model": wire.ProblemAnswer}})
    async def upload_batch_route(request: Request, device: DeviceDep,
                                 since: Annotated[int | None, Query(ge=0, le=2**62)] = None,
                                 limit: FeedLimit = 100, start: FeedStart = None) -> Any:
        """Several whole files in one body, one after another, each named with its length in
        OneWindow-Upload-Batch ("<sha256>:<length>,...", body order; at most the push answer's
        `upload_batch_bytes` in all). Each is answered on its own as `POST /uploads` would answer it whole;
        a request that does not fit as a whole takes nothing in.

        With `since` (and `limit`, `start` as `GET /changes` takes them), the answer also carries that page of
        the feed, read after the files were taken in (so it tells the cases they completed): a pass whose
        uploads are one batch reads the feed with it."""
        length = upload_body_length(request)
        if isinstance(length, JSONResponse):
            return length
        whole: list[upload_batch.Received] = []
        try:
            entries = upload_batch.manifest(request.headers.get(UPLOAD_BATCH_HEADER, ""), length,
                                            limits.max_upload_bytes)
            await upload_batch.receive(request.stream(), entries, whole)
        except BodyRefused as exc:  # the request as a whole does not fit: nothing was taken in
            return problem(exc.status, exc.zh, exc.en, exc.code)
        except ClientDisconnect:  # the link dropped mid-body: the files that arrived whole are kept
            if whole:
                await run_in_threadpool(upload_batch.take_in, store, device, whole, limits.max_upload_bytes)
            return Response(status_code=400)
        feed = None if since is None else (since, limit, start)
        return await run_in_threadpool(take_in_and_read, device, whole, feed)

    def take_in_and_read(device: Device, whole: list[upload_batch.Received],
                         feed: tuple[int, int, int | None] | None) -> dict[str, Any]:
        """The batch's files taken in, then (one hand-over to a thread for both) the feed's page read. The
        files are committed before the read: a read that fails (the database lost between the two) answers
        them anyway, with `feed_unread`, so the terminal reads the feed itself instead of sending them again."""
        answer: dict[str, Any] = {"files": upload_batch.take_in(store, device, whole, limits.max_upload_bytes)}
        if feed is not None:
            try:
                with store.reading() as conn:
                    answer["feed"] = feed_page(conn, device, *feed)
            except SQLAlchemyError:
                log.warning("the feed's page a batch asked for was not read (its files are in)", exc_info=True)
                answer["feed_unread"] = True
        return answer

    @router.head("/uploads/{upload_id}", responses={404: {}})
    def upload_head(upload_id: UploadId, device: DeviceDep) -> Any:
        try:
            return Response(status_code=200, headers=tus_headers(uploads.get_state(store, device, upload_id)))
        except uploads.UploadError as exc:
            return Response(status_code=exc.status, headers={"Tus-Resumable": TUS_VERSION})

    @router.patch("/uploads/{upload_id}", status_code=204, response_model=None, response_class=Response,
                  responses={400: {}, 404: {}, 409: {}, 413: {}, 415: {}, CHECKSUM_MISMATCH: {},
                             422: {"description": "the file is not what this hall's cases declare (size, media type)"}})
    async def upload_patch(upload_id: UploadId, request: Request, device: DeviceDep) -> Any:
        """One chunk at Upload-Offset. The offset is checked when the chunk is committed, under the upload's
        row lock, so a request costs one transaction (409 with the current offset when it moved)."""
        checked = chunk_headers(request)
        if isinstance(checked, JSONResponse):
            return checked
        raw_offset = request.headers.get("upload-offset", "")
        if not DIGITS.fullmatch(raw_offset) or len(raw_offset) > 15:
            return problem(400, "缺少或无效的 Upload-Offset / Content-Length。",
                           "Upload-Offset or Content-Length is missing or invalid.", "bad_offset")
        offset = int(raw_offset)
        running = uploads.running_hashes.resume(upload_id, offset)
        try:
            chunk = await receive_chunk(request, checked[0], checked[1], running, offset)
        except ClientDisconnect:  # the link dropped mid-chunk: this chunk is lost, nothing else
            return Response(status_code=400)
        if isinstance(chunk, JSONResponse):
            return chunk
        try:
            state = await run_in_threadpool(uploads.commit_chunk, store, device, upload_id, offset, chunk, running)
        except uploads.UploadError as exc:
            return upload_problem(exc)
        return Response(status_code=204, headers=tus_headers(state))

    # --- audit heads (sync.server.audit_heads) ---------------------------------------------------

    @router.post("/audit/heads", response_model=wire.AuditHeadAnswer,
                 responses={409: {"model": wire.ProblemAnswer,
                                  "description": "the head does not extend the one the platform holds "
                                                 "(audit_head_rewound): recorded as a discrepancy, not accepted"}})
    @blocking_route
    def push_audit_head(body: wire.AuditHeadPush, device: DeviceDep) -> Any:
        """The terminal's audit head, sent with every sync that pushed nothing (a push carries it); kept
        append-only per device."""
        answer = take_audit_head(body, device)
        if answer["result"] == "refused":
            return JSONResponse(jsonable_encoder({"code": "audit_head_rewound", "reason": answer["reason"],
                                                  "head": answer["head"]}), status_code=409)
        return answer

    def take_audit_head(body: wire.AuditHeadPush, device: Device) -> dict[str, Any]:
        """`wire.PushedAuditHead`'s shape, for both routes that take a head."""
        outcome = audit_heads.take(store, device, body)
        held = audit_heads.head_dict(outcome.head) if outcome.head is not None else None
        if outcome.result == "discrepancy":
            assert outcome.problem is not None
            return {"result": "refused", "head": held, "reason": {
                "zh": f"审计头未被接受：{outcome.problem.zh}", "en": f"The audit head was not accepted: {outcome.problem.en}"}}
        return {"result": outcome.result, "head": held, "anchor_id": outcome.anchor_id}

    @router.get("/audit/heads", response_model=wire.AuditHeadsRecord)
    def audit_heads_of(device: DeviceDep, limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Any:
        """The heads the platform holds for the asking device (the authority `onewindow audit verify` uses)."""
        with store.read() as session:
            return audit_heads.record_of(session, device, limit)

    # --- hall queue statistics (sync.server.hall_stats) --------------------------------------------

    @router.post("/hall-stats", response_model=wire.HallStatsAnswer, responses=FORBIDDEN)
    @blocking_route
    def push_hall_stats(body: wire.HallStatsPush, device: CounterDep) -> Any:
        """A counter's recomputed queue figures for its hall; each row replaces the one with its (day, hour,
        line), so sending a day again is harmless."""
        with store.transaction() as session:
            stored, days = hall_stats.replace_rows(session, device, body)
        return {"stored": stored, "days": days}

    app.include_router(router)
    app.include_router(appointments_api.router(store))
    app.include_router(licences_api.router(store))
    app.include_router(prereview_api.router(store))
    app.include_router(updates_api.router(store))
    app.include_router(fleet_api.router(store))
    app.include_router(centre_settings_api.router(store))
    openapi_doc.install(app)
    return app


HTTP_ERRORS = {
    400: ("请求体无法解析。", "The request body could not be parsed.", "bad_request"),
    404: ("没有这个地址。", "There is no such address.", "not_found"),
    405: ("该地址不支持这种请求方法。", "This address does not take that method.", "method_not_allowed"),
}


MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


def _safe_media_type(value: str | None) -> str:
    """A stored media type goes into a response header only if it is a plain token (never CR/LF or non-Latin-1)."""
    return value if value and MEDIA_TYPE.fullmatch(value) else "application/octet-stream"


def _printable(text: str) -> str:
    """Error details quote the client's input: never let it make the answer itself unencodable."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:300]


def _metadata_sha256(header: str) -> str | None:
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if len(parts) == 2 and parts[0] == "sha256":
            try:
                value = base64.b64decode(parts[1], validate=True).decode("ascii")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return value if cases.SHA_RE.fullmatch(value) else None
    return None


def _checksum(header: str) -> bytes | None:
    parts = header.strip().split(" ")
    if len(parts) != 2 or parts[0].lower() != "sha256":
        return None
    try:
        value = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        return None
    return value if len(value) == 32 else None
