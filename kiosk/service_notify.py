"""systemd's notify protocol (sd_notify(3)), without libsystemd and without Qt.

The kiosk's unit is `Type=notify` with a `WatchdogSec=`: systemd counts the
kiosk as started only when it says `READY=1`, and kills and restarts it when
`WATCHDOG=1` stops coming. A window whose GUI thread is frozen still has a
live process, so `Restart=always` alone would leave a citizen in front of a
dead screen; the watchdog is fed from the GUI thread (`ui/watchdog.py`) so a
freeze is what stops it.

The protocol is one datagram of newline-separated `KEY=value` lines sent to
the unix socket named by `$NOTIFY_SOCKET` (a path, or `@name` in the abstract
namespace). `$WATCHDOG_USEC` gives the timeout; `$WATCHDOG_PID`, when set,
names the process the watchdog is meant for. Under `cage` that is the
compositor, whose only child is the window: the unit says
`NotifyAccess=all`, and a `WATCHDOG_PID` naming our parent counts as ours.

Every call is a no-op outside systemd (no `$NOTIFY_SOCKET`), and a failed
send is reported as `False`, never raised: a notify problem must not stop a
kiosk that otherwise works.

The program takes these variables out of its environment at start (`claim`,
as sd_notify(3)'s `unset_environment` does), so no child inherits them. With
`NotifyAccess=all` systemd believes any process of the unit: `systemd-creds`,
which the kiosk runs to seal its data key and which fails on the host key as
the service user, used to tell systemd `ERRNO=13` and its exit status as if
they were the kiosk's.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping, MutableMapping

NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"
VARIABLES = (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID)

_claimed: dict[str, str] | None = None  # what `claim` took out of the environment


def claim(environ: MutableMapping[str, str] | None = None) -> None:
    """Move systemd's notify variables out of the process environment into this module: this process still
    notifies, its children (systemd-creds, speech-dispatcher, the sync process) cannot."""
    global _claimed
    env = os.environ if environ is None else environ
    taken = {name: env.pop(name) for name in VARIABLES if name in env}
    _claimed = {**(_claimed or {}), **taken}


def _environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    if environ is not None:
        return environ
    return os.environ if _claimed is None else _claimed


def socket_address(environ: Mapping[str, str] | None = None) -> str | None:
    """The address to send to: a filesystem path, or an abstract name with its leading NUL; None outside systemd."""
    raw = _environment(environ).get(NOTIFY_SOCKET, "")
    if raw.startswith("@") and len(raw) > 1:
        return "\0" + raw[1:]
    if raw.startswith("/"):
        return raw
    return None  # unset, empty, or a form (vsock:...) a kiosk never gets


def send(*lines: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one notification (e.g. `send("READY=1", "STATUS=…")`); True when systemd's socket took it."""
    address = socket_address(environ)
    if address is None or not lines:
        return False
    payload = "\n".join(lines).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(payload, address)
    except OSError:
        return False
    return True


def watchdog_seconds(environ: Mapping[str, str] | None = None, pid: int | None = None,
                     parent_pid: int | None = None) -> float | None:
    """The watchdog timeout systemd set for this process, in seconds; None when there is none for us.

    `WATCHDOG_PID` naming another process means the watchdog is that
    process's, except when it is our parent (the unit's main process is
    `cage`, which runs this window as its child).
    """
    env = _environment(environ)
    try:
        usec = int(env.get(WATCHDOG_USEC, ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get(WATCHDOG_PID, "")
    if owner:
        try:
            owner_pid = int(owner)
        except ValueError:
            return None
        own = os.getpid() if pid is None else pid
        parent = os.getppid() if parent_pid is None else parent_pid
        if owner_pid not in (own, parent):
            return None
    return usec / 1_000_000


def feed_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """How often to send WATCHDOG=1: half the timeout, as sd_watchdog_enabled(3) advises."""
    timeout = watchdog_seconds(environ)
    return None if timeout is None else timeout / 2


def ready(status: str = "", environ: Mapping[str, str] | None = None) -> bool:
    return send("READY=1", *([f"STATUS={status}"] if status else []), environ=environ)


def watchdog(environ: Mapping[str, str] | None = None) -> bool:
    return send("WATCHDOG=1", environ=environ)


def stopping(environ: Mapping[str, str] | None = None) -> bool:
    return send("STOPPING=1", environ=environ)
