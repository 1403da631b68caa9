"""A terminal's application pushed to a real platform with its file still to upload, and raw tus requests."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from sync.client import PlatformClient, Timeouts
from sync.demo_data import submit_demo
from sync.protocol import TUS_VERSION, UPLOAD_CONTENT_TYPE
from sync.server.models import Blob, Case, HallBlob, Upload
from sync.upload import ResumableUploader
from tests.sync.conftest import enroll, make_terminal, pushed_document
from tests.sync.servers import PlatformServer


def assert_refused(answer: requests.Response, status: int, code: str) -> None:
    """The platform's refusal: its status, its code, and a reason in both languages."""
    assert answer.status_code == status, (answer.status_code, answer.text)
    body = answer.json()
    assert body["code"] == code and body["reason"]["zh"] and body["reason"]["en"], body


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class PendingFile:
    """One file an application pushed to the platform names and the platform does not hold yet."""

    platform: PlatformServer
    token: str
    app_id: str
    sha: str
    data: bytes

    def request(self, method: str, path: str, *, port: int | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Tus-Resumable": TUS_VERSION, **kwargs.pop("headers", {})}
        base = f"http://127.0.0.1:{port or self.platform.port}"
        return requests.request(method, base + path, headers=headers, timeout=30, **kwargs)

    def create(self, body: bytes | None = None, *, sha: str | None = None, length: int | None = None,
               checksum: bytes | None = None, port: int | None = None, **headers: str) -> requests.Response:
        """POST /uploads; with `body`, the first chunk goes with it (tus creation-with-upload)."""
        head = {"Upload-Length": str(len(self.data) if length is None else length),
                "Upload-Metadata": "sha256 " + b64((sha or self.sha).encode())}
        if body is not None:
            head.update({"Content-Type": UPLOAD_CONTENT_TYPE,
                         "Upload-Checksum": "sha256 " + b64(checksum or hashlib.sha256(body).digest())})
        head.update({k.replace("_", "-"): v for k, v in headers.items()})
        return self.request("POST", "/api/v1/uploads", port=port, headers=head, data=body)

    def patch(self, location: str, offset: int, chunk: bytes, *, port: int | None = None) -> requests.Response:
        return self.request("PATCH", location, port=port, data=chunk, headers={
            "Content-Type": UPLOAD_CONTENT_TYPE, "Upload-Offset": str(offset),
            "Upload-Checksum": "sha256 " + b64(hashlib.sha256(chunk).digest())})

    def offset(self, location: str, *, port: int | None = None) -> int:
        answer = self.request("HEAD", location, port=port)
        assert answer.status_code == 200, answer.status_code
        return int(answer.headers["Upload-Offset"])

    def upload_rows(self) -> int:
        with self.platform.store.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(Upload)) or 0)

    def hall_copies(self) -> int:
        with self.platform.store.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(HallBlob).where(HallBlob.sha256 == self.sha)) or 0)

    def stored(self) -> bytes | None:
        """The platform's copy of the file, read through its store (None: it holds none)."""
        with self.platform.store.transaction() as s:
            blob = s.get(Blob, self.sha)
            locator = None if blob is None else blob.locator
        if blob is None:
            return None
        return b"".join(self.platform.store.blobs.open(self.sha, locator))

    def case_complete(self) -> bool:
        with self.platform.store.transaction() as s:
            return bool(s.scalar(select(Case.complete).where(Case.uuid == self.app_id)))


def pending_file(tmp_path: Path, platform: PlatformServer, *, page_kb: int = 300, seed: int = 5) -> PendingFile:
    """A kiosk's application with one scanned page pushed (so the platform waits for its file), nothing uploaded."""
    terminal = make_terminal(tmp_path / f"t{seed}")
    (app,) = submit_demo(terminal, 1, pages=1, page_kb=page_kb, seed=seed)
    credential = enroll(terminal, platform, name=f"kiosk-{seed}", role="kiosk")
    doc = pushed_document(terminal, app.id)
    pushed = requests.post(platform.url() + "/applications", json={"applications": [doc]},
                           headers={"Authorization": f"Bearer {credential.token}"}, timeout=30).json()
    files = {sha: terminal.attachments.get(sha) for sha in pushed["results"][0]["missing"]}
    sha = max(files, key=lambda s: len(files[s]))
    client = PlatformClient.for_credential(credential, Timeouts(connect=2.0, read=30.0))
    for other in files:  # the application's other files arrive the usual way: this one alone is missing
        if other != sha:
            ResumableUploader(client).upload(other, files[other])
    data = files[sha]
    terminal.close()
    return PendingFile(platform, credential.token, app.id, sha, data)
