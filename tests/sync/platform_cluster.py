"""The platform at province scale, for tests: several `onewindow platform serve` processes sharing one
PostgreSQL database, one S3 bucket (SeaweedFS) and one blob key, behind the shipped nginx configuration.

Each instance is a real child process with its own home, as on separate machines; the test talks to it
directly (its loopback port) or through nginx, whose access log names the instance that answered each
request. Raw tus helpers (`create_upload`, `patch`, `race`) speak the protocol without the terminal's
uploader, so a test can send each chunk where it wants.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from kiosk.child_process import child_environment
from sync.protocol import TUS_VERSION, UPLOAD_CONTENT_TYPE
from tests.sync.nginx_layout import Nginx
from tests.sync.seaweed import S3Endpoint
from tests.sync.slow_clients import free_port

HALL = "330106001"


class Instance:
    """One `platform serve` of the cluster: its own home and port, everything else shared."""

    def __init__(self, home: Path, options: list[str], env: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        home.mkdir(parents=True, exist_ok=True)
        self.log = home.parent / f"{home.name}-{self.port}.log"
        # child_environment: the instance ends with this test process, however it ends
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home), "--host", "127.0.0.1",
             "--port", str(self.port), "--behind-proxy", *options],
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, env=child_environment(env))

    @property
    def address(self) -> str:
        """As nginx names it in `$upstream_addr`."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/api/v1") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(self.url("/api/v1/openapi.json"), timeout=1)
                return
            except requests.RequestException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"platform serve on {self.port} did not start: "
                                       + self.log.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no `finally`, no shutdown, as a machine losing power."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass(frozen=True)
class Routed:
    """One line of nginx's access log (`nginx_layout.ACCESS_FORMAT`): which instances nginx tried for a
    request, in order (the last one answered), or none when nginx answered itself."""

    method: str
    uri: str
    status: int
    tried: tuple[str, ...]

    @classmethod
    def parse(cls, line: str) -> "Routed":
        method, uri, status, upstreams, _statuses = line.split("|")
        return cls(method, uri, int(status), tuple(ADDRESS.findall(upstreams)))

    @property
    def upstream(self) -> str | None:
        return self.tried[-1] if self.tried else None


ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+:\d+")


class PlatformCluster:
    """`instances` platforms on one database and one bucket, behind nginx (the shipped configuration)."""

    def __init__(self, root: Path, db_url: str, bucket: S3Endpoint | None, workers: tuple[int, ...] = (1, 1),
                 extra: tuple[str, ...] = ()) -> None:
        """One instance per entry of `workers`, each with that many worker processes (`serve --workers`)."""
        self.root = root
        self.db_url = db_url
        self.bucket = bucket
        self.key_file = root / "keys" / "blob.key"
        options = ["--db", db_url, "--blob-key-file", str(self.key_file), *extra]
        env = dict(os.environ)
        if bucket is not None:
            options += ["--s3-endpoint", bucket.url, "--s3-bucket", bucket.bucket, "--s3-region", bucket.region]
            env.update(bucket.env())  # credentials only ever in the environment
        self.env = env
        self.options = options
        self.instances: list[Instance] = []
        self.nginx: Nginx | None = None
        try:
            # The first instance makes the schema and the blob key; the others then start together.
            self.instances.append(Instance(root / "home-0", [*options, "--workers", str(workers[0])], env))
            self.instances[0].wait_ready()
            self.instances += [Instance(root / f"home-{n}", [*options, "--workers", str(w)], env)
                               for n, w in enumerate(workers[1:], start=1)]
            for instance in self.instances[1:]:
                instance.wait_ready()
            self.nginx = Nginx(root / "nginx", [i.port for i in self.instances], access_log=True)
        except BaseException:
            self.stop()
            raise
        self.engine = create_engine(db_url)

    # --- addresses -------------------------------------------------------------------------

    def url(self, path: str = "/api/v1") -> str:
        assert self.nginx is not None
        return self.nginx.url(path)

    @property
    def ca(self) -> str:
        assert self.nginx is not None
        return str(self.nginx.cert)

    def instance_at(self, address: str) -> Instance:
        return next(i for i in self.instances if i.address == address)

    def routed(self) -> list[Routed]:
        """Every request nginx has logged so far, in order."""
        assert self.nginx is not None
        if not self.nginx.access_log.exists():
            return []
        return [Routed.parse(line) for line in self.nginx.access_log.read_text().splitlines() if line.strip()]

    # --- the platform's own commands (any instance's home: they all reach the same database) ------

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "kiosk", "platform", *args, "--home", str(self.instances[0].home),
                               "--db", self.db_url, "--blob-key-file", str(self.key_file)],
                              capture_output=True, text=True, timeout=120, env=self.env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def enroll_code(self, name: str = "terminal", role: str = "counter", hall: str = HALL) -> str:
        return self.cli("enroll-code", "--hall", hall, "--device-name", name, "--role", role).strip()

    def enroll(self, name: str = "terminal", role: str = "counter", hall: str = HALL) -> dict[str, Any]:
        """A device enrolled through nginx: its answer (device_id, token, ...)."""
        r = requests.post(self.url("/api/v1/enroll"), json={"code": self.enroll_code(name, role, hall)},
                          verify=self.ca, timeout=30)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def revoke(self, device_id: int) -> None:
        """What `platform revoke-device` does, from this process: no command start-up between the last
        request an instance answered and the revocation (its token cache is as warm as it gets)."""
        from sync.server.db import open_platform
        from sync.server.enrollment import revoke

        store = open_platform(self.root / "admin-home", self.db_url, blob_key_file=self.key_file)
        try:
            assert revoke(store, device_id)
        finally:
            store.close()

    # --- what the database and the bucket hold ----------------------------------------------

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def stored_object(self, sha256: str) -> tuple[str, int]:
        """The file's locator and the size of the object it names in the bucket."""
        assert self.bucket is not None
        locator = self.scalar("SELECT locator FROM blobs WHERE sha256 = :sha", sha=sha256)
        assert locator is not None and locator.startswith("s3:"), f"{sha256[:12]} is not in object storage: {locator}"
        head = self.bucket.client().head_object(Bucket=self.bucket.bucket, Key=locator[3:])
        return locator, int(head["ContentLength"])

    def local_blob_files(self) -> list[Path]:
        """Attachment files in any instance's home: none when the bytes live in the bucket."""
        return [p for i in self.instances for p in (i.home / "blobs").rglob("*") if p.is_file()]

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for instance in self.instances:
            instance.stop()
        if hasattr(self, "engine"):
            self.engine.dispose()


# --- the tus protocol by hand ------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def push(base: str, token: str, document: dict[str, Any], verify: bool | str = True) -> dict[str, Any]:
    """Push one application document; the platform's answer for it (with the files it still lacks)."""
    r = requests.post(f"{base}/api/v1/applications", json={"applications": [document]}, headers=auth(token),
                      verify=verify, timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json()["results"][0])


def create_upload(base: str, token: str, sha256: str, length: int, first: bytes | None = None,
                  verify: bool | str = True) -> requests.Response:
    """POST /uploads; with `first`, that chunk travels in the POST (creation-with-upload)."""
    headers = {**auth(token), "Tus-Resumable": TUS_VERSION, "Upload-Length": str(length),
               "Upload-Metadata": f"sha256 {_b64(sha256.encode('ascii'))}"}
    if first is not None:
        headers.update({"Content-Type": UPLOAD_CONTENT_TYPE,
                        "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(first).digest())}"})
    return requests.post(f"{base}/api/v1/uploads", data=first, headers=headers, verify=verify, timeout=60)


def patch(base: str, token: str, location: str, offset: int, chunk: bytes,
          verify: bool | str = True) -> requests.Response:
    return requests.patch(f"{base}{location}", data=chunk, verify=verify, timeout=60, headers={
        **auth(token), "Tus-Resumable": TUS_VERSION, "Content-Type": UPLOAD_CONTENT_TYPE,
        "Upload-Offset": str(offset), "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(chunk).digest())}"})


def offset_of(base: str, token: str, location: str, verify: bool | str = True) -> int:
    r = requests.head(f"{base}{location}", headers={**auth(token), "Tus-Resumable": TUS_VERSION}, verify=verify,
                      timeout=30)
    assert r.status_code == 200, r.status_code
    return int(r.headers["Upload-Offset"])


def download(base: str, token: str, sha256: str, verify: bool | str = True) -> bytes:
    r = requests.get(f"{base}/api/v1/attachments/{sha256}", headers=auth(token), verify=verify, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r.content


def _patch_head(port: int, token: str, location: str, offset: int, chunk: bytes) -> bytes:
    return (f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Tus-Resumable: {TUS_VERSION}\r\nContent-Type: {UPLOAD_CONTENT_TYPE}\r\nUpload-Offset: {offset}\r\n"
            f"Upload-Checksum: sha256 {_b64(hashlib.sha256(chunk).digest())}\r\n"
            f"Content-Length: {len(chunk)}\r\nConnection: close\r\n\r\n").encode("ascii")


def race(sends: list[tuple[int, bytes]], token: str, location: str, offset: int) -> list[int]:
    """PATCH each (port, chunk) at `offset` at the same moment: every request is sent whole but for its last
    byte, so no instance can commit before all of them hold their chunk; then the last bytes go out
    together. The statuses, in the order given."""
    socks: list[socket.socket] = []
    try:
        for port, chunk in sends:
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(_patch_head(port, token, location, offset, chunk) + chunk[:-1])
            socks.append(sock)
        for sock, (_port, chunk) in zip(socks, sends):
            sock.sendall(chunk[-1:])
        statuses = []
        for sock in socks:
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
            statuses.append(response.status)
        return statuses
    finally:
        for sock in socks:
            sock.close()


def half_sent_patch(port: int, token: str, location: str, offset: int, chunk: bytes) -> socket.socket:
    """A PATCH whose head and first half of the body are sent, the rest never: the instance is mid-chunk."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(_patch_head(port, token, location, offset, chunk) + chunk[: len(chunk) // 2])
    return sock


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    """Seconds until `condition()` held; AssertionError after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started
