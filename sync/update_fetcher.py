"""The network side of `tuf.ngclient` for updates: the device's credential on every request, and packages
that resume after a cut link instead of starting again.

A package is written, as it arrives, to `partial/<its URL's last part>`; that name carries the package's
SHA-256 (the platform names targets by content), so the bytes kept can only be a prefix of the same file.
The next attempt asks `Range: bytes=<kept>-` and hands ngclient the kept bytes followed by the new ones;
ngclient then checks length and hash of the whole, so a partial file damaged on disk is caught like any
tampered package (the caller throws the partial file away then). Metadata files are small and fetched whole.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import requests
from tuf.api import exceptions
from tuf.ngclient import FetcherInterface

from sync.client import Timeouts
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

PIECE = 64 * 1024
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
SAFE_NAME = re.compile(r"[0-9a-f]{64}\.[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}")
Progress = Callable[[int, int], None]  # (bytes of the package held so far, its full length)


class ResumableFetcher(FetcherInterface):
    def __init__(self, partial_dir: Path, token: str | None, *, verify: bool | str = True,
                 timeouts: Timeouts = Timeouts(), on_progress: Progress | None = None) -> None:
        self.partial_dir = partial_dir
        self.token = token
        self.verify = verify
        self.timeouts = timeouts
        self.on_progress = on_progress
        self.session = requests.Session()
        self.session.trust_env = False
        self.resumed_from: int = 0  # where the last package request started (0: from the beginning)

    def partial_path(self, url: str) -> Path | None:
        """Where a package's bytes wait between attempts; None for metadata (fetched whole)."""
        if "/updates/targets/" not in url:
            return None
        name = url.rsplit("/", 1)[-1]
        return self.partial_dir / name if SAFE_NAME.fullmatch(name) else None

    def _get(self, url: str, headers: dict[str, str]) -> requests.Response:
        if self.token:
            headers = {**headers, "Authorization": f"Bearer {self.token}"}
        try:
            resp = self.session.get(url, headers=headers, stream=True, allow_redirects=False, verify=self.verify,
                                    timeout=(self.timeouts.connect, self.timeouts.read))
        except requests.RequestException as exc:
            raise exceptions.DownloadError(f"cannot reach {url}: {type(exc).__name__}") from None
        if resp.headers.get(PROTOCOL_HEADER) != PROTOCOL_VERSION:
            resp.close()
            raise exceptions.DownloadError(f"HTTP {resp.status_code} from {url} without the {PROTOCOL_HEADER} "
                                           "header: not the platform's answer (a captive portal or proxy?)")
        return resp

    def _fetch(self, url: str) -> Iterator[bytes]:
        partial = self.partial_path(url)
        if partial is None:
            resp = self._get(url, {})
            if resp.status_code != 200:
                resp.close()
                raise exceptions.DownloadHTTPError(f"HTTP {resp.status_code} for {url}", resp.status_code)
            return _pieces(resp, url)
        held = partial.stat().st_size if partial.exists() else 0
        resp = self._get(url, {"Range": f"bytes={held}-"} if held else {})
        total: int | None = None
        if resp.status_code == 206 and held:
            match = CONTENT_RANGE.fullmatch(resp.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != held:
                resp.close()
                partial.unlink(missing_ok=True)
                raise exceptions.DownloadError(f"the platform answered {url} with another range than asked")
            total = int(match.group(3))
        elif resp.status_code == 200:
            held = 0  # the platform sent the whole file: start again
            total = int(resp.headers.get("Content-Length", "0") or 0) or None
        elif resp.status_code == 416:
            resp.close()
            partial.unlink(missing_ok=True)  # longer than the package: not a prefix of it
            raise exceptions.DownloadError(f"the kept part of {url} is not part of it; starting again next time")
        else:
            resp.close()
            raise exceptions.DownloadHTTPError(f"HTTP {resp.status_code} for {url}", resp.status_code)
        self.resumed_from = held
        return self._resume(partial, held, total, resp, url)

    def _resume(self, partial: Path, held: int, total: int | None, resp: requests.Response,
                url: str) -> Iterator[bytes]:
        partial.parent.mkdir(parents=True, exist_ok=True)
        if held:
            with open(partial, "rb") as kept:
                for piece in iter(lambda: kept.read(PIECE), b""):
                    yield piece
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if held else os.O_TRUNC), 0o600)
        with os.fdopen(fd, "ab" if held else "wb") as out:
            for piece in _pieces(resp, url):
                out.write(piece)
                out.flush()  # what crossed the link is kept even if this process dies next
                held += len(piece)
                if self.on_progress is not None:
                    self.on_progress(held, total or 0)
                yield piece


def _pieces(resp: requests.Response, url: str) -> Iterator[bytes]:
    try:
        yield from resp.iter_content(PIECE)
    except (requests.RequestException, OSError) as exc:
        raise exceptions.DownloadError(f"the link dropped while fetching {url}: {type(exc).__name__}") from None
    finally:
        resp.close()
