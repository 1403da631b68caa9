"""Attachment files on the platform, encrypted at rest with a key kept outside the data directory.

A copied platform home (a backup, a disk taken out of a server) must not
hand out citizens' scans, so the key lives elsewhere: `--blob-key-file`, the
environment variable `ONEWINDOW_PLATFORM_BLOB_KEY_FILE`, a systemd credential
(`LoadCredential=onewindow-platform-blob-key:...`, found in
`$CREDENTIALS_DIRECTORY`), or by default the user's configuration directory
(`$XDG_CONFIG_HOME/onewindow-platform/blob.key`). A key inside the home is
refused: it would travel with the data.

Format of an encrypted blob (`<sha256>.enc` beside where the plaintext file
`<sha256>` of older platforms lives, so the file name is the flag and a
half-done migration is never ambiguous): a header (magic, key id, nonce
prefix, segment size) then the plaintext in segments of `SEGMENT` bytes, each
sealed with AES-GCM under a nonce made of the prefix, the segment's number and
a "last segment" flag, with the header and the file's SHA-256 as associated
data. Segments make reading and writing streamable in bounded memory while
every byte handed out has been authenticated; the last-flag catches a
truncated file; the SHA-256 in the associated data catches one blob's file
put in another's place. The SHA-256 stays that of the plaintext, as the
protocol names files.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import stat
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import platformdirs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import Message, UserFacingError

KEY_ENV = "ONEWINDOW_PLATFORM_BLOB_KEY_FILE"
CREDENTIAL_NAME = "onewindow-platform-blob-key"
KEY_FILE_NAME = "blob.key"
MAGIC = b"OWBLOB\x00\x01"
SEGMENT = 64 * 1024
TAG = 16
_HEADER = struct.Struct(">8s8s7sI")  # magic, key id, nonce prefix, segment size
HEADER_SIZE = _HEADER.size
ENCRYPTED_SUFFIX = ".enc"


class BlobKeyError(UserFacingError):
    pass


class BlobDamaged(Exception):
    """An encrypted blob that does not authenticate: damaged on disk, or sealed under another key."""


@dataclass(frozen=True)
class BlobKey:
    key: bytes
    path: Path
    source: str  # "option" | "environment" | "systemd-credential" | "config-dir"

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(b"onewindow platform blob key id\x00" + self.key).digest()[:8]


def default_key_location() -> tuple[Path, str]:
    """Where the key is looked for when no `--blob-key-file` is given, and what that place is called."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return Path(env).expanduser(), "environment"
    creds = os.environ.get("CREDENTIALS_DIRECTORY", "").strip()
    if creds and (Path(creds) / CREDENTIAL_NAME).is_file():
        return Path(creds) / CREDENTIAL_NAME, "systemd-credential"
    return Path(platformdirs.user_config_dir("onewindow-platform")) / KEY_FILE_NAME, "config-dir"


def _inside(path: Path, home: Path) -> bool:
    try:
        path.resolve().relative_to(home.resolve())
        return True
    except ValueError:
        return False


def _parse_key(raw: bytes, path: Path) -> bytes:
    text = raw.strip()
    if len(raw) == 32 and len(text) != 64:
        return raw
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != 32:
        raise BlobKeyError(Message(f"平台文件密钥 {path} 格式无效（应为64位十六进制数字）。",
                                   f"The platform's file key {path} is malformed (64 hex digits expected)."),
                           code="blob_key")
    return key


def load_or_create_key(home: Path, key_file: Path | None = None) -> BlobKey:
    """The blob key, created (0600, in a 0700 directory) when it does not exist yet; never inside `home`."""
    if key_file is not None:
        path, source = key_file.expanduser(), "option"
    else:
        path, source = default_key_location()
    if _inside(path, home):
        raise BlobKeyError(Message(
            f"平台文件密钥 {path} 位于数据目录 {home} 之内，拷走数据目录即可解密全部文件。请把密钥放在数据目录之外"
            f"（--blob-key-file 或环境变量 {KEY_ENV}）。",
            f"The platform's file key {path} is inside its data directory {home}: a copy of the directory would "
            "decrypt every file. Keep the key elsewhere (--blob-key-file or ONEWINDOW_PLATFORM_BLOB_KEY_FILE)."),
            code="blob_key_inside_home")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if source == "systemd-credential":  # pragma: no cover - is_file() was true a moment ago
            raise
        key = secrets.token_bytes(32)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another platform process created it first
            return load_or_create_key(home, key_file)
        with os.fdopen(fd, "wb") as out:
            out.write(key.hex().encode("ascii") + b"\n")
            out.flush()
            os.fsync(out.fileno())
        return BlobKey(key, path, source)
    except OSError as exc:
        raise BlobKeyError(Message(f"无法读取平台文件密钥 {path}：{exc.strerror}",
                                   f"Cannot read the platform's file key {path}: {exc.strerror}"),
                           code="blob_key") from None
    if source != "systemd-credential":
        try:
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            pass
    return BlobKey(_parse_key(raw, path), path, source)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


class EncryptingWriter:
    """Seals plaintext written in any pieces into the blob format; `finish()` writes the last segment."""

    def __init__(self, out: BinaryIO, key: BlobKey, sha256: str) -> None:
        self.out = out
        self.aead = AESGCM(key.key)
        self.prefix = secrets.token_bytes(7)
        self.header = _HEADER.pack(MAGIC, key.key_id, self.prefix, SEGMENT)
        self.aad = self.header + sha256.encode("ascii")
        self.index = 0
        self.buffer = bytearray()
        out.write(self.header)

    def _seal(self, data: bytes, last: bool) -> None:
        self.out.write(self.aead.encrypt(_nonce(self.prefix, self.index, last), data, self.aad))
        self.index += 1

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) > SEGMENT:  # keep a full one back: only finish() knows which is last
            self._seal(bytes(self.buffer[:SEGMENT]), False)
            del self.buffer[:SEGMENT]

    def finish(self) -> None:
        self._seal(bytes(self.buffer), True)
        self.buffer.clear()


def read_header(fh: BinaryIO) -> tuple[bytes, bytes, int] | None:
    """(key id, nonce prefix, segment size) of an encrypted blob, or None if it is not one."""
    return read_header_bytes(fh.read(HEADER_SIZE))


def plaintext_length(sealed_size: int, segment: int = SEGMENT) -> int:
    """The plaintext length of a sealed blob of `sealed_size` bytes (header included)."""
    body = sealed_size - HEADER_SIZE
    segments = max(1, -(-body // (segment + TAG)))
    return body - segments * TAG


def sealed_length(plaintext: int, segment: int = SEGMENT) -> int:
    """The size of a sealed blob holding `plaintext` bytes (header included): one segment at least."""
    return HEADER_SIZE + plaintext + max(1, -(-plaintext // segment)) * TAG


def plaintext_size(path: Path) -> int:
    """The plaintext length of an encrypted blob, from its file size alone."""
    with path.open("rb") as fh:
        header = read_header(fh)
    if header is None:
        raise BlobDamaged(f"{path.name}: not an encrypted blob")
    return plaintext_length(path.stat().st_size, header[2])


class SegmentSealer:
    """Seals the segments of a blob of known length one by one, in any order and in any process.

    The nonce of a segment depends only on the prefix, its index and whether it is the last, so a file
    whose length is known from the start can be sealed in independent pieces (the parts of an object
    storage upload) that, put end to end after the header, are exactly what `EncryptingWriter` writes.
    A prefix must never seal two different plaintexts at one index: a new sealer draws a fresh one.
    """

    def __init__(self, key: BlobKey, sha256: str, prefix: bytes | None = None) -> None:
        self.aead = AESGCM(key.key)
        self.prefix = prefix if prefix is not None else secrets.token_bytes(7)
        self.header = _HEADER.pack(MAGIC, key.key_id, self.prefix, SEGMENT)
        self.aad = self.header + sha256.encode("ascii")

    def seal(self, data: bytes, first_index: int, length: int) -> bytes:
        """Seal `data`, the plaintext from segment `first_index` on (whole segments, except at the end of a
        file of `length` bytes)."""
        segments = max(1, -(-length // SEGMENT))
        # joined once at the end: one allocation and one copy, where a growing bytearray was reallocated per
        # segment and copied out again
        out: list[bytes] = []
        view = memoryview(data)
        index = first_index
        start = 0
        while True:
            piece = view[start:start + SEGMENT]
            out.append(self.aead.encrypt(_nonce(self.prefix, index, index == segments - 1), piece, self.aad))
            index += 1
            start += SEGMENT
            if start >= len(data):
                return b"".join(out)


def decrypt_stream(read: Callable[[int], bytes], size: int, key: BlobKey, sha256: str,
                   name: str) -> Iterator[bytes]:
    """The plaintext of a sealed blob of `size` bytes read through `read(n)`, one authenticated segment at a
    time (bounded memory): a file on disk or an object storage download alike."""
    header = read_header_bytes(read(HEADER_SIZE))
    if header is None:
        raise BlobDamaged(f"{name}: not an encrypted blob")
    key_id, prefix, segment = header
    if key_id != key.key_id:
        raise BlobDamaged(f"{name}: sealed with another key than {key.path}")
    aead = AESGCM(key.key)
    aad = _HEADER.pack(MAGIC, key_id, prefix, segment) + sha256.encode("ascii")
    consumed = HEADER_SIZE
    index = 0
    while True:
        sealed = _read_exactly(read, segment + TAG)
        consumed += len(sealed)
        last = consumed >= size
        try:
            yield aead.decrypt(_nonce(prefix, index, last), sealed, aad)
        except InvalidTag:
            raise BlobDamaged(f"{name}: segment {index} does not authenticate") from None
        if last:
            return
        index += 1


def _read_exactly(read: Callable[[int], bytes], n: int) -> bytes:
    """Up to `n` bytes, fewer only at the end (a network stream may hand out less than asked)."""
    first = read(n)
    if len(first) == n or not first:
        return first
    pieces = [first]
    got = len(first)
    while got < n:
        more = read(n - got)
        if not more:
            break
        pieces.append(more)
        got += len(more)
    return b"".join(pieces)


def read_header_bytes(head: bytes) -> tuple[bytes, bytes, int] | None:
    if len(head) != HEADER_SIZE:
        return None
    magic, key_id, prefix, segment = _HEADER.unpack(head)
    if magic != MAGIC or not 0 < segment <= 16 * 1024 * 1024:
        return None
    return key_id, prefix, segment


def decrypt_segments(path: Path, key: BlobKey, sha256: str) -> Iterator[bytes]:
    """The plaintext of an encrypted blob, one authenticated segment at a time (bounded memory)."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        yield from decrypt_stream(fh.read, size, key, sha256, path.name)


def encrypt_file(src: Path, target: Path, key: BlobKey, sha256: str) -> str:
    """Seal `src` into `target` atomically (a hidden temporary file beside it, fsynced, renamed).

    Returns the SHA-256 of what was read; when it is not `sha256` the target
    is not written (a file that is not what its name says is never sealed).
    """
    tmp = target.with_name(f".{sha256}.{secrets.token_hex(6)}.tmp")  # uploads.leftover_files knows this shape
    digest = hashlib.sha256()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
            writer = EncryptingWriter(out, key, sha256)
            while block := fh.read(1024 * 1024):
                digest.update(block)
                writer.write(block)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() == sha256:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return digest.hexdigest()


def encrypt_bytes(data: bytes, target: Path, key: BlobKey, sha256: str) -> None:
    tmp = target.with_name(f".{sha256}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, key, sha256)
            writer.write(data)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


_HEAD_AAD = b"onewindow upload head\x00"


def seal_upload_head(key: BlobKey, upload_id: str, head: bytes) -> bytes:
    """An upload's first bytes as its row keeps them (they decide the media type when the last chunk arrives):
    sealed with the blob key, like every stored byte of a scan.

    In clear they would sit in the database (and in SQLite's WAL, or PostgreSQL's, long after the row is gone)
    as the one piece of a citizen's scan the platform keeps unencrypted at rest.
    """
    if not head:
        return b""
    nonce = os.urandom(12)
    return nonce + AESGCM(key.key).encrypt(nonce, head, _HEAD_AAD + upload_id.encode("ascii"))


def open_upload_head(key: BlobKey, upload_id: str, sealed: bytes | None) -> bytes:
    """`seal_upload_head` undone; `BlobDamaged` when the bytes do not authenticate (another key, damage)."""
    if not sealed:
        return b""
    try:
        return AESGCM(key.key).decrypt(sealed[:12], sealed[12:], _HEAD_AAD + upload_id.encode("ascii"))
    except (InvalidTag, ValueError):
        raise BlobDamaged(f"upload {upload_id}: its first bytes do not authenticate") from None
