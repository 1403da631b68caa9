""""Where is my application?": the number is checked first, then the store, then the platform.

A mistyped number never reaches a look-up (its check character catches it).
The kiosk answers from its own store offline; when the platform answers, its
word is newer and wins.
"""
from __future__ import annotations

from typing import Any

from kiosk import progress
from kiosk.errors import Message
from kiosk.lifecycle import LABELS, Status
from kiosk.receipt_numbers import parse_receipt_no
from kiosk.terminal import Terminal
from kiosk.usecases.views import LookupResult


def _label(status: str) -> Message:
    try:
        return LABELS[Status(status)]
    except ValueError:
        return Message(status, status)


def look_up_progress(t: Terminal, text: str, *, online: bool = True) -> LookupResult:
    """Raises `InvalidReceiptNo` (a `UserFacingError`) for a mistyped number."""
    number = str(parse_receipt_no(text))
    local = progress.find_by_receipt(t.store, number)
    promised = local.promised_date.isoformat() if local is not None and local.promised_date else None
    answer = t.sync.look_up(number) if online and t.sync is not None else None
    if answer is not None and answer.found and answer.status:
        return LookupResult(number, True, _label(answer.status), answer.status_note, promised, "platform",
                            answer.note)
    note = answer.note if answer is not None else None
    if local is None:
        return LookupResult(number, False, None, None, None, "local", note)
    return LookupResult(number, True, local.label, local.status_note, promised, "local", note)


# --- the other ways a citizen asks: the receipt's QR code, and the ID card -------------------------------

MAX_CARD_RESULTS = 5


def receipt_from_scan(text: str, progress_url: str = "") -> str:
    """The receipt number in what a QR scanner typed: the receipt's QR holds the status address
    (`Settings.status_url`, or an older `progress_url` + number), and a number typed by hand is taken as it
    is. Raises `InvalidReceiptNo`."""
    from kiosk.receipt_numbers import InvalidReceiptNo, receipt_no_in

    raw = text.strip()
    if progress_url and raw.startswith(progress_url):
        raw = raw[len(progress_url):]
    elif "://" in raw:
        found = receipt_no_in(raw)
        if found is None:
            raise InvalidReceiptNo()
        return str(found)
    return str(parse_receipt_no(raw))


def decode_receipt_qr(frame: Any, progress_url: str) -> str | None:
    """The receipt number in a camera frame (RGB or grey array, or a PIL image) holding the receipt's QR
    code; None when no QR code is found or it holds something else. OpenCV's detector, no Qt."""
    import cv2
    import numpy as np

    from kiosk.receipt_numbers import InvalidReceiptNo

    image = np.asarray(frame.convert("L") if hasattr(frame, "convert") else frame)
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    if not text:
        return None
    try:
        return receipt_from_scan(text, progress_url)
    except InvalidReceiptNo:
        return None


def look_up_by_id_number(t: Terminal, id_number: str, *, online: bool = True) -> list[LookupResult]:
    """The applications this kiosk holds for the citizen whose card was placed, newest first, each answered
    as a receipt look-up is (the platform's word when it has one). The number is checked first."""
    from sqlalchemy import select

    from kiosk.identity import parse_resident_id
    from kiosk.store.models import Application

    from kiosk.errors import UserFacingError
    from kiosk.identity import InvalidIdentity

    try:
        number = parse_resident_id(id_number).number
    except InvalidIdentity as exc:
        raise UserFacingError(exc.message, code="id_number") from None
    with t.store.transaction() as session:
        receipts = session.scalars(
            select(Application.receipt_no)
            .where(Application.applicant_id_index == number, Application.receipt_no.is_not(None))
            .order_by(Application.submitted_at.desc()).limit(MAX_CARD_RESULTS)).all()
    return [look_up_progress(t, receipt, online=online) for receipt in receipts if receipt]


def receipt_from_camera(t: Terminal, timeout: float = 10.0) -> str | None:
    """The receipt number in the document camera's newest frame, if a receipt's QR code is under it.

    None when there is no camera, no frame yet, or no receipt code in view: the screen simply looks again.
    """
    from kiosk.devices.base import ScannerError, ScanSettings

    camera = t.devices.camera
    if camera is None:
        return None
    try:
        pages = camera.scan(ScanSettings(colour="grayscale")).result(timeout)
    except ScannerError:
        return None
    for page in pages:
        found = decode_receipt_qr(page.image, t.settings.progress_url)
        if found:
            return found
    return None
