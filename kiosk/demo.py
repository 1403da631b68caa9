"""Sample data and fake devices for demos, screenshots, benchmarks and tests (no Qt).

Nothing here is a real person: the ID numbers are built with a valid check
character for a made-up sequence, and the pages carry public boilerplate.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kiosk.identity import resident_id_check_char


def valid_id(body17: str = "11010519491231002") -> str:
    return body17 + resident_id_check_char(body17)


APPLICANT = {"name": "张三", "id_number": valid_id(), "phone": "13800138000"}
PARTNER_ID = valid_id("33010619900307001")


def sample_form(code: str) -> dict[str, str]:
    """Acceptable raw answers, as typed, for a few catalog items."""
    soon = (date.today() + timedelta(days=7)).isoformat()
    return {
        "330106000173002001": {"renewal_reason": "expired", "old_card_expiry": "2025-05-01",
                               "collection_method": "counter"},
        "330106000177001001": {"bank": "icbc", "collection_method": "instant", "emergency_contact_name": "李四",
                               "emergency_contact_phone": "13900139000"},
        "330106000184002001": {"partner_name": "王芳", "partner_id_number": PARTNER_ID, "partner_phone": "13700137000",
                               "applicant_marital_status": "never_married", "partner_marital_status": "divorced",
                               "appointment_date": soon, "appointment_slot": "morning"},
        "330106000184001001": {"household_size": "3", "monthly_household_income": "1200.50", "reason": "illness",
                               "household_address": "杭州市西湖区文三路 100 号"},
    }[code]


def sample_page_png(folder: Path, name: str = "page.png", seed: int = 1) -> Path:
    from kiosk.materials.samples import save_page, text_page

    image, _text = text_page(dpi=150, seed=seed, lines=12)
    return save_page(image, folder / name, dpi=150)


def fake_devices(pages: int = 30) -> dict[str, Any]:
    """A recording scanner with pages queued, and an ID-card reader holding the sample card."""
    from kiosk.devices.fake import RecordingScanner
    from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
    from kiosk.materials.pages import CapturedPage
    from kiosk.materials.samples import text_page

    image, _ = text_page(dpi=150, seed=3, lines=10)
    script = [[CapturedPage(image=image.copy(), dpi=150, source="fake")] for _ in range(pages)]
    return {"scanner": RecordingScanner(script=script),
            "id_reader": FakeIdCardReader([IdCardData(APPLICANT["name"], APPLICANT["id_number"])] * 5)}
