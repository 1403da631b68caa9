"""Files that interrupted uploads left in the platform home, and their removal.

A chunk is held in memory only while its request lasts, so a platform process that dies mid-request leaves
nothing of it on disk. What can be left: the local store's `.part` file of an upload whose row is gone, the
temporary file of a blob being sealed (`sync.server.blob_crypto`), and the `.chunk` files an older platform
wrote for every chunk it received. `leftover_files` finds them and `remove_leftovers` removes them, at
`platform serve` start-up and by `platform purge`. Only files untouched for an hour count, so a file still
being written by another platform process (its mtime moves with every write) is never taken.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from sync.server.db import PlatformStore
from sync.server.models import Upload

STALE_AFTER_SECONDS = 3600


@dataclass(frozen=True)
class Leftover:
    path: Path
    kind: str  # "chunk" | "part" | "blob_tmp"
    size: int
    age_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "size": self.size, "age_seconds": round(self.age_seconds)}


@dataclass(frozen=True)
class LeftoverScan:
    stale: list[Leftover]  # untouched for longer than the threshold: safe to remove
    young: list[Leftover]  # may belong to a request in progress: kept


def _candidates(store: PlatformStore) -> list[tuple[Path, str]]:
    found = [(p, "chunk") for p in store.uploads_dir.glob("*.chunk")]  # written by platforms before schema 8
    parts = {p.name.removesuffix(".part"): p for p in store.uploads_dir.glob("*.part")}
    if parts:
        with store.transaction() as session:
            live = set(session.scalars(select(Upload.id).where(Upload.id.in_(list(parts)))))
        found += [(p, "part") for upload_id, p in parts.items() if upload_id not in live]
    found += [(p, "blob_tmp") for p in store.blobs_dir.glob("*/.*.tmp")]  # blob_crypto's sealing in progress
    return sorted(found)


def leftover_files(store: PlatformStore, *, older_than: float = STALE_AFTER_SECONDS,
                   now: float | None = None) -> LeftoverScan:
    """Files of interrupted uploads that no upload or blob will ever use, split by age."""
    now = time.time() if now is None else now
    stale: list[Leftover] = []
    young: list[Leftover] = []
    for path, kind in _candidates(store):
        try:
            st = path.stat()
        except FileNotFoundError:  # its request just finished and removed it
            continue
        item = Leftover(path, kind, st.st_size, max(0.0, now - st.st_mtime))
        (stale if item.age_seconds > older_than else young).append(item)
    return LeftoverScan(stale, young)


def remove_leftovers(store: PlatformStore, *, older_than: float = STALE_AFTER_SECONDS,
                     dry_run: bool = False) -> LeftoverScan:
    """Remove the stale leftovers (re-checking each file's age just before it goes); young ones stay."""
    scan = leftover_files(store, older_than=older_than)
    if dry_run:
        return scan
    removed: list[Leftover] = []
    for item in scan.stale:
        try:
            if time.time() - item.path.stat().st_mtime <= older_than:
                continue  # written to since the scan
            item.path.unlink()
        except FileNotFoundError:
            continue
        removed.append(item)
    return LeftoverScan(removed, scan.young)
