"""What an application looks like on the wire.

`content` is exactly what the terminal hashed at submission
(kiosk.submission.application_content), so the platform can recompute the
hash and tell a damaged or altered application from the one the citizen
submitted.
"""
from __future__ import annotations

from typing import Any

from kiosk.store.models import Application


def application_document(app: Application) -> dict[str, Any]:
    content = {
        "service_item": app.service_item_code,
        "catalog_version": app.catalog_version,
        "applicant": {k: v for k, v in (("name", app.applicant_name), ("id_type", app.applicant_id_type),
                                        ("id_number", app.applicant_id_number), ("phone", app.applicant_phone))
                      if v is not None},
        "form": app.form or {},
        "materials": {m.material_code: [f.attachment_sha256 for f in m.files] for m in app.materials},
    }
    attachments: dict[str, dict[str, Any]] = {}
    for m in app.materials:
        for f in m.files:
            attachments[f.attachment_sha256] = {"sha256": f.attachment_sha256, "size": f.attachment.size,
                                                "media_type": f.attachment.media_type}
    return {
        "id": app.id,
        "hall_code": app.hall_code,
        "device_no": app.device_no,
        "receipt_no": app.receipt_no,
        "channel": app.channel,
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "content": content,
        "content_hash": app.content_hash,
        "attachments": list(attachments.values()),
    }
