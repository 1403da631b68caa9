from datetime import date

import pytest

from kiosk.identity import (
    InvalidIdentity,
    credit_code_check_char,
    mask_id,
    parse_credit_code,
    parse_mobile,
    parse_phone,
    parse_resident_id,
    resident_id_check_char,
)


def test_known_valid_id_with_x_check():
    rid = parse_resident_id("11010519491231002X")
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "female"
    assert rid.region_code == "110105"


def test_full_width_lower_case_and_spaces_are_normalised():
    assert parse_resident_id("１１０１０５ １９４９１２３１ ００２ｘ").number == "11010519491231002X"
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize("text,reason", [
    ("", "empty"),
    ("1101051949123100", "length"),
    ("11010519491231002X1", "length"),
    ("1101051949123100AX", "characters"),
    ("11010519491231002Y", "characters"),
    ("99010519491231002X", "region"),
    ("11010519490230002X", "birth_date"),   # 30 February
    ("110105194913310021", "birth_date"),   # month 13
    ("110105194912310021", "check"),        # wrong check char
    ("<script>alert(1)</script>", "length"),
    ("'; DROP TABLE applications;--", "length"),
])
def test_bad_ids_raise_with_bilingual_reason(text, reason):
    with pytest.raises(InvalidIdentity) as err:
        parse_resident_id(text)
    assert err.value.reason == reason
    assert err.value.message.zh and err.value.message.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message.zh)
    assert isinstance(err.value, ValueError)


def test_birth_date_in_future_is_refused():
    first17 = "11010520991231002"
    number = first17 + resident_id_check_char(first17)
    with pytest.raises(InvalidIdentity) as err:
        parse_resident_id(number, today=date(2026, 11, 23))
    assert err.value.reason == "birth_date"


def test_every_single_digit_typo_is_caught():
    good = "11010519491231002X"
    for pos in range(17):
        for digit in "0123456789":
            if digit == good[pos]:
                continue
            bad = good[:pos] + digit + good[pos + 1:]
            with pytest.raises(InvalidIdentity):
                parse_resident_id(bad)


def test_mask_keeps_first_and_last_four():
    assert mask_id("11010519491231002X") == "1101**********002X"
    assert mask_id("123") == "***"


def test_credit_code_known_valid():
    code = parse_credit_code("91350100M000100Y43")
    assert code.authority == "9"
    assert code.region_code == "350100"
    assert code.organisation_code == "M000100Y4"
    assert parse_credit_code("９１３５０１００ｍ０００１００ｙ４３").code == "91350100M000100Y43"


@pytest.mark.parametrize("text,reason", [
    ("", "empty"),
    ("91350100M000100Y4", "length"),
    ("91350100M000100Y4I", "characters"),     # I is not in the charset
    ("91350100M000100Y44", "check"),
    ("91350100M000100Y53", "organisation_check"),
    ("X1350100M000100Y43", "structure"),
])
def test_bad_credit_codes(text, reason):
    with pytest.raises(InvalidIdentity) as err:
        parse_credit_code(text)
    assert err.value.reason == reason


def test_credit_code_with_fixed_org_check_but_wrong_overall_check():
    body = "91350100M000100Y4"
    assert credit_code_check_char(body) == "3"


def test_mobile_numbers():
    assert parse_mobile("138 0013 8000") == "13800138000"
    assert parse_mobile("+86 138-0013-8000") == "13800138000"
    assert parse_mobile("１３８００１３８０００") == "13800138000"
    for bad in ("12800138000", "1380013800", "abc", "138001380001"):
        with pytest.raises(InvalidIdentity):
            parse_mobile(bad)


def test_phone_accepts_landline_with_area_code():
    assert parse_phone("0571-88888888") == "0571-88888888"
    assert parse_phone("010 12345678") == "010-12345678"
    assert parse_phone("13800138000") == "13800138000"
    with pytest.raises(InvalidIdentity) as err:
        parse_phone("88888888")
    assert err.value.reason == "phone"
