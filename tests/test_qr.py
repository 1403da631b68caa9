"""The receipt's QR code, encoded once (`kiosk.qr`): the same picture as the qrcode library draws, read back by
OpenCV, on the screen and on paper; the second drawing of one address costs no encoding."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode

from kiosk.qr import qr_modules, qr_picture

ADDRESS = "https://zwfw.example.gov.cn/status/KX-20261130-000123"


@pytest.mark.parametrize("text", [ADDRESS, "x", "https://a.example/" + "y" * 300, "状态查询 KX-1"])
@pytest.mark.parametrize(("module", "border"), [(5, 1), (6, 1), (8, 2)])
def test_the_picture_is_the_qrcode_librarys_own(text: str, module: int, border: int) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module, border=border)
    code.add_data(text)
    code.make(fit=True)
    expected = code.make_image().get_image().convert("1")
    got = qr_picture(text, module, border)
    assert got.size == expected.size and got.mode == "1"
    assert got.tobytes() == expected.tobytes()


def test_a_camera_reads_the_address_back() -> None:
    picture = np.array(qr_picture(ADDRESS, 8, 4).convert("L"))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    assert text == ADDRESS


def test_the_second_drawing_of_an_address_is_not_encoded_again() -> None:
    qr_modules.cache_clear()
    qr_picture(ADDRESS, 8, 2)  # the result screen
    before = qr_modules.cache_info()
    qr_picture(ADDRESS, 6, 1)  # the receipt, seconds later
    assert qr_modules.cache_info().hits == before.hits + 1 and qr_modules.cache_info().misses == before.misses
