"""personal data sealed at rest; ID numbers found through a keyed index

Every column that identifies a person or may quote one is rewritten as an
AES-256-GCM token under the data dir's key (kiosk.store.types): the
applicant's name, ID number and phone, the form (addresses, family members',
agents' ID numbers...), status and review notes, file names, outbox and
print payloads (the application document holds the whole form), outbox
errors, audit details and rating comments. The index on the clear ID number
is replaced by `applicant_id_index`, HMAC-SHA256 of the normalised number
under a key derived separately. Values already sealed are left alone, so a
re-run changes nothing.

The old clear text lives on in free pages and in the WAL until they are
overwritten: the migration marks the store for a VACUUM and a truncating WAL
checkpoint, which `kiosk.store.db.open_store` runs right after (VACUUM cannot
run inside the migration's transaction).

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from kiosk.store.types import FieldCipher, cipher_of, is_token

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column, is_json): the column's label is the GCM associated data, as in the models
SEALED_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("applications", "applicant_name", False),
    ("applications", "applicant_id_number", False),
    ("applications", "applicant_phone", False),
    ("applications", "form", True),
    ("applications", "status_note", False),
    ("application_materials", "review_note", False),
    ("material_files", "original_name", False),
    ("attachment_downloads", "original_name", False),
    ("outbox", "payload", True),
    ("outbox", "last_error", False),
    ("print_jobs", "payload", True),
    ("audit_log", "details", True),
    ("ratings", "comment", False),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _seal_stored(cipher: FieldCipher, raw: str, label: str, is_json: bool) -> str | None:
    """The stored form of a sealed value, or None when `raw` is sealed already."""
    if not is_json:
        return None if is_token(raw) else cipher.seal(raw, label)
    value = json.loads(raw)
    if is_token(value):
        return None
    return _dumps(cipher.seal(_dumps(value), label))


def _open_stored(cipher: FieldCipher, raw: str, label: str, is_json: bool) -> str | None:
    if not is_json:
        return cipher.open(raw, label) if is_token(raw) else None
    value = json.loads(raw)
    return cipher.open(value, label) if is_token(value) else None


def _rewrite(conn: sa.Connection, cipher: FieldCipher, table: str, column: str, is_json: bool, seal: bool) -> None:
    label = f"{table}.{column}"
    rows = conn.exec_driver_sql(f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
    for rowid, raw in rows:
        new = _seal_stored(cipher, raw, label, is_json) if seal else _open_stored(cipher, raw, label, is_json)
        if new is not None:
            conn.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (new, rowid))


def upgrade() -> None:
    conn = op.get_bind()
    cipher = cipher_of(conn.dialect)
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_applicant_id_number")
        batch.add_column(sa.Column("applicant_id_index", sa.String(length=64), nullable=True))
        batch.create_index("ix_applications_applicant_id_index", ["applicant_id_index"], unique=False)
    rows = conn.exec_driver_sql("SELECT rowid, applicant_id_number FROM applications "
                                "WHERE applicant_id_number IS NOT NULL AND applicant_id_number != ''").fetchall()
    for rowid, number in rows:
        if not is_token(number):
            conn.exec_driver_sql("UPDATE applications SET applicant_id_index = ? WHERE rowid = ?",
                                 (cipher.id_index(number), rowid))
    for table, column, is_json in SEALED_COLUMNS:
        _rewrite(conn, cipher, table, column, is_json, seal=True)
    conn.exec_driver_sql("INSERT OR REPLACE INTO key_values (key, value, updated_at) "
                         "VALUES ('vacuum_pending', '0010', CURRENT_TIMESTAMP)")


def downgrade() -> None:
    conn = op.get_bind()
    cipher = cipher_of(conn.dialect)
    for table, column, is_json in SEALED_COLUMNS:
        _rewrite(conn, cipher, table, column, is_json, seal=False)
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_applicant_id_index")
        batch.drop_column("applicant_id_index")
        batch.create_index("ix_applications_applicant_id_number", ["applicant_id_number"], unique=False)
    conn.exec_driver_sql("DELETE FROM key_values WHERE key = 'field_key_check'")
