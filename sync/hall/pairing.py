"""The terminal's pairing with its hall hub: the hub's answer (with the token) and the hub's address, kept
in `<data dir>/hall/pairing.json`, 0600 in a 0700 folder, written atomically.

A damaged file counts as "not paired" (logged), so a terminal with a broken file asks to be paired again
rather than stopping; the token never goes to a log or to stdout.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.queue.model import Pairing
from kiosk.settings import Settings
from sync.hall import wire

log = logging.getLogger("onewindow.sync.hall.pairing")


@dataclass(frozen=True)
class SavedPairing:
    hub_url: str
    pairing: Pairing = field(repr=False)
    paired_at: datetime


def pairing_path(settings: Settings) -> Path:
    return settings.home / "hall" / "pairing.json"


def check_hub_url(url: str) -> str:
    """http(s)://host[:port] with nothing after it; anything else is refused with a message."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.path or parts.query \
            or parts.fragment or parts.username:
        raise UserFacingError(Message(f"叫号服务器地址无效：{url!r}（应为 http://主机:端口，例如 http://10.0.0.5:8770）。",
                                      f"Invalid queue server address: {url!r} (expected http://host:port, "
                                      "e.g. http://10.0.0.5:8770)."), code="hall_url")
    return text


def save_pairing(settings: Settings, hub_url: str, pairing: Pairing) -> Path:
    path = pairing_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    body = {"hub_url": hub_url, "paired_at": datetime.now(timezone.utc).isoformat(), "pairing": wire.encode(pairing)}
    write_atomic(path, json.dumps(body, ensure_ascii=False).encode("utf-8"), mode=0o600)
    return path


def load_pairing(settings: Settings) -> SavedPairing | None:
    """None when not paired, or when the file is damaged (logged: pairing again repairs it)."""
    path = pairing_path(settings)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not isinstance(raw.get("hub_url"), str):
            raise ValueError("no hub_url")
        paired_at = wire.decode_as(datetime, raw.get("paired_at"), "paired_at")
        return SavedPairing(check_hub_url(raw["hub_url"]), wire.decode_as(Pairing, raw.get("pairing"), "pairing"),
                            paired_at)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UserFacingError) as exc:  # WireError is a ValueError
        log.error("the hall pairing file %s is damaged (%s); this terminal counts as not paired with the hub",
                  path, type(exc).__name__)
        return None


def forget_pairing(settings: Settings) -> None:
    pairing_path(settings).unlink(missing_ok=True)
