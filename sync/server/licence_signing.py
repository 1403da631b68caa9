"""The licence library's Ed25519 signing key, kept in the platform home (0600).

Terminals pin the public key on first use (`GET /licences/signing-key`) and attach an annotated copy only if
its SHA-256 carries this key's signature: a copy altered on the platform's disk, in transit or by a proxy is
refused. The key lives in the home, not with the blob key outside it, because it guards authenticity, not
secrecy at rest; whoever can replace it can also replace the licences themselves.
"""
from __future__ import annotations

import base64
import hashlib
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_NAME = "licence-signing.key"
_lock = threading.Lock()
_cache: dict[Path, "SigningKey"] = {}


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    key_id: str
    public_b64: str

    def sign_sha256(self, sha256_hex: str) -> str:
        """base64 Ed25519 signature over the hex digest's ASCII bytes (what `sync.wire_licences` describes)."""
        return base64.b64encode(self.private.sign(sha256_hex.encode("ascii"))).decode("ascii")


def public_key_id(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:16]


def verify_sha256(public_b64: str, sha256_hex: str, signature_b64: str) -> bool:
    """True when `signature_b64` is the key's signature over the digest (used by tests and the bench)."""
    from cryptography.exceptions import InvalidSignature

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        key.verify(base64.b64decode(signature_b64, validate=True), sha256_hex.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


def _load(path: Path) -> Ed25519PrivateKey:
    raw = path.read_bytes()
    key = serialization.load_pem_private_key(raw, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    if stat.S_IMODE(path.stat().st_mode) != 0o600:
        os.chmod(path, 0o600)
    return key


def _create(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # two processes never write one temporary file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # never replaces a key another process made at the same moment
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        return _load(path)
    tmp.unlink(missing_ok=True)
    return key


def ed25519_key_file(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key kept in `path` (0600), made on first use; the platform's other signers (the update
    repository's roles) keep theirs the same way."""
    return _load(path) if path.exists() else _create(path)


def signing_key(home: Path, name: str = KEY_NAME) -> SigningKey:
    """The home's key, created on first use; `name` picks another key of the home (the centre settings'
    documents have their own, `sync.server.centre_settings.SETTINGS_KEY_NAME`, so that neither use can
    stand for the other)."""
    path = Path(home) / name
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        private = _load(path) if path.exists() else _create(path)
        public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        key = SigningKey(private=private, key_id=public_key_id(public_raw),
                         public_b64=base64.b64encode(public_raw).decode("ascii"))
        _cache[path] = key
        return key
