"""outbox payloads become the documents sent to the platform

Since 0007 an application's outbox item carries the application document
built at submission (`kiosk.application_document`), and a decision's item
the exact body the platform takes. Items written before carried only a
content hash (applications) or lacked the application id (decisions); this
step fills them in from the rows, once, so the sync engine has one way to
send. It is frozen here on purpose (a migration must not change when the
code that builds new documents does); items already sent are left as they
are.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _canonical_hash(value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _aware(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace(" ", "T")
    return text if "+" in text[10:] else text + "+00:00"


def _document(conn: sa.Connection, app: Any) -> dict[str, Any]:
    materials = conn.execute(sa.text(
        "SELECT id, material_code, name_zh, name_en, required FROM application_materials "
        "WHERE application_id = :a ORDER BY position"), {"a": app.id}).fetchall()
    content_materials: dict[str, list[str]] = {}
    attachments: dict[str, dict[str, Any]] = {}
    details = []
    for m in materials:
        files = conn.execute(sa.text(
            "SELECT f.attachment_sha256 AS sha, f.original_name AS name, a.size AS size, a.media_type AS media_type,"
            " a.page_count AS page_count FROM material_files f JOIN attachments a ON a.sha256 = f.attachment_sha256"
            " WHERE f.material_id = :m ORDER BY f.position"), {"m": m.id}).fetchall()
        content_materials[m.material_code] = [f.sha for f in files]
        for f in files:
            attachments.setdefault(f.sha, {"sha256": f.sha, "size": f.size, "media_type": f.media_type})
        details.append({"code": m.material_code, "name": {"zh": m.name_zh, "en": m.name_en},
                        "required": bool(m.required),
                        "files": [{"sha256": f.sha, "size": f.size, "media_type": f.media_type,
                                   "page_count": f.page_count or 1, "name": f.name} for f in files]})
    applicant = {k: v for k, v in (("name", app.applicant_name), ("id_type", app.applicant_id_type),
                                   ("id_number", app.applicant_id_number), ("phone", app.applicant_phone))
                 if v is not None}
    form = json.loads(app.form) if isinstance(app.form, str) else (app.form or {})
    content = {"service_item": app.service_item_code, "catalog_version": app.catalog_version,
               "applicant": applicant, "form": form, "materials": content_materials}
    return {"id": app.id, "hall_code": app.hall_code, "device_no": app.device_no, "receipt_no": app.receipt_no,
            "channel": app.channel, "submitted_at": _aware(app.submitted_at or app.created_at),
            "promised_date": str(app.promised_date) if app.promised_date else None, "content": content,
            "content_hash": app.content_hash or _canonical_hash(content), "attachments": list(attachments.values()),
            "materials_detail": details}


def upgrade() -> None:
    conn = op.get_bind()
    items = conn.execute(sa.text("SELECT id, kind, ref_id, payload FROM outbox WHERE state != 'sent'")).fetchall()
    for item in items:
        payload = json.loads(item.payload) if isinstance(item.payload, str) else (item.payload or {})
        if item.kind == "application" and "content" not in payload:
            app = conn.execute(sa.text("SELECT * FROM applications WHERE id = :a"), {"a": item.ref_id}).fetchone()
            if app is None:
                continue  # the engine marks it rejected, as it always did
            payload = _document(conn, app)
        elif item.kind == "decision" and "application_id" not in payload:
            payload = {**payload, "application_id": item.ref_id}
        else:
            continue
        conn.execute(sa.text("UPDATE outbox SET payload = :p WHERE id = :i"),
                     {"p": json.dumps(payload, ensure_ascii=False), "i": item.id})


def downgrade() -> None:
    """Older code reads only `content_hash` from an application's payload, which the document keeps."""
