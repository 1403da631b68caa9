"""The receipt's QR code read back: from a wedge scanner's typing, and from a camera frame (OpenCV)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import qrcode
from PIL import Image

from kiosk.demo_hall import id_card_draft, submit_at
from kiosk.devices.idcard.simulator import RESIDENT_FIELDS
from kiosk.errors import UserFacingError
from kiosk.receipt_numbers import InvalidReceiptNo, mod11_2
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.progress import decode_receipt_qr, look_up_by_id_number, receipt_from_scan

URL = "https://zwfw.example.gov.cn/progress?r="
BODY = "330106001-001-260131-00001"
RECEIPT = f"{BODY}-{mod11_2(BODY.replace('-', ''))}"


def qr_image(payload: str) -> Image.Image:
    """As the receipt printer and the result screen draw it."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def camera_frame(qr: Image.Image, size: tuple[int, int] = (1280, 720), at: tuple[int, int] = (400, 150)) -> np.ndarray:
    """The receipt held under the document camera: a grey desk, the code somewhere on it."""
    frame = Image.new("RGB", size, (120, 118, 112))
    paper = Image.new("RGB", (qr.width + 80, qr.height + 160), (245, 245, 240))
    paper.paste(qr, (40, 40))
    frame.paste(paper, at)
    return np.asarray(frame)


def test_what_a_wedge_scanner_types_gives_the_receipt_number():
    assert receipt_from_scan(URL + RECEIPT, URL) == RECEIPT
    assert receipt_from_scan(f"  {RECEIPT}\n", URL) == RECEIPT  # typed by hand
    assert receipt_from_scan(f"https://other.example/p?x=1&r={RECEIPT}", URL) == RECEIPT  # an older status address


@pytest.mark.parametrize("text", ["https://example.com/somebody-elses-code", URL + RECEIPT[:-1] + "X", "", URL])
def test_a_scan_that_holds_no_valid_receipt_is_refused(text):
    with pytest.raises(InvalidReceiptNo):
        receipt_from_scan(text, URL)


def test_the_receipt_qr_is_decoded_from_a_camera_frame():
    frame = camera_frame(qr_image(URL + RECEIPT))
    assert decode_receipt_qr(frame, URL) == RECEIPT
    assert decode_receipt_qr(Image.fromarray(frame), URL) == RECEIPT  # a PIL image too
    assert decode_receipt_qr(np.asarray(Image.fromarray(frame).convert("L")), URL) == RECEIPT  # and grey


def test_a_frame_without_a_qr_or_with_someone_elses_gives_none():
    assert decode_receipt_qr(np.full((480, 640, 3), 128, np.uint8), URL) is None
    assert decode_receipt_qr(camera_frame(qr_image("WIFI:S:hall;T:WPA;P:secret;;")), URL) is None


def test_look_up_by_id_number_finds_only_that_citizens_applications(tmp_path):
    terminal = Terminal.open(load_settings(tmp_path / "home"), parts=False)
    draft = id_card_draft(1)
    mine = submit_at(terminal, dataclasses.replace(draft, applicant=dict(draft.applicant,
                                                                         id_number=RESIDENT_FIELDS["id_number"])))
    submit_at(terminal, id_card_draft(2))
    results = look_up_by_id_number(terminal, RESIDENT_FIELDS["id_number"].lower(), online=False)
    assert [(r.receipt_no, r.found, r.source) for r in results] == [(mine.receipt_no, True, "local")]
    from kiosk.demo import PARTNER_ID

    assert look_up_by_id_number(terminal, PARTNER_ID, online=False) == []
    with pytest.raises(UserFacingError) as caught:
        look_up_by_id_number(terminal, RESIDENT_FIELDS["id_number"][:-1] + "0", online=False)
    assert "校验位" in caught.value.message.zh
