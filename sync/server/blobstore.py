"""Where the platform keeps attachment bytes: a directory on one box, or S3-compatible object storage.

Two kinds of store, one interface, so that nothing above this module knows which is in use:

- `LocalBlobStore`: files under the platform home, sealed with the blob key (`sync.server.blob_crypto`).
  Right for a single box and the embedded platform of a one-PC office; several instances need a shared
  store instead.
- `sync.server.s3store.S3BlobStore`: objects in a bucket (MinIO, Ceph's gateway, SeaweedFS), sealed the
  same way, so that any number of platform instances on any number of machines serve the same files.

A stored file is named by its SHA-256 and its *locator*, which the `blobs` row keeps (`Blob.locator`):
None for a file in the local directory under its hash (every file stored before object storage existed),
`s3:<key>` for an object. A locator is opaque outside the store that made it.

An upload's bytes go into an `Assembly` as they arrive. Its state is a small JSON document kept on the
upload's row and advanced in the same transaction as the upload's offset, under the row's lock: any
instance can take the next chunk, and a process that dies between writing a chunk and committing leaves
state that the next request simply writes over (`append` at the same offset must be harmless to repeat).
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from sync.server.blob_crypto import BlobDamaged

AssemblyState = dict[str, Any]  # JSON: kept on the upload row (`Upload.assembly`)


class AssemblyMismatch(Exception):
    """The assembled bytes are not the file they were announced as; nothing was kept."""


class Assembly(Protocol):
    """An upload's bytes being put together in a store, one verified chunk after another."""

    def start(self, upload_id: str, sha256: str, length: int) -> AssemblyState:
        """A new, empty assembly for an upload of `length` bytes."""

    def append(self, state: AssemblyState, offset: int, chunk: bytes) -> AssemblyState:
        """Add `chunk` at `offset` (always the number of bytes appended so far); return the new state.

        Called under the upload row's lock; the state returned is committed with the new offset. If the
        process dies before that commit, the same offset is appended again by a later request, possibly
        on another instance, with the state as it was: doing so must leave a correct assembly. A store that
        cannot take *other* bytes at a place the dead request already sealed (object storage: that would reuse
        encryption nonces) raises `AssemblyMismatch`; the caller then aborts the assembly and drops the upload,
        as for a file that fails verification.
        """

    def complete(self, state: AssemblyState, sha256: str, *, verified: bool) -> str | None:
        """All bytes are in: make them the stored file `sha256` and return its locator.

        `verified` says the caller hashed every byte as it arrived and it matched. When it did not (the
        chunks went to several processes, so no one process saw them all), the store reads the assembled
        bytes once to check them, and raises `AssemblyMismatch` (keeping nothing) if they are not `sha256`.
        """

    def abort(self, state: AssemblyState) -> None:
        """Throw the assembly away (the upload failed verification, or was abandoned)."""


class BlobStore(Protocol):
    """Stored attachment files, sealed at rest, read back in authenticated pieces."""

    assembly: Assembly
    kind: str  # "local" | "s3": what `doctor`, logs and benchmarks print

    def exists(self, sha256: str, locator: str | None) -> bool:
        ...

    def size(self, sha256: str, locator: str | None) -> int | None:
        """The plaintext size, or None when the file is not there."""

    def open(self, sha256: str, locator: str | None) -> Iterator[bytes]:
        """The plaintext in pieces; `BlobDamaged` on a piece that does not authenticate, `FileNotFoundError`
        when there is no such file."""

    def put_bytes(self, sha256: str, data: bytes) -> str | None:
        """Store a whole file held in memory (an online submission's scan, a licence's annotated copy);
        returns its locator. Storing a file the store already holds is harmless."""

    def delete(self, sha256: str, locator: str | None) -> None:
        ...


class LocalFiles(Protocol):
    """What the local store needs of the platform home (`sync.server.db.PlatformStore`, which holds this store:
    named here by shape so that the two modules do not import each other)."""

    @property
    def uploads_dir(self) -> Path: ...

    def blob_path(self, sha256: str) -> Path: ...

    def encrypted_blob_path(self, sha256: str) -> Path: ...

    def blob_file(self, sha256: str) -> Path | None: ...

    def blob_encrypted(self, path: Path) -> bool: ...

    def blob_size(self, sha256: str) -> int | None: ...

    def iter_blob(self, sha256: str) -> Iterator[bytes]: ...

    def store_blob_file(self, sha256: str, src: Path) -> str: ...

    def store_blob_bytes(self, sha256: str, data: bytes) -> None: ...


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


class LocalAssembly:
    """The upload's plaintext in `<home>/uploads/<id>.part`, sealed into the blob directory on completion."""

    def __init__(self, store: LocalFiles) -> None:
        self.store = store

    def _part(self, state: AssemblyState) -> Path:
        return self.store.uploads_dir / f"{state['upload_id']}.part"

    def start(self, upload_id: str, sha256: str, length: int) -> AssemblyState:
        state: AssemblyState = {"upload_id": upload_id, "length": length}
        os.close(os.open(self._part(state), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        return state

    def append(self, state: AssemblyState, offset: int, chunk: bytes) -> AssemblyState:
        part = self._part(state)
        fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, chunk, offset)
            os.ftruncate(fd, offset + len(chunk))  # whatever a dead request wrote past the offset goes
            if offset + len(chunk) == int(state["length"]):
                os.fsync(fd)
        finally:
            os.close(fd)
        return state

    def complete(self, state: AssemblyState, sha256: str, *, verified: bool) -> str | None:
        """Sealing reads the part once anyway, and checks its hash while it does. When the file is already
        sealed nothing is sealed again, so an unverified part is hashed before it is thrown away: the hall
        that sent it gets the file only if it sent these very bytes."""
        part = self._part(state)
        existing = self.store.blob_file(sha256)
        if existing is not None and self.store.blob_encrypted(existing):
            digest = sha256 if verified else _file_sha256(part)
            part.unlink(missing_ok=True)  # the bytes are stored once, whichever hall sent them first
            if digest != sha256:
                raise AssemblyMismatch(f"assembled {digest[:12]}…, announced {sha256[:12]}…")
            return None
        digest = self.store.store_blob_file(sha256, part)
        part.unlink(missing_ok=True)
        if digest != sha256:
            raise AssemblyMismatch(f"assembled {digest[:12]}…, announced {sha256[:12]}…")
        return None

    def abort(self, state: AssemblyState) -> None:
        self._part(state).unlink(missing_ok=True)


class LocalBlobStore:
    """Sealed files under the platform home (`PlatformStore.blob_file` and friends)."""

    kind = "local"

    def __init__(self, store: LocalFiles) -> None:
        self.store = store
        self.assembly: Assembly = LocalAssembly(store)

    def exists(self, sha256: str, locator: str | None) -> bool:
        return self.store.blob_file(sha256) is not None

    def size(self, sha256: str, locator: str | None) -> int | None:
        return self.store.blob_size(sha256)

    def open(self, sha256: str, locator: str | None) -> Iterator[bytes]:
        return self.store.iter_blob(sha256)

    def put_bytes(self, sha256: str, data: bytes) -> str | None:
        existing = self.store.blob_file(sha256)
        if existing is None or not self.store.blob_encrypted(existing):
            self.store.store_blob_bytes(sha256, data)
        return None

    def delete(self, sha256: str, locator: str | None) -> None:
        for path in (self.store.encrypted_blob_path(sha256), self.store.blob_path(sha256)):
            path.unlink(missing_ok=True)


__all__ = ["Assembly", "AssemblyMismatch", "AssemblyState", "BlobDamaged", "BlobStore", "LocalAssembly",
           "LocalBlobStore", "LocalFiles"]
