"""What the ID card fills in, and that an applicant needs no mobile number."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.card_prefill import fill_from_card, form_from_card
from pathlib import Path

from kiosk.catalog import CatalogInvalid, read_catalog_file
from kiosk.devices.id_card_reader import IdCardData
from kiosk.demo import APPLICANT
from kiosk.forms import check_applicant

CATALOG = "assets/catalog/demo_catalog.json"
RENEWAL, MEDICAL = "330106000173002001", "330106000186001001"


@pytest.fixture(scope="module")
def catalog():
    return read_catalog_file(Path(CATALOG))


def card(**kw) -> IdCardData:
    base = dict(name="张三", id_number=APPLICANT["id_number"], address="浙江省杭州市西湖区文三路100号",
                valid_to=date(2026, 12, 20), birth=date(1954, 3, 1))
    base.update(kw)
    return IdCardData(**base)


def test_the_expiry_and_the_address_come_from_the_card(catalog):
    assert form_from_card(catalog.item(RENEWAL), card()) == {"old_card_expiry": "2026-12-20"}
    assert form_from_card(catalog.item(MEDICAL), card()) == {"residence_address": "浙江省杭州市西湖区文三路100号"}


def test_a_card_valid_for_life_proposes_no_expiry_and_answers_already_given_stay(catalog):
    assert form_from_card(catalog.item(RENEWAL), card(valid_for_life=True, valid_to=None)) == {}
    form = {"old_card_expiry": "2025-05-01"}
    assert fill_from_card(catalog.item(RENEWAL), card(), form) == []
    assert form == {"old_card_expiry": "2025-05-01"}
    form = {}
    assert fill_from_card(catalog.item(RENEWAL), card(), form) == ["old_card_expiry"]


def test_a_field_cannot_take_a_card_value_of_another_type(tmp_path):
    import json

    raw = json.loads(open(CATALOG, encoding="utf-8").read())
    raw["items"][0]["form"][0]["from_card"] = "valid_to"  # a choice field
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogInvalid):
        read_catalog_file(bad)


def test_the_mobile_number_is_optional_but_checked_when_given():
    clean, problems = check_applicant({"name": "张三", "id_number": APPLICANT["id_number"], "phone": ""})
    assert problems == [] and clean["phone"] == ""
    _clean, problems = check_applicant({"name": "张三", "id_number": APPLICANT["id_number"], "phone": "12345"})
    assert [p.field for p in problems] == ["applicant.phone"]
