"""Attachment files in S3-compatible object storage (MinIO, Ceph's gateway, SeaweedFS), sealed as on disk.

Every object is a blob in `sync.server.blob_crypto`'s format: the bucket's operator sees only sealed bytes, and
a file read back from the bucket is authenticated segment by segment as from the local directory.

Keys:
- `blobs/<ab>/<sha256>/<upload id>`: the file an upload assembled. The upload's id is in the key, so two uploads
  of one file (two halls, or a retry racing the first) never write over each other's verified file; the
  `blobs` row's locator names the one in use (`s3:<key>`).
- `blobs/<ab>/<sha256>/whole`: a file stored whole (`put_bytes`: an online submission's scan, a licence's
  annotated copy), checked against its SHA-256 before it is written.
- `uploads/<upload id>/<offset>-<token>`: bytes of an upload waiting for a part to fill (below), once the
  upload's row holds `INLINE_STAGED` bytes of them already.

How an upload's bytes get there (`S3Assembly`): chunks arrive at any size, but a multipart part must be at
least 5 MB (except the last), and nothing may be held between requests, which may reach different platform
instances. So a file is cut into fixed parts of `part` bytes (a multiple of the sealing segment, at least
5 MB): part n always holds the same bytes and is sealed on its own (the header travels in part 1). Bytes
that do not yet fill a part are staged, each chunk's sealed under its own fresh nonce prefix: the first
`INLINE_STAGED` bytes in the state itself (so in the upload's row, committed with its offset), the rest as
small objects; when a chunk completes a part, the staged bytes are read back once and the part is sealed and
sent. A file of one part at most is written with a single PUT when its last byte arrives, under a fresh
prefix. So the usual small file sent in a few growing chunks costs the object store one PUT, not a PUT and a
GET per chunk and a delete (five calls for a 200 KB scan sent from 32 KB on, each a request of its own).

A process may die after writing to the bucket and before the upload row commits; the next request then
appends at the same offset with the state as it was. Staged objects and single PUTs draw a fresh prefix every
time, so that is harmless. A part is sealed under its multipart upload's prefix; before sending part n the
store asks whether a dead request already sent it: the same bytes give the same sealed part (same MD5), so it
is kept; different bytes at the same place would reuse AES-GCM nonces with another plaintext, so they are
refused (`AssemblyMismatch`) and never sent. An assembly completed by a request whose commit then failed is
recognised by its finished object and read back once to check it.

Objects a superseded state names (staged bytes now in a part) are deleted by the next append, once that
state is committed; `complete` and `abort` delete the rest. `leftovers` finds what a dead process left.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kiosk.errors import Message, UserFacingError
from sync.server.blob_crypto import (
    SEGMENT,
    BlobDamaged,
    BlobKey,
    SegmentSealer,
    decrypt_stream,
    plaintext_length,
    sealed_length,
)
from sync.server.blobstore import Assembly, AssemblyMismatch, AssemblyState, BlobStore
from sync.server.s3_requests import S3Requests
from sync.server.s3_settings import ACCESS_KEY_ENV, SECRET_KEY_ENV, S3Settings

log = logging.getLogger("onewindow.platform")

LOCATOR_PREFIX = "s3:"
MIN_PART = 5 * 1024 * 1024  # S3's smallest multipart part (EntityTooSmall below it), except the last
PART = 80 * SEGMENT  # 5 MiB: a whole number of sealing segments, so each part is sealed on its own
STATE_VERSION = 1
# Staged bytes an upload's row may hold (sealed, base64 in its JSON state) before they go to the bucket as
# objects. Each chunk rewrites the state, so this bounds what a file sent in small chunks (a bad link's 32 KB)
# writes to the database again and again: at most ~8 chunks of 32 KB before staging moves to the bucket.
INLINE_STAGED = 256 * 1024


def make_client(settings: S3Settings) -> Any:
    """A boto3 S3 client for the settings (thread-safe; one per store).

    Checksums only where the API requires them: newer SDKs add CRC headers to every request by default, which
    MinIO, Ceph's gateway and other S3-compatible stores of older releases refuse (SignatureDoesNotMatch).
    Every object is authenticated by its own sealing anyway.
    """
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=settings.endpoint, region_name=settings.region,
        aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                      connect_timeout=5, read_timeout=60, retries={"max_attempts": 4, "mode": "standard"},
                      max_pool_connections=64, request_checksum_calculation="when_required",
                      response_checksum_validation="when_required"))


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _missing(exc: Exception) -> bool:
    return _code(exc) in ("404", "NoSuchKey", "NotFound", "NoSuchUpload")


class S3StoreError(UserFacingError):
    pass


def blob_key(sha256: str, name: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}/{name}"


def _seal_whole(key: BlobKey, sha256: str, data: bytes) -> bytes:
    sealer = SegmentSealer(key, sha256)  # a fresh prefix for every write
    return sealer.header + sealer.seal(data, 0, len(data))


class S3BlobStore:
    """Sealed objects in one bucket; files stored before object storage was turned on (locator None) are still
    read from the local directory store they are in."""

    kind = "s3"

    def __init__(self, settings: S3Settings, key: BlobKey, *, local: BlobStore | None = None, part: int = PART,
                 client: Any = None) -> None:
        if part % SEGMENT or part < MIN_PART:
            raise ValueError(f"part size {part} must be a multiple of {SEGMENT} and at least {MIN_PART}")
        self.settings = settings
        self.bucket = settings.bucket
        self.key = key
        self.local = local
        self.client = client if client is not None else make_client(settings)
        # the calls every chunk and download makes, signed by hand (botocore costs a millisecond of CPU a call)
        self.calls = S3Requests(settings)
        self.assembly: Assembly = S3Assembly(self, part)

    # --- where things are -------------------------------------------------------------------------

    def object_key(self, locator: str | None) -> str | None:
        if locator is None or not locator.startswith(LOCATOR_PREFIX):
            return None
        return locator[len(LOCATOR_PREFIX):]

    def check(self) -> None:
        """Reach the bucket once, so that a wrong endpoint, bucket or credential stops the platform at start-up
        with a message that names it instead of failing every upload later."""
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"{self.settings.endpoint} / {self.bucket}"
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = _code(exc)
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise S3StoreError(Message(f"对象存储 {self.settings.endpoint} 中没有存储桶 {self.bucket}，请先创建。",
                                           f"The object storage at {self.settings.endpoint} has no bucket "
                                           f"{self.bucket}; create it first."), code="s3_bucket") from None
            if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise S3StoreError(Message(f"对象存储 {where} 拒绝了访问凭据（{code}），请检查环境变量 {ACCESS_KEY_ENV} 和 "
                                           f"{SECRET_KEY_ENV}。",
                                           f"The object storage {where} refused the credentials ({code}): check "
                                           f"{ACCESS_KEY_ENV} and {SECRET_KEY_ENV}."),
                                   code="s3_credentials") from None
            raise S3StoreError(Message(f"对象存储 {where} 出错：{code or exc}", f"The object storage {where} failed: "
                                       f"{code or exc}"), code="s3_unavailable") from None
        except BotoCoreError as exc:
            raise S3StoreError(Message(f"无法连接对象存储 {self.settings.endpoint}：{exc}",
                                       f"Cannot reach the object storage at {self.settings.endpoint}: {exc}"),
                               code="s3_unavailable") from None

    # --- the BlobStore interface --------------------------------------------------------------------

    def _head(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return self.calls.head_object(key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def exists(self, sha256: str, locator: str | None) -> bool:
        key = self.object_key(locator)
        if key is None:
            return self.local is not None and self.local.exists(sha256, locator)
        return self._head(key) is not None

    def size(self, sha256: str, locator: str | None) -> int | None:
        key = self.object_key(locator)
        if key is None:
            return self.local.size(sha256, locator) if self.local is not None else None
        sealed = self._head(key)
        return None if sealed is None else plaintext_length(sealed)

    def open(self, sha256: str, locator: str | None) -> Iterator[bytes]:
        key = self.object_key(locator)
        if key is None:
            if self.local is None:
                raise FileNotFoundError(sha256)
            yield from self.local.open(sha256, locator)
            return
        body = RangedObject(self.calls, key)
        size = body.fetch_first()
        yield from decrypt_stream(body.read, size, self.key, sha256, key)

    def put_bytes(self, sha256: str, data: bytes) -> str | None:
        """The file is checked against its name first: an object under a hash always holds that hash's bytes."""
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"the bytes given are not {sha256[:12]}…")
        key = blob_key(sha256, "whole")
        if self._head(key) != sealed_length(len(data)):
            self.calls.put_object(key, _seal_whole(self.key, sha256, data))
        return LOCATOR_PREFIX + key

    def delete(self, sha256: str, locator: str | None) -> None:
        key = self.object_key(locator)
        if key is None:
            if self.local is not None:
                self.local.delete(sha256, locator)
            return
        self.client.delete_object(Bucket=self.bucket, Key=key)

    # --- what a dead process leaves behind ---------------------------------------------------------

    def delete_keys(self, keys: Iterable[str]) -> None:
        """Best effort: an object left here is found again by `leftovers`."""
        batch = list(keys)
        for start in range(0, len(batch), 1000):
            try:
                self.calls.delete_objects(batch[start:start + 1000])
            except Exception as exc:  # noqa: BLE001 - cleanup must never fail the request that asked for it
                log.warning("could not delete %d staged object(s): %s", len(batch[start:start + 1000]), exc)

    def leftovers(self, live_uploads: Callable[[set[str]], set[str]], named: Callable[[set[str]], set[str]], *,
                  older_than: float = 3600.0, now: float | None = None) -> list[Leftover]:
        """Objects and multipart uploads nothing will use, untouched for `older_than` seconds: staged bytes of
        uploads whose row is gone, files no `blobs` row names, multipart uploads of finished or abandoned
        uploads. The database is asked a page (1,000 keys) at a time: `live_uploads(ids)` gives the upload ids
        that still have a row, `named(sha256s)` the locators that `blobs` rows of those files hold."""
        now = time.time() if now is None else now
        found: list[Leftover] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for prefix in ("uploads/", "blobs/"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                old = [(o["Key"], int(o["Size"]), now - o["LastModified"].timestamp()) for o in page.get("Contents", [])]
                old = [o for o in old if o[2] > older_than and o[0].count("/") == (2 if prefix == "uploads/" else 3)]
                owners = {key.split("/")[1] if prefix == "uploads/" else key.rsplit("/", 1)[-1] for key, _, _ in old}
                live = live_uploads(owners) if owners else set()
                kept = named({key.split("/")[2] for key, _, _ in old}) if prefix == "blobs/" and old else set()
                for key, size, age in old:
                    owner = key.split("/")[1] if prefix == "uploads/" else key.rsplit("/", 1)[-1]
                    if owner not in live and LOCATOR_PREFIX + key not in kept:
                        found.append(Leftover(key, None, size, age))
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix="blobs/"):
            old_mpus = [(m["Key"], m["UploadId"], now - m["Initiated"].timestamp()) for m in page.get("Uploads", [])]
            old_mpus = [m for m in old_mpus if m[2] > older_than]
            live = live_uploads({key.rsplit("/", 1)[-1] for key, _, _ in old_mpus}) if old_mpus else set()
            found += [Leftover(key, mpu, 0, age) for key, mpu, age in old_mpus if key.rsplit("/", 1)[-1] not in live]
        return found

    def remove(self, leftovers: Iterable[Leftover]) -> None:
        objects = []
        for item in leftovers:
            if item.multipart_id is None:
                objects.append(item.key)
            else:
                self._abort_multipart(item.key, item.multipart_id)
        self.delete_keys(objects)

    def _abort_multipart(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if not _missing(exc):
                raise


class RangedObject:
    """An object read a range (`RANGE`, whole sealed segments) at a time, one short GET each.

    A download goes at the terminal's pace; one long GET would hold a connection to the object store idle
    while a slow link drains what was sent, until the store or a proxy in between cuts it.
    """

    RANGE = 64 * (SEGMENT + 16)  # 4 MiB and a little: 64 sealed segments

    def __init__(self, calls: S3Requests, key: str) -> None:
        self.calls, self.key = calls, key
        self.size = 0
        self.fetched = 0  # bytes of the object fetched so far
        self.buffer = b""
        self.at = 0  # read position in the buffer

    def _get(self) -> None:
        from botocore.exceptions import ClientError

        try:
            data, size = self.calls.get_object(self.key, f"bytes={self.fetched}-{self.fetched + self.RANGE - 1}")
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(self.key) from None
            raise
        self.size = size if size is not None else self.fetched + len(data)
        self.buffer = self.buffer[self.at:] + data
        self.at = 0
        self.fetched += len(data)
        if not data and self.fetched < self.size:
            raise BlobDamaged(f"{self.key}: the object store sent nothing at {self.fetched} of {self.size}")

    def fetch_first(self) -> int:
        """The first range; returns the object's whole size."""
        self._get()
        return self.size

    def read(self, n: int) -> bytes:
        while len(self.buffer) - self.at < n and self.fetched < self.size:
            self._get()
        out = self.buffer[self.at:self.at + n]
        self.at += len(out)
        return out


@dataclass(frozen=True)
class Leftover:
    key: str
    multipart_id: str | None  # an unfinished multipart upload rather than an object
    size: int
    age_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"path": f"s3:{self.key}", "kind": "multipart" if self.multipart_id else "object",
                "size": self.size, "age_seconds": round(self.age_seconds)}


class _Gone(Exception):
    """Something the state names is no longer in the bucket: the assembly was completed or thrown away."""


class S3Assembly:
    """An upload's bytes put together in the bucket: staged objects, then fixed-size multipart parts."""

    def __init__(self, blobs: S3BlobStore, part: int, inline: int = INLINE_STAGED) -> None:
        self.blobs = blobs
        self.part = part
        self.inline = inline  # staged bytes kept in the state itself (0: every staged chunk is an object)

    @property
    def client(self) -> Any:
        return self.blobs.client

    @property
    def bucket(self) -> str:
        return self.blobs.bucket

    def start(self, upload_id: str, sha256: str, length: int) -> AssemblyState:
        return {"v": STATE_VERSION, "upload_id": upload_id, "sha256": sha256, "length": int(length),
                "key": blob_key(sha256, upload_id), "part": self.part, "mpu": None, "prefix": None,
                "parts": [], "staged": [], "garbage": [], "done": False}

    # --- append ----------------------------------------------------------------------------------

    def append(self, state: AssemblyState, offset: int, chunk: bytes) -> AssemblyState:
        state = _copy(state)
        if state["garbage"]:  # named by the state before the committed one: no request will ask for them again
            self.blobs.delete_keys(state["garbage"])
            state["garbage"] = []
        length, part = int(state["length"]), int(state["part"])
        sealed = len(state["parts"]) * part
        have = sealed + sum(int(s["size"]) for s in state["staged"])
        end = offset + len(chunk)
        if offset != have or end > length or state["done"]:
            raise ValueError(f"append at {offset} (+{len(chunk)}) to an assembly holding {have} of {length} bytes")
        if not chunk:
            return state
        part_end = min(sealed + part, length)
        if end < part_end:  # the part is not full yet: stage the bytes
            state["staged"].append(self._stage(state, offset, chunk, _inline_bytes(state)))
            return state
        try:
            data = self._staged_bytes(state) + chunk  # the plaintext from `sealed` to `end`
            pos = sealed
            while pos < length and min(pos + part, length) <= end:
                stop = min(pos + part, length)
                if length <= part:
                    self._put_single(state, data)
                else:
                    self._send_part(state, pos // part + 1, data[pos - sealed:stop - sealed], pos)
                pos = stop
        except _Gone:
            return self._recovered(state)
        state["garbage"] = _object_keys(state["staged"])
        state["staged"] = []
        if pos < end:
            state["staged"].append(self._stage(state, pos, data[pos - sealed:], 0))
        state["done"] = pos == length
        return state

    def _stage(self, state: AssemblyState, offset: int, data: bytes, inline_before: int) -> dict[str, Any]:
        """Bytes short of a part, sealed under a fresh prefix and bound to their place in this upload: in the
        state while it holds at most `self.inline` such bytes (`inline_before` already), else an object."""
        label = f"{state['upload_id']}:{offset}"
        sealed = _seal_whole(self.blobs.key, label, data)
        if inline_before + len(data) <= self.inline:
            return {"inline": base64.b64encode(sealed).decode("ascii"), "offset": offset, "size": len(data)}
        # A key of its own: a request thought dead may still be writing (its database session was cut while it
        # waited on the object store) and must not write over what the request that took over staged.
        key = f"uploads/{state['upload_id']}/{offset:012d}-{secrets.token_hex(4)}"
        self.blobs.calls.put_object(key, sealed)
        return {"key": key, "offset": offset, "size": len(data)}

    def _staged_bytes(self, state: AssemblyState) -> bytes:
        from botocore.exceptions import ClientError

        pieces: list[bytes] = []
        for staged in state["staged"]:
            label = f"{state['upload_id']}:{staged['offset']}"
            where = staged.get("key") or f"upload {state['upload_id']} at {staged['offset']} (staged in its row)"
            if "inline" in staged:
                try:
                    sealed = base64.b64decode(staged["inline"], validate=True)
                except (binascii.Error, ValueError, TypeError) as exc:
                    raise AssemblyMismatch(f"{where}: {exc}") from None
            else:
                try:
                    sealed, _size = self.blobs.calls.get_object(staged["key"])
                except ClientError as exc:
                    if _missing(exc):
                        raise _Gone(staged["key"]) from None
                    raise
            try:
                data = b"".join(decrypt_stream(io.BytesIO(sealed).read, len(sealed), self.blobs.key, label, where))
            except BlobDamaged as exc:  # the upload cannot be finished: thrown away, not retried for ever
                raise AssemblyMismatch(str(exc)) from None
            if len(data) != int(staged["size"]):
                raise AssemblyMismatch(f"{where}: {len(data)} bytes staged, {staged['size']} expected")
            pieces.append(data)
        return b"".join(pieces)

    def _put_single(self, state: AssemblyState, data: bytes) -> None:
        """A file of one part: one PUT, under a fresh prefix (a repeated last chunk writes a new sealing)."""
        self.blobs.calls.put_object(state["key"], _seal_whole(self.blobs.key, state["sha256"], data))

    def _send_part(self, state: AssemblyState, number: int, plain: bytes, pos: int) -> None:
        from botocore.exceptions import ClientError

        created = state["mpu"] is None
        if created:
            sealer = SegmentSealer(self.blobs.key, state["sha256"])
            answer = self.client.create_multipart_upload(Bucket=self.bucket, Key=state["key"],
                                                         ContentType="application/octet-stream")
            state["mpu"], state["prefix"] = answer["UploadId"], sealer.prefix.hex()
        else:
            sealer = SegmentSealer(self.blobs.key, state["sha256"], bytes.fromhex(state["prefix"]))
        body = (sealer.header if number == 1 else b"") + sealer.seal(plain, pos // SEGMENT, int(state["length"]))
        md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
        try:
            earlier = None if created else self._sent_part(state, number)
            if earlier is None:
                etag = self.client.upload_part(Bucket=self.bucket, Key=state["key"], UploadId=state["mpu"],
                                               PartNumber=number, Body=body)["ETag"]
            elif earlier["ETag"].strip('"') == md5 and int(earlier["Size"]) == len(body):
                etag = earlier["ETag"]  # a dead request sent these very bytes
            else:
                raise AssemblyMismatch(f"part {number} of upload {state['upload_id']} was already sent with other "
                                       "bytes; refusing to seal different bytes in its place")
        except ClientError as exc:
            if _missing(exc):
                raise _Gone(state["mpu"]) from None
            raise
        state["parts"].append({"n": number, "etag": etag})

    def _sent_part(self, state: AssemblyState, number: int) -> dict[str, Any] | None:
        answer = self.client.list_parts(Bucket=self.bucket, Key=state["key"], UploadId=state["mpu"],
                                        PartNumberMarker=number - 1, MaxParts=1)
        for part in answer.get("Parts", []):
            if int(part["PartNumber"]) == number:
                return part
        return None

    def _recovered(self, state: AssemblyState) -> AssemblyState:
        """The state names objects that are gone: a request finished the assembly, then failed to commit.
        The finished object is taken as it is and read back once by `complete`."""
        if self.blobs._head(state["key"]) != sealed_length(int(state["length"])):
            raise AssemblyMismatch(f"upload {state['upload_id']}: its staged bytes are gone and no finished file "
                                   "is there")
        state.update(done=True, recovered=True, staged=[], garbage=[])
        return state

    # --- complete / abort ----------------------------------------------------------------------------

    def complete(self, state: AssemblyState, sha256: str, *, verified: bool) -> str | None:
        from botocore.exceptions import ClientError

        if not state["done"]:
            raise ValueError(f"upload {state['upload_id']} is not complete")
        recovered = bool(state.get("recovered"))
        if state["mpu"] and not recovered:
            try:
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=state["key"], UploadId=state["mpu"],
                    MultipartUpload={"Parts": [{"PartNumber": p["n"], "ETag": p["etag"]} for p in state["parts"]]})
            except ClientError as exc:
                if not _missing(exc):
                    raise
                self._recovered(state)
                recovered = True
        locator = LOCATOR_PREFIX + state["key"]
        if not verified or recovered:
            digest = hashlib.sha256()
            try:
                for piece in self.blobs.open(state["sha256"], locator):
                    digest.update(piece)
            except BlobDamaged as exc:
                self.abort(state)
                raise AssemblyMismatch(str(exc)) from None
            if digest.hexdigest() != sha256 or state["sha256"] != sha256:
                self.abort(state)
                raise AssemblyMismatch(f"assembled {digest.hexdigest()[:12]}…, announced {sha256[:12]}…")
        self.blobs.delete_keys(list(state["garbage"]) + _object_keys(state["staged"]))
        return locator

    def abort(self, state: AssemblyState) -> None:
        if state.get("mpu"):
            self.blobs._abort_multipart(state["key"], state["mpu"])
        self.blobs.delete_keys(list(state.get("garbage", [])) + _object_keys(state.get("staged", []))
                               + [state["key"]])


def _inline_bytes(state: AssemblyState) -> int:
    return sum(int(s["size"]) for s in state["staged"] if "inline" in s)


def _object_keys(staged: list[dict[str, Any]]) -> list[str]:
    """The bucket's objects among staged bytes (those staged in the state went with it)."""
    return [s["key"] for s in staged if "key" in s]


def _copy(state: AssemblyState) -> AssemblyState:
    """A new state for the new offset; the caller's stays as committed (it may be appended to again)."""
    copied = dict(state)
    for k in ("parts", "staged", "garbage"):
        copied[k] = [dict(x) if isinstance(x, dict) else x for x in state.get(k, [])]
    return copied


__all__ = ["LOCATOR_PREFIX", "Leftover", "MIN_PART", "PART", "S3Assembly", "S3BlobStore", "S3StoreError",
           "blob_key", "make_client"]
