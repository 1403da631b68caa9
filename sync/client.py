"""Talking to the platform over HTTP with `requests`: timeouts on everything, and
only the platform's own answers count.

Errors fall in three kinds, which decide what happens to an outbox item:
`Offline` (no link, timeout, 5xx, a truncated answer, or an answer without the
protocol header such as a captive portal's login page): keep it and retry;
`Refused` (a 4xx from the platform): record the reason and move on;
`EnrollmentRequired` (401 from the platform): stop and ask for enrollment.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from urllib3.util import SKIP_HEADER

from kiosk.errors import Message
from sync.credentials import Credential, EnrollmentRequired, check_ca_file
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION


# What a lean request leaves out: requests' session defaults (None removes one), and what urllib3 would
# add in their place (User-Agent, Accept-Encoding: identity) unless told to skip it.
LEAN_HEADERS: dict[str, str | None] = {"User-Agent": SKIP_HEADER, "Accept-Encoding": SKIP_HEADER, "Accept": None,
                                       "Connection": None}


class PlatformError(Exception):
    pass


class Offline(PlatformError):
    """The platform could not be reached properly; nothing is lost, try again later."""


class Refused(PlatformError):
    """The platform refused this request (4xx); `reason` is its bilingual explanation."""

    def __init__(self, status: int, reason: dict[str, str], code: str = "") -> None:
        super().__init__(f"{status} {reason.get('en', '')}")
        self.status = status
        self.reason = reason
        self.code = code

    @property
    def message(self) -> Message:
        """The platform's reason, as the terminal shows it."""
        return Message(self.reason.get("zh", ""), self.reason.get("en", ""))


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0  # also the stall limit: no byte for this long on a socket ends the request


def _reason(resp: requests.Response) -> tuple[dict[str, str], str]:
    try:
        body = resp.json()
        reason = body.get("reason") if isinstance(body, dict) else None
        if isinstance(reason, dict) and "en" in reason:
            return {"zh": str(reason.get("zh", "")), "en": str(reason["en"])}, str(body.get("code", ""))
    except ValueError:
        pass
    return {"zh": f"平台拒绝了请求（{resp.status_code}）", "en": f"the platform refused the request ({resp.status_code})"}, ""


class PlatformClient:
    def __init__(self, base_url: str, token: str | None = None, *, verify: bool | str = True,
                 timeouts: Timeouts = Timeouts(), session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.verify = verify
        self.timeouts = timeouts
        self.session = session or requests.Session()
        self.session.trust_env = False  # no system proxy between a hall and its platform unless configured

    @classmethod
    def for_credential(cls, credential: Credential, timeouts: Timeouts = Timeouts()) -> "PlatformClient":
        return cls(credential.platform_url, credential.token, verify=credential.verify, timeouts=timeouts)

    def clone(self) -> "PlatformClient":
        """A client of its own (requests sessions are not shared between threads)."""
        return PlatformClient(self.base_url, self._token, verify=self.verify, timeouts=self.timeouts)

    def url(self, path: str) -> str:
        if path.startswith("http://") or path.startswith("https://"):
            return path
        if path.startswith("/api/"):
            # server-given locations are absolute paths; keep our scheme, host and port
            root = self.base_url.split("/api/")[0]
            return root + path
        return f"{self.base_url}/{path.lstrip('/')}"

    def head_bytes(self, method: str, path: str, headers: dict[str, str], body_bytes: int = 0, *,
                   params: Mapping[str, Any] | None = None) -> int:
        """About how many bytes the head of a lean request (see `request`) puts on the wire: every upload
        chunk pays them, so the chunk size is weighed against them (sync.chunk_size)."""
        parts = urlsplit(self.url(path))
        size = len(method) + len(parts.path) + len(parts.query) + 14  # request line
        if params:
            size += len(urlencode(params)) + 1
        size += len(parts.netloc) + 8  # Host
        if self._token:
            size += len(self._token) + 24  # Authorization: Bearer
        if body_bytes:
            size += len(str(body_bytes)) + 18  # Content-Length
        return size + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2

    def request(self, method: str, path: str, *, expected: tuple[int, ...] = (200,), json_body: Any = None,
                data: bytes | None = None, headers: dict[str, str] | None = None,
                params: dict[str, Any] | None = None, lean: bool = False) -> requests.Response:
        """`lean`: only the headers the platform reads (no User-Agent, Accept, Accept-Encoding, Connection):
        upload chunks repeat their head many times over a slow link, and their answers have no body."""
        if isinstance(self.verify, str):
            check_ca_file(self.verify)  # requests would only say "invalid path", or fail deep in TLS
        trimmed = LEAN_HEADERS if lean else {"Accept": "application/json"}
        all_headers: dict[str, str | None] = {**trimmed, **(headers or {})}
        if self._token:
            all_headers["Authorization"] = f"Bearer {self._token}"
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        try:
            resp = self.session.request(method, self.url(path), data=data, headers=all_headers, params=params,
                                        timeout=(self.timeouts.connect, self.timeouts.read), verify=self.verify,
                                        allow_redirects=False)
            _ = resp.content  # read it whole here, so a truncated answer is a network error
        except requests.RequestException as exc:
            raise Offline(f"{type(exc).__name__}: {_safe(str(exc))}") from None
        if resp.headers.get(PROTOCOL_HEADER) != PROTOCOL_VERSION:
            raise Offline(f"HTTP {resp.status_code} without the {PROTOCOL_HEADER} header: not the platform's answer "
                          "(a captive portal or proxy?)")
        if resp.status_code >= 500:
            raise Offline(f"platform error HTTP {resp.status_code}")
        if resp.status_code == 401:
            raise EnrollmentRequired()
        if resp.status_code not in expected:
            reason, code = _reason(resp)
            if 400 <= resp.status_code < 500:
                raise Refused(resp.status_code, reason, code)
            raise Offline(f"unexpected HTTP {resp.status_code}")
        return resp

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.request(method, path, **kwargs)
        try:
            return resp.json()
        except ValueError:
            raise Offline("the platform's answer was not complete JSON") from None

    def close(self) -> None:
        self.session.close()


def _safe(text: str) -> str:
    """Exceptions from requests can quote URLs; never let a header value through."""
    return text.replace("Bearer", "Bearer <hidden>")[:300]
