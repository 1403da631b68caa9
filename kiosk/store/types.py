"""Column types shared by the models and the migrations (migrations import this, never models)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text
from sqlalchemy.types import TypeDecorator

from kiosk.errors import Message, UserFacingError


def utcnow() -> datetime:
    """The one clock every stored time comes from: aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite forgets time zones; this keeps every stored time in UTC and aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use kiosk.store.models.utcnow()")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


# Constraint names spelled the same way in every database, so migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# --- personal data, sealed field by field ---------------------------------------------------------
#
# The columns that identify a person are stored as AES-256-GCM tokens, so a copied database file (or its
# WAL) shows no name, ID number, phone or address. The key is the store's: `kiosk.store.db` hangs a
# `FieldCipher` on the engine's dialect (one per data dir), and these types fetch it from the dialect they
# are handed, so two stores with different keys can live in one process (tests do). Domain code reads and
# writes plain values.

TOKEN_PREFIX = "ow1:"
NONCE_BYTES = 12
CIPHER_ATTR = "onewindow_field_cipher"


class MissingFieldKey(RuntimeError):
    """The engine has no key: a programming error (every store engine gets one), never a citizen's problem."""


class SealedValueUnreadable(UserFacingError):
    """A stored token that does not open with this store's key (another machine's key, or damaged)."""

    def __init__(self, column: str) -> None:
        super().__init__(Message(f"本机数据库中的个人信息（{column}）无法用本机密钥解密：密钥缺失、不匹配或数据已损坏。",
                                 f"Personal data in this terminal's database ({column}) cannot be decrypted with "
                                 "this terminal's key: the key is missing, a different one, or the data is damaged."),
                         code="data_key_mismatch")
        self.column = column


def normalise_id_number(value: str) -> str:
    """The form an ID number is indexed under: NFKC, upper case, no spaces or hyphens (as typed or as read)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", value).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_")


class FieldCipher:
    """AES-256-GCM for single values, and a keyed index (HMAC-SHA256) for ID numbers, from one data key.

    Two keys are derived with HKDF so that the index (which must be deterministic) never shares a key with
    the encryption; the column's name is the GCM associated data, so a token moved to another column fails.
    """

    def __init__(self, data_key: bytes) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        if len(data_key) != 32:
            raise ValueError("the data key is 32 bytes")

        def derive(info: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key)

        self._aead = AESGCM(derive(b"onewindow/fields/aes-256-gcm/v1"))
        self._index_key = derive(b"onewindow/id-index/hmac-sha256/v1")

    def seal(self, plain: str, column: str) -> str:
        import base64
        import secrets

        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode("utf-8", "surrogatepass"), column.encode())
        return TOKEN_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, token: str, column: str) -> str:
        import base64
        import binascii

        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(token[len(TOKEN_PREFIX):], validate=True)
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], column.encode())
        except (InvalidTag, ValueError, binascii.Error):
            raise SealedValueUnreadable(column) from None
        return plain.decode("utf-8", "surrogatepass")

    def id_index(self, id_number: str) -> str:
        import hashlib
        import hmac

        return hmac.new(self._index_key, normalise_id_number(id_number).encode(), hashlib.sha256).hexdigest()


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def cipher_of(dialect: Any) -> FieldCipher:
    cipher = getattr(dialect, CIPHER_ATTR, None)
    if cipher is None:
        raise MissingFieldKey("this engine has no field key; open it with kiosk.store.db.make_engine")
    return cipher


class SealedString(TypeDecorator[str]):
    """A text column whose values are sealed; declared with the plain column's SQL type (SQLite ignores
    lengths, so a token longer than the plain value fits).

    A value that is not a token is read as it is: rows written before migration 0010, which seals them all.
    """

    impl = String
    cache_ok = True

    def __init__(self, column: str, length: int | None = None) -> None:
        super().__init__(length)
        self.column = column

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return cipher_of(dialect).seal(str(value), self.column)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or not is_token(value):
            return value
        return cipher_of(dialect).open(value, self.column)


class SealedText(SealedString):
    impl = Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        TypeDecorator.__init__(self)
        self.column = column


class SealedJSON(TypeDecorator[Any]):
    """A JSON column whose whole document is sealed (stored as a JSON string holding the token)."""

    impl = JSON
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        import json

        return cipher_of(dialect).seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), self.column)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if not is_token(value):
            return value
        import json

        return json.loads(cipher_of(dialect).open(value, self.column))


class IdNumberIndex(TypeDecorator[str]):
    """The keyed index of an ID number: assign or compare the clear number, the database sees only
    HMAC-SHA256(index key, normalised number). Reading it back gives the hex digest."""

    impl = String
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(64)

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == "":
            return None
        return cipher_of(dialect).id_index(value)
