"""What the uploads learnt about the link, kept in the terminal's store across restarts.

The chunk sizer (`sync.chunk_size`) needs megabytes without a cut before it
sends a scan page whole, and a terminal restarted every morning (or after
every power cut) used to learn that again each time: its day's uploads went
in small chunks, several requests per page, each costing the platform about
what a whole page costs. Kept here, a terminal's link is learnt once.

Kept per platform address: a terminal moved to another platform (or another
network path to it) starts over. A stale memory costs at most one large
chunk, half lost at the first cut, after which the sizer shrinks as always.
"""
from __future__ import annotations

import json
import logging

from kiosk.store.db import Store
from kiosk.store.key_values import get_value, put_value
from sync.chunk_size import ChunkSizer

log = logging.getLogger("onewindow.sync")

LINK_KEY = "sync.upload_link"


def restore_link(store: Store, sizer: ChunkSizer, platform_url: str) -> bool:
    """Give `sizer` what an earlier process learnt about the link to `platform_url`; False when nothing
    usable was kept (none, another platform's, or malformed: then the sizer starts over)."""
    with store.read() as session:
        value = get_value(session, LINK_KEY)
    if value is None:
        return False
    try:
        kept = json.loads(value)
    except ValueError:
        kept = None
    if not isinstance(kept, dict) or not isinstance(kept.get("sizer"), dict):
        log.warning("the kept upload link state is malformed; the chunk sizer starts over")
        return False
    if kept.get("platform") != platform_url:
        return False
    if not sizer.restore(kept["sizer"]):
        log.warning("the kept upload link state is malformed; the chunk sizer starts over")
        return False
    return True


def keep_link(store: Store, sizer: ChunkSizer, platform_url: str) -> None:
    """Write what `sizer` has learnt so far (one small row; called after a pass's uploads)."""
    value = json.dumps({"platform": platform_url, "sizer": sizer.snapshot()}, sort_keys=True)
    with store.transaction() as session:
        put_value(session, LINK_KEY, value)

