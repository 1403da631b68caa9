"""A reference platform on this very machine, for the demo and for trying a hall out.

`onewindow app --local-platform` (what `./dev.sh app` runs) starts the
reference platform server as a child process when nothing answers at the
configured loopback address, publishes the terminal's catalog to it and
enrolls the terminal, so the app comes up with working sync and no set-up.
A real hall points `platform_url` at its province's platform instead.

The one PC is the hall's kiosk and its counter at once, so it enrolls as a
`counter` (a counter may also push walk-in applications). Staff accounts are
the platform's: the demo hall's staff (`kiosk.demo_hall.DEMO_STAFF`, password
`kiosk.demo_hall.PASSWORD`) are registered on the local platform when its
hall has none yet, and reach this terminal by sync like any counter's.

The local platform's home is inside the terminal's data dir, but the key
that encrypts its files at rest is not: it is the platform's default key
(`sync.server.blob_crypto.default_key_location`, the user's configuration
directory, or a systemd credential), so a copied data dir holds no key.
"""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from kiosk.device_identity import assigned_device_no
from kiosk.child_process import child_environment, ready_or_stopped, stop_child
from kiosk.errors import Message, UserFacingError
from kiosk.settings import Settings
from kiosk.terminal import Terminal
from sync.client import Offline, PlatformClient
from sync.credentials import credential_from_enrollment, load_credential, save_enrollment

log = logging.getLogger("onewindow.sync.embedded")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LocalPlatform:
    url: str
    home: Path
    process: subprocess.Popen[bytes] | None  # None: one was already running

    def stop(self, timeout: float = 10.0) -> None:
        stop_child(self.process, "the local platform", timeout)


def _answers(url: str) -> bool:
    try:
        PlatformClient(url).json("GET", "openapi.json")
        return True
    except Offline:
        return False


def local_key_file(data_dir: Path) -> Path:
    """The local platform's blob key: the platform's default place, refused if that is inside the data dir."""
    from sync.server.blob_crypto import KEY_ENV, BlobKeyError, default_key_location

    path, _source = default_key_location()
    try:
        path.resolve().relative_to(data_dir.resolve())
    except ValueError:
        return path
    raise BlobKeyError(Message(
        f"本地平台的文件密钥 {path} 位于终端数据目录 {data_dir} 之内；请用 {KEY_ENV} 指定数据目录之外的位置。",
        f"The local platform's file key {path} is inside the terminal's data directory {data_dir}; set "
        "ONEWINDOW_PLATFORM_BLOB_KEY_FILE to a place outside it."), code="blob_key_inside_home")


def _never() -> bool:
    return False


def start_platform(home: Path, host: str, port: int, *, log_file: Path | None = None,
                   wait_seconds: float = 30.0, blob_key_file: Path | None = None,
                   stop_requested: Callable[[], bool] = _never, nice: int = 0) -> subprocess.Popen[bytes]:
    """`onewindow platform serve` as a child process, returned once it answers as the platform, or at once
    when `stop_requested` says the caller is shutting down (it stops the child it holds); given up when it has
    used no CPU for `wait_seconds` (`wait_until_ready`). `nice`: how much less CPU it asks for than this
    process (Linux), set before it starts any thread or worker."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = f"http://{host}:{port}/api/v1"
    key_args = ["--blob-key-file", str(blob_key_file)] if blob_key_file is not None else []
    out = log_file.open("ab") if log_file is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen([sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home),
                                    "--host", host, "--port", str(port), *key_args],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=child_environment())  # it ends when this process does, even on kill -9
    finally:
        if log_file is not None:
            out.close()
    if nice:
        try:  # its threads and worker processes, all started later, inherit it
            os.setpriority(os.PRIO_PROCESS, process.pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
        except OSError:
            log.warning("could not lower the local platform's priority", exc_info=True)
    ready_or_stopped(process, lambda: _answers(url), name="the local platform",
                     stop=LocalPlatform(url, home, process).stop, stall_seconds=wait_seconds,
                     stop_requested=stop_requested,
                     failure=UserFacingError(Message("本地平台未能启动，详见日志 local-platform.log。",
                                                     "The local platform did not start; see local-platform.log."),
                                             code="local_platform"))
    return process


#: how much less CPU a rural office's own platform asks for than its window (Linux nice), as the sync process
#: does (`sync.process.NICENESS`): it serves that process, which nobody waits for at the screen, and on a
#: two-core PC a tap would otherwise compete with it for a CPU
LOCAL_PLATFORM_NICENESS = 10


def start_local_platform(settings: Settings, *, home: Path | None = None, wait_seconds: float = 30.0,
                         stop_requested: Callable[[], bool] = _never) -> LocalPlatform:
    """The platform at the terminal's loopback address, started (and answering) if none answers yet.

    `app --local-platform` calls it before the terminal opens: opening an enrolled terminal starts its sync
    process at once, whose first pass met a platform still starting (connection refused, the kiosk shown
    offline and a failed pass noted until the retry a few seconds later)."""
    url = settings.platform_url.rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK or not parts.port:
        raise UserFacingError(Message(f"本地平台只能运行在本机回环地址上，当前平台地址为 {url}。",
                                      f"A local platform runs on this machine's loopback address only; "
                                      f"platform_url is {url}."), code="not_local")
    home = home or settings.home / "local-platform"
    process = None
    if not _answers(url):
        log_dir = settings.home / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        process = start_platform(home, parts.hostname, parts.port, log_file=log_dir / "local-platform.log",
                                 wait_seconds=wait_seconds, blob_key_file=local_key_file(settings.home),
                                 stop_requested=stop_requested, nice=LOCAL_PLATFORM_NICENESS)
    return LocalPlatform(url, home, process)


def ensure_local_platform(terminal: Terminal, *, home: Path | None = None, wait_seconds: float = 30.0,
                          stop_requested: Callable[[], bool] = _never,
                          platform: LocalPlatform | None = None) -> LocalPlatform:
    """The local platform (`platform`, or started here) with the catalog, staff and this terminal's enrollment
    on it. A stop requested meanwhile (SIGTERM at start-up) skips what is left: each step runs again, only
    where still needed, at the next start."""
    if platform is None:
        platform = start_local_platform(terminal.settings, home=home, wait_seconds=wait_seconds,
                                        stop_requested=stop_requested)
    home, url, key_file = platform.home, platform.url, local_key_file(terminal.settings.home)
    if platform.process is not None or (home / "platform.sqlite3").exists():
        steps: tuple[Callable[[], None], ...] = (
            lambda: _publish_catalog_if_none(terminal, home, key_file),
            lambda: _add_demo_staff_if_none(terminal, home, key_file),
            lambda: _enroll_if_needed(terminal, home, url, key_file),
            lambda: _pull_staff_now(terminal),
        )
        for step in steps:
            if stop_requested():
                log.info("stop requested: the local platform's set-up is left for the next start")
                break
            step()
    return platform


def _add_demo_staff_if_none(terminal: Terminal, home: Path, key_file: Path | None = None) -> None:
    from kiosk.demo_hall import DEMO_STAFF, PASSWORD
    from sync.server.db import open_platform
    from sync.server.staff import add_staff, hall_staff

    hall_code = terminal.settings.hall_code
    platform = open_platform(home, blob_key_file=key_file)
    try:
        with platform.transaction() as session:
            if hall_staff(session, hall_code):
                return
        for username, role, display_name in DEMO_STAFF:
            add_staff(platform, hall_code, username, PASSWORD, role, display_name=display_name)
        log.info("registered the demo staff (%s) on the local platform for hall %s",
                 ", ".join(u for u, _r, _d in DEMO_STAFF), hall_code)
    finally:
        platform.close()


def _pull_staff_now(terminal: Terminal) -> None:
    """The counter can log staff in from the first moment, not only after the sync worker's first pass."""
    from sync.staff_sync import pull_staff

    credential = load_credential(terminal.settings)
    if credential is None or not credential.is_counter:
        return
    client = PlatformClient.for_credential(credential)
    try:
        pull_staff(terminal.store, client)
    except Offline as exc:  # the sync worker tries again
        log.info("staff list not fetched yet: %s", exc)
    finally:
        client.close()


def _publish_catalog_if_none(terminal: Terminal, home: Path, key_file: Path | None = None) -> None:
    from sync.server.db import open_platform
    from sync.server.models import PublishedCatalog

    store = open_platform(home, blob_key_file=key_file)
    with store.transaction() as session:
        if session.scalar(select(PublishedCatalog).limit(1)) is None:
            catalog = terminal.catalog
            session.add(PublishedCatalog(version=catalog.version, etag=catalog.etag, document=catalog.document))
            log.info("published catalog %s to the local platform", catalog.version)


def _enroll_if_needed(terminal: Terminal, home: Path, url: str, key_file: Path | None = None) -> None:
    """Enroll with the local platform once; the platform's device number goes into the store with the credential."""
    from sync.server.db import open_platform
    from sync.server.enrollment import create_code
    from sync.server.models import Device

    settings = terminal.settings
    existing = load_credential(settings)
    if existing is not None and existing.platform_url.rstrip("/") == url:
        with terminal.store.transaction() as session:
            known = assigned_device_no(session)
        if known is None:  # enrolled before the platform assigned numbers: the local platform has numbered it since
            platform = open_platform(home, blob_key_file=key_file)
            try:
                with platform.transaction() as session:
                    device = session.get(Device, existing.device_id)
                    number = device.device_no if device is not None and device.revoked_at is None else None
            finally:
                platform.close()
            if number is not None:
                save_enrollment(terminal.store, replace(existing, device_no=number))
                log.info("device number %s recorded from the local platform", number)
        return
    platform = open_platform(home, blob_key_file=key_file)
    try:
        # a counter: this one PC also decides (and a counter may push walk-in applications like a kiosk)
        code = create_code(platform, settings.hall_code, f"{settings.device_kind}@{socket.gethostname()}"[:100],
                           role="counter")
    finally:
        platform.close()
    answer = PlatformClient(url).json("POST", "enroll", json_body={"code": code})
    credential = credential_from_enrollment(answer, url, None)
    save_enrollment(terminal.store, credential)
    log.info("enrolled with the local platform as device %s, number %s in hall %s", credential.device_id,
             credential.device_no, credential.hall_code)
