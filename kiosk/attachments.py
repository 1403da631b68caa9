"""Content-addressed, encrypted attachment files.

A file is named by the SHA-256 of its plain bytes and encrypted with
AES-256-GCM under the attachment key, which lives outside the data dir, sealed
by the machine where it can be (see `kiosk.data_key`). The hash is the GCM associated data, so
a file swapped for another one fails to open. Every read checks the hash
again: a damaged file is reported, never served.

A file no row names (its submission was interrupted between writing the
bytes and committing) is removed by `retire` once nothing has written or
reused it for a while: `put` refreshes the modification time of a file it
reuses, so a submission in progress elsewhere always holds a young file.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic

MAGIC = b"OWA1"
NONCE_BYTES = 12
_SHA_RE = re.compile(r"[0-9a-f]{64}")


class DamagedAttachment(UserFacingError):
    def __init__(self, sha256: str, why: str) -> None:
        super().__init__(
            Message(f"附件 {sha256[:12]}… 已损坏或缺失（{why}），不能使用。",
                    f"Attachment {sha256[:12]}… is damaged or missing ({why}) and cannot be used."),
            code="attachment_damaged",
        )
        self.sha256 = sha256
        self.why = why


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_or_create_key(path: Path) -> bytes:
    if path.exists():
        key = path.read_bytes()
        if len(key) != 32:
            raise UserFacingError(
                Message(f"设备密钥文件 {path} 已损坏。", f"The device key file {path} is damaged."), code="device_key"
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = secrets.token_bytes(32)
    write_atomic(path, key, mode=0o600)
    return path.read_bytes()


class AttachmentStore:
    def __init__(self, root: Path, key: bytes | Path) -> None:
        """`key` is the attachment key itself (a terminal's, from `kiosk.data_key`) or a key file (tools, tests)."""
        self.root = root
        self._aead = AESGCM(key if isinstance(key, bytes) else load_or_create_key(key))

    def path_for(self, sha256: str) -> Path:
        if not _SHA_RE.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}.owa"

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store the bytes durably (fsynced) and return their SHA-256."""
        sha256 = sha256_hex(data)
        path = self.path_for(sha256)
        if path.is_file():
            try:
                self.get(sha256)
                os.utime(path)  # reused: young again, so a purge of unreferenced files leaves it alone
                return sha256
            except (DamagedAttachment, FileNotFoundError):
                pass  # rewrite a damaged (or just retired) copy with the good bytes we hold
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = MAGIC + nonce + self._aead.encrypt(nonce, data, sha256.encode())
        write_atomic(path, sealed)
        return sha256

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError:
            raise DamagedAttachment(sha256, "missing") from None
        if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + NONCE_BYTES + 16:
            raise DamagedAttachment(sha256, "bad header")
        nonce = sealed[len(MAGIC): len(MAGIC) + NONCE_BYTES]
        try:
            data = self._aead.decrypt(nonce, sealed[len(MAGIC) + NONCE_BYTES:], sha256.encode())
        except InvalidTag:
            raise DamagedAttachment(sha256, "failed authentication") from None
        if sha256_hex(data) != sha256:
            raise DamagedAttachment(sha256, "hash mismatch")
        return data

    def verify(self, sha256: str) -> str | None:
        """None when the file is intact, else why it is not."""
        try:
            self.get(sha256)
        except DamagedAttachment as exc:
            return exc.why
        return None

    def delete(self, sha256: str) -> None:
        try:
            self.path_for(sha256).unlink()
        except FileNotFoundError:
            pass

    def stored_hashes(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*/*/*.owa"))

    def retiring_path(self, sha256: str) -> Path:
        return self.path_for(sha256).with_name(f"{sha256}.owa.removing")

    def retire(self, sha256: str, min_age_seconds: float) -> bool:
        """Delete the file of an attachment no row names, unless it was written or reused within `min_age_seconds`.

        The file is renamed away before its age is read: a `put` reusing it
        either touched it first (then it is young and goes back) or finds it
        gone and writes it again. A crash in between leaves the `.removing`
        name, which `restore_retiring` puts back when a row names it again.
        """
        path, doomed = self.path_for(sha256), self.retiring_path(sha256)
        try:
            os.rename(path, doomed)
        except FileNotFoundError:
            return False
        if time.time() - doomed.stat().st_mtime <= min_age_seconds:
            os.replace(doomed, path)  # if put() rewrote it meanwhile, both copies hold the same plain bytes
            return False
        doomed.unlink()
        return True

    def restore_retiring(self, sha256: str) -> None:
        """Undo a `retire` a crash interrupted, for a file a row names after all."""
        doomed = self.retiring_path(sha256)
        if doomed.exists() and not self.path_for(sha256).exists():
            os.replace(doomed, self.path_for(sha256))
        else:
            doomed.unlink(missing_ok=True)
