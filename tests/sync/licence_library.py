"""A small real licence library for the terminal's tests: FastAPI under uvicorn, speaking
`sync.wire_licences` (offers, uses, signing key) and `GET /attachments/{sha256}` with the protocol header.

It stands in for the platform's routes so the client is tested over real HTTP with real PDFs and real
Ed25519 signatures; the tests also run against the reference platform's own routes when it has them. Its
knobs let a test do what a broken or hostile platform would: tamper with a copy, swap its key, go away.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from kiosk.licences.identifier import make_identifier
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.wire_licences import OffersAnswer, OffersQuery, SigningKey, UseAnswer, UseRequest

TOKEN = "test-device-token"


@dataclass
class Holding:
    identifier: str
    type_code: str
    type_name: dict[str, str]
    holder_id: str
    holder_name: str
    materials: tuple[str, ...]  # the materials (of any item) this type stands for, as the catalog says
    valid_until: date | None = None
    revoked: bool = False


def holding(type_code: str, serial: str, holder_id: str, holder_name: str, materials: tuple[str, ...],
            valid_until: date | None = None, name: tuple[str, str] = ("居民身份证", "Resident ID card")) -> Holding:
    return Holding(make_identifier(type_code, "11330000002482457N", serial), type_code,
                   {"zh": name[0], "en": name[1]}, holder_id, holder_name, materials, valid_until)


def copy_pdf(identifier: str, application_id: str) -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pdf.drawString(72, 760, f"Licence {identifier}")
    pdf.drawString(72, 740, f"For application {application_id} only")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


@dataclass
class Library:
    holdings: list[Holding] = field(default_factory=list)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    key_id: str = "key-1"
    blobs: dict[str, bytes] = field(default_factory=dict)
    uses: dict[str, dict[str, Any]] = field(default_factory=dict)  # use_id -> the answer
    calls: list[str] = field(default_factory=list)
    tamper: bool = False  # serve a copy with one byte changed
    tamper_only: set[str] = field(default_factory=set)  # ...or only the copies of these licences (identifiers)
    down: bool = False  # answer every request with 503

    def public_key(self) -> str:
        return base64.b64encode(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def create_app(lib: Library) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def protocol(request: Request, call_next: Any) -> Any:
        lib.calls.append(f"{request.method} {request.url.path}")
        if lib.down:
            response: Any = JSONResponse({"code": "down"}, status_code=503)
        elif request.headers.get("authorization") != f"Bearer {TOKEN}":
            response = JSONResponse({"code": "unauthorized"}, status_code=401)
        else:
            response = await call_next(request)
        response.headers[PROTOCOL_HEADER] = PROTOCOL_VERSION
        return response

    def refuse(status: int, zh: str, en: str, code: str) -> JSONResponse:
        return JSONResponse({"code": code, "reason": {"zh": zh, "en": en}}, status_code=status)

    @app.post("/api/v1/licences/offers")
    def offers(query: OffersQuery) -> Any:
        today = date.today()
        found = [{"identifier": h.identifier, "type_code": h.type_code, "type_name": h.type_name,
                  "material_code": m, "holder_name": h.holder_name, "issuer_name": "杭州市公安局",
                  "issued_on": "2020-01-02", "valid_until": h.valid_until}
                 for h in lib.holdings if h.holder_id == query.id_number and not h.revoked
                 and (h.valid_until is None or h.valid_until >= today) for m in h.materials]
        return OffersAnswer.model_validate({"offers": found}).model_dump(mode="json")

    @app.post("/api/v1/licences/uses")
    def uses(body: UseRequest) -> Any:
        if body.use_id in lib.uses:
            return lib.uses[body.use_id]
        held = next((h for h in lib.holdings if h.identifier == body.identifier), None)
        if held is None or held.holder_id != body.id_number:
            return refuse(403, "该证照不属于申请人。", "This licence is not the applicant's.", "not_holder")
        if held.valid_until is not None and held.valid_until < date.today():
            return refuse(409, "该证照已过期。", "This licence has expired.", "expired")
        data = copy_pdf(body.identifier, body.application_id)
        sha = hashlib.sha256(data).hexdigest()
        lib.blobs[sha] = data
        answer = UseAnswer.model_validate({
            "use_id": body.use_id, "identifier": held.identifier, "type_code": held.type_code,
            "type_name": held.type_name, "issuer_name": "杭州市公安局", "valid_until": held.valid_until,
            "sha256": sha, "size": len(data), "media_type": "application/pdf", "page_count": 1,
            "signature": base64.b64encode(lib.key.sign(sha.encode("ascii"))).decode(),
            "key_id": lib.key_id}).model_dump(mode="json")
        lib.uses[body.use_id] = answer
        return answer

    @app.get("/api/v1/licences/signing-key")
    def signing_key() -> Any:
        return SigningKey(key_id=lib.key_id, public_key=lib.public_key()).model_dump(mode="json")

    @app.get("/api/v1/attachments/{sha256}")
    def attachment(sha256: str) -> Any:
        data = lib.blobs.get(sha256)
        if data is None:
            return refuse(404, "没有这个文件。", "No such file.", "not_found")
        of = {u["identifier"] for u in lib.uses.values() if u["sha256"] == sha256}
        if lib.tamper or of & lib.tamper_only:
            data = data[:-20] + bytes([data[-20] ^ 1]) + data[-19:]
        return Response(data, media_type="application/pdf")

    return app


class LibraryServer:
    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(create_app(lib), log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])),
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("licence library did not start")
            time.sleep(0.01)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
