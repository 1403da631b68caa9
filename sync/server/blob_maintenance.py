"""The state of the platform's blob store at rest, and the migration of plaintext blobs left by older platforms.

`platform doctor` reports it (how many files are still plaintext, sealed
under another key, or readable by other users); `platform purge` encrypts
the plaintext ones, verifying each file's SHA-256 on the way, so a damaged
file is reported and left as it was rather than sealed as if it were good.
"""
from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from sync.server import blob_crypto
from sync.server.db import PlatformStore
from sync.server.models import Blob, Upload

_PLAIN = re.compile(r"[0-9a-f]{64}")
_SEALED = re.compile(r"[0-9a-f]{64}" + re.escape(blob_crypto.ENCRYPTED_SUFFIX))


@dataclass
class BlobScan:
    encrypted: int = 0
    plaintext: list[str] = field(default_factory=list)  # SHA-256 of each file still in plaintext
    other_key: list[str] = field(default_factory=list)  # sealed under a key other than the one loaded
    not_private: list[str] = field(default_factory=list)  # paths readable or writable by others

    def as_dict(self) -> dict[str, object]:
        return {"encrypted": self.encrypted, "plaintext": len(self.plaintext), "other_key": len(self.other_key),
                "not_private": self.not_private}


def scan_blobs(store: PlatformStore) -> BlobScan:
    scan = BlobScan()
    key_id = store.key.key_id
    for path in (store.home, store.blobs_dir, store.uploads_dir):
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            scan.not_private.append(str(path))
    for folder in sorted(p for p in store.blobs_dir.iterdir() if p.is_dir()) if store.blobs_dir.is_dir() else []:
        if stat.S_IMODE(folder.stat().st_mode) & 0o077:
            scan.not_private.append(str(folder))
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                scan.not_private.append(str(path))
            if _PLAIN.fullmatch(path.name):
                if not store.encrypted_blob_path(path.name).is_file():
                    scan.plaintext.append(path.name)
            elif _SEALED.fullmatch(path.name):
                scan.encrypted += 1
                with path.open("rb") as fh:
                    header = blob_crypto.read_header(fh)
                if header is None or header[0] != key_id:
                    scan.other_key.append(path.name.removesuffix(blob_crypto.ENCRYPTED_SUFFIX))
    return scan


@dataclass
class Migration:
    encrypted: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # plaintext files whose bytes are not their SHA-256: left alone

    def as_dict(self) -> dict[str, object]:
        return {"encrypted": len(self.encrypted), "damaged": self.damaged}


def encrypt_plaintext_blobs(store: PlatformStore, *, dry_run: bool = False) -> Migration:
    """Seal every plaintext blob (verified on the way) and remove its plaintext file."""
    result = Migration()
    for sha256 in scan_blobs(store).plaintext:
        if dry_run:
            result.encrypted.append(sha256)
            continue
        plain: Path = store.blob_path(sha256)
        digest = store.store_blob_file(sha256, plain)  # seals and removes the plaintext only when the digest matches
        if digest != sha256:
            result.damaged.append(sha256)
        else:
            result.encrypted.append(sha256)
    return result


def object_leftovers(store: PlatformStore, *, dry_run: bool = False,
                     older_than: float = 3600.0) -> list[dict[str, object]]:
    """What interrupted uploads left in object storage (staged bytes, unfinished multipart uploads, files no
    row names), removed unless `dry_run`; nothing for the local store, whose leftovers are files in the home."""
    sweep = getattr(store.blobs, "leftovers", None)
    if sweep is None:
        return []

    def live_uploads(ids: set[str]) -> set[str]:
        with store.transaction() as session:
            return set(session.scalars(select(Upload.id).where(Upload.id.in_(list(ids)))))

    def named(shas: set[str]) -> set[str]:
        with store.transaction() as session:
            return {loc for loc in session.scalars(select(Blob.locator).where(Blob.sha256.in_(list(shas)))) if loc}

    found = sweep(live_uploads, named, older_than=older_than)
    if not dry_run:
        store.blobs.remove(found)  # type: ignore[attr-defined]  # S3BlobStore, which `leftovers` came from
    return [item.as_dict() for item in found]
