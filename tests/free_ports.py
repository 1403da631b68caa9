"""Ports for servers that a test starts as another process (PostgreSQL, SeaweedFS, the hub, the platform).

Asking the kernel for a free port (bind to port 0) and giving its number to a child that binds it seconds
later is a race: the kernel hands out the same range to every outgoing connection's local end, and the
suite opens thousands (more with one worker per core), so now and then the child finds its port taken by
some client socket. Seen: PostgreSQL's "could not bind IPv4 address: Address already in use" after the two
seconds initdb takes. Ports below the ephemeral range (`net.ipv4.ip_local_port_range`, 32768 and up by
default) are never handed out that way, so one is drawn at random there and checked by binding it; only two
tests drawing the same number within the same seconds could still meet, one chance in thousands.
"""
from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_low() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, low: int | None = None, high: int | None = None, also: int | None = None) -> int:
    """A free loopback port in [low, high): by default the 10,000 ports just below the ephemeral range.
    `also`: an offset whose port must be free too (SeaweedFS serves gRPC on its port + 10000)."""
    top = ephemeral_low()
    high = high if high is not None else top
    low = low if low is not None else max(1024, high - 10_000)
    for _ in range(1000):
        port = random.randrange(low, high)
        if _bindable(port) and (also is None or _bindable(port + also)):
            return port
    raise RuntimeError(f"no free loopback port in [{low}, {high})")
