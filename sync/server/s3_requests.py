"""The object store's hot calls (PUT, GET, HEAD, multi-object DELETE), signed by hand, sent over kept-alive
connections (`sync.server.s3_wire`).

botocore spends over a millisecond of CPU on every call (its request model, event hooks, endpoint rules,
response parsing), and the platform makes one or more calls per upload chunk: that was a large share of its
CPU per application. These four calls are plain HTTP with an AWS Signature V4 header, which takes a few
dozen microseconds to compute. The rarer calls (multipart uploads, listings, the bucket check) stay with
boto3 (`sync.server.s3store.make_client`).

The connections are kept in a small pool here. Each file a terminal uploads costs one PUT, and the HTTP
client's own CPU was a large part of it: a 200 KB PUT to SeaweedFS cost 1.08 ms of client CPU through
urllib3 and 0.46 ms through `http.client` on one machine; 0.47 ms through `http.client` and 0.25 ms through
`s3_wire` on another.

Failures are raised as botocore's `ClientError` with the same response shape boto3 gives (`Error.Code`,
`ResponseMetadata.HTTPStatusCode`), so callers tell a missing object from other failures one way. Like the
boto3 client's standard mode, a call that meets a dropped connection or a 500/502/503/504 is tried again (4
attempts in all, with a short backoff): every call here is idempotent.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import ssl
import threading
import time
from urllib.parse import quote, urlsplit

from botocore.exceptions import ClientError

from sync.server.s3_settings import S3Settings
from sync.server.s3_wire import Answer, Closed, Wire

ATTEMPTS = 4
RETRY_STATUS = (500, 502, 503, 504)
ERROR_CODE = re.compile(rb"<Code>([^<]{1,100})</Code>")
ERROR_MESSAGE = re.compile(rb"<Message>([^<]{0,500})</Message>")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"  # SigV4: the body is not part of the signature
# what a kept-alive connection the server closed meanwhile raises (a timeout is not one of them)
CLOSED = (Closed, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


def _uri(text: str) -> str:
    return quote(text, safe="-_.~")


class Connections:
    """Kept-alive connections to one host, each used by one thread at a time; at most `keep` idle ones kept.

    A connection is taken for one request and its whole answer, then given back unless the server said it
    would close it. A connection the server closed while it sat idle fails the next request sent on it:
    `S3Requests` sends that request again at once on a new connection.
    """

    def __init__(self, scheme: str, host: str, port: int | None, *, connect_timeout: float, read_timeout: float,
                 keep: int) -> None:
        if scheme not in ("http", "https"):
            raise ValueError(f"object storage endpoint scheme must be http or https, not {scheme!r}")
        self.scheme, self.host, self.port = scheme, host, port
        self.connect_timeout, self.read_timeout, self.keep = connect_timeout, read_timeout, keep
        self._idle: list[Wire] = []
        self._lock = threading.Lock()
        self._context = ssl.create_default_context() if scheme == "https" else None

    def take(self) -> tuple[Wire, bool]:
        """A connection and whether it served a request before (so may have been closed by the server)."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        port = self.port if self.port is not None else 443 if self.scheme == "https" else 80
        return Wire(self.host, port, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                    context=self._context), False

    def give(self, conn: Wire) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class S3Requests:
    """Signed requests to one bucket; thread-safe (up to `pool_size` idle connections kept)."""

    def __init__(self, settings: S3Settings, *, pool_size: int = 64, connect_timeout: float = 5.0,
                 read_timeout: float = 60.0) -> None:
        parts = urlsplit(settings.endpoint)
        self.host = parts.netloc
        self.prefix = parts.path.rstrip("/")
        self.bucket = settings.bucket
        self.region = settings.region
        self.access_key = settings.access_key
        self.secret_key = settings.secret_key
        self.connections = Connections(parts.scheme, parts.hostname or "", parts.port,
                                       connect_timeout=connect_timeout, read_timeout=read_timeout, keep=pool_size)
        self._keys: dict[str, bytes] = {}  # signing key by date
        self._lock = threading.Lock()

    # --- the calls -------------------------------------------------------------------------------------

    def put_object(self, key: str, body: bytes) -> None:
        """`body` is always sealed (authenticated encryption under the platform's key, bound to its place), so
        its bytes go unsigned (SigV4's UNSIGNED-PAYLOAD): a body changed on the way fails to open when read,
        and hashing every byte once more for the signature cost the platform CPU on each file."""
        self._call("PUT", key, "PutObject", body=body, headers={"content-type": "application/octet-stream"},
                   unsigned=True)

    def get_object(self, key: str, byte_range: str | None = None) -> tuple[bytes, int | None]:
        """The object's bytes (or the range asked for) and its whole size (None when the answer does not say)."""
        headers = {"range": byte_range} if byte_range else {}
        answer = self._call("GET", key, "GetObject", headers=headers)
        whole = str(answer.headers.get("content-range", "")).rpartition("/")[2]
        size = int(whole) if whole.isdigit() else None
        if size is None and answer.status == 200:
            size = len(answer.data)
        return answer.data, size

    def head_object(self, key: str) -> int:
        """The object's size; `ClientError` (code 404) when there is none."""
        return int(self._call("HEAD", key, "HeadObject").headers["content-length"])

    def delete_objects(self, keys: list[str]) -> None:
        """Up to 1,000 keys in one request (quiet: only failures are answered)."""
        items = "".join(f"<Object><Key>{_xml(k)}</Key></Object>" for k in keys)
        body = f'<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>{items}</Delete>'.encode()
        md5 = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode("ascii")
        answer = self._call("POST", None, "DeleteObjects", body=body, query={"delete": ""},
                            headers={"content-md5": md5, "content-type": "application/xml"})
        code = ERROR_CODE.search(answer.data)
        if code is not None:  # a key that could not be deleted: said in the answer's body, with 200
            raise ClientError({"Error": {"Code": code.group(1).decode(errors="replace"), "Message": "DeleteObjects"},
                               "ResponseMetadata": {"HTTPStatusCode": answer.status}}, "DeleteObjects")

    # --- signing and sending ----------------------------------------------------------------------------

    def _call(self, method: str, key: str | None, operation: str, *, body: bytes = b"",
              query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
              unsigned: bool = False) -> Answer:
        path = f"{self.prefix}/{_uri(self.bucket)}" + (f"/{quote(key, safe='/-_.~')}" if key is not None else "")
        query_string = "&".join(f"{_uri(k)}={_uri(v)}" for k, v in sorted((query or {}).items()))
        target = path + (f"?{query_string}" if query_string else "")
        payload = UNSIGNED_PAYLOAD if unsigned else hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        failure: Exception | None = None
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(min(2.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.0))
            signed = self._sign(method, path, query_string, payload, headers or {})
            try:
                answer = self._send(method, target, body, signed)
            except OSError as exc:  # connection refused, reset, timed out; an answer that is not HTTP (BadAnswer)
                failure = exc
                continue
            if answer.status in RETRY_STATUS:
                failure = _client_error(answer, operation)
                continue
            if answer.status >= 300:
                raise _client_error(answer, operation)
            return answer
        assert failure is not None
        raise failure

    def _send(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One request and its whole answer; a kept-alive connection that turns out closed is replaced at once
        (the server may close one while it sits idle: that is no failure of the store)."""
        while True:
            conn, reused = self.connections.take()
            try:
                answer = conn.exchange(method, target, headers, body)
            except CLOSED:
                conn.close()
                if reused:
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            if answer.keep_alive:
                self.connections.give(conn)
            else:
                conn.close()
            return answer

    def _signing_key(self, day: str) -> bytes:
        with self._lock:
            found = self._keys.get(day)
            if found is None:
                found = ("AWS4" + self.secret_key).encode()
                for part in (day, self.region, "s3", "aws4_request"):
                    found = hmac.new(found, part.encode(), hashlib.sha256).digest()
                self._keys = {day: found}
            return found

    def _sign(self, method: str, path: str, query_string: str, payload: str,
              extra: dict[str, str]) -> dict[str, str]:
        now = time.gmtime()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", now)
        day = stamp[:8]
        headers = {"host": self.host, "x-amz-date": stamp, "x-amz-content-sha256": payload,
                   **{k.lower(): v.strip() for k, v in extra.items()}}
        names = sorted(headers)
        signed_names = ";".join(names)
        canonical = "\n".join([method, path, query_string, "".join(f"{n}:{headers[n]}\n" for n in names),
                               signed_names, payload])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed_names}, Signature={signature}")
        return headers  # with the Host signed: the one Host the request carries

    def close(self) -> None:
        self.connections.close()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _client_error(answer: Answer, operation: str) -> ClientError:
    """The answer as boto3 would raise it: the XML error's code, or the bare status (a HEAD has no body)."""
    data = answer.data or b""
    code = ERROR_CODE.search(data)
    message = ERROR_MESSAGE.search(data)
    return ClientError({"Error": {"Code": code.group(1).decode(errors="replace") if code else str(answer.status),
                                  "Message": message.group(1).decode(errors="replace") if message else ""},
                        "ResponseMetadata": {"HTTPStatusCode": answer.status}}, operation)
