"""Field-level rules shared by the kiosk, the counter and the CLI."""

import pytest

from kiosk.catalog import FormField, Option, Text
from kiosk.forms import check_applicant, check_field, check_name

T = Text("字段", "Field")


def field(kind, **kw):
    return FormField(key="f", label=T, type=kind, required=kw.pop("required", True), **kw)


@pytest.mark.parametrize("name", ["张𠮷", "阿卜杜热合曼·买买提", "Mary-Jane O'Neil", "欧阳　娜娜".replace("　", " ")])
def test_real_names_are_kept_exactly(name):
    value, problem = check_name(name)
    assert problem is None and value == name


@pytest.mark.parametrize("name", ["", "   ", "张三3", "<b>张</b>", "a" * 51, "张\u202e三", "Robert'); DROP TABLE--"])
def test_bad_names_are_refused_in_both_languages(name):
    value, problem = check_name(name)
    assert value is None and problem.zh and problem.en


def test_required_and_optional_empty():
    assert check_field(field("text", max_length=10), "")[1].en == "Please fill in 'Field'."
    assert check_field(field("text", max_length=10, required=False), "  ") == (None, None)


def test_text_length_and_single_line():
    assert check_field(field("text", max_length=5), "一二三四五")[0] == "一二三四五"
    assert "at most 5" in check_field(field("text", max_length=5), "一二三四五六")[1].en
    assert check_field(field("text", max_length=50), "a\nb")[1] is not None


@pytest.mark.parametrize("raw,expected", [("2026-01-31", "2026-01-31"), ("2026/1/5", "2026-01-05"),
                                          ("２０２６年１月５日", "2026-01-05")])
def test_dates(raw, expected):
    assert check_field(field("date"), raw) == (expected, None)


@pytest.mark.parametrize("raw", ["2026-02-30", "yesterday", "2026-13-01", "99999-01-01"])
def test_bad_dates(raw):
    assert check_field(field("date"), raw)[1] is not None


def test_date_bounds():
    assert check_field(field("date", max="today"), "2999-01-01")[1] is not None
    assert check_field(field("date", min="2000-01-01"), "1999-12-31")[1] is not None


@pytest.mark.parametrize("raw,expected", [("1200", "1200.00"), ("1,200.5", "1200.50"), ("¥ 3.00", "3.00"),
                                          ("１２", "12.00")])
def test_money(raw, expected):
    assert check_field(field("money", min="0.01", max="50000.00"), raw) == (expected, None)


@pytest.mark.parametrize("raw", ["-5", "1.234", "abc", "0", "50000.01", "1e5"])
def test_bad_money(raw):
    assert check_field(field("money", min="0.01", max="50000.00"), raw)[1] is not None


def test_integer_and_choice():
    f = field("integer", min=1, max=10)
    assert check_field(f, "３") == (3, None)
    assert check_field(f, "11")[1] is not None
    assert check_field(f, "2.5")[1] is not None
    c = field("choice", options=(Option("a", Text("甲", "A")),))
    assert check_field(c, "a") == ("a", None)
    assert check_field(c, "b")[1] is not None


def test_identity_fields():
    assert check_field(field("id_number"), "11010519491231002x") == ("11010519491231002X", None)
    problem = check_field(field("id_number"), "110105194912310021")[1]
    assert "字段" in problem.zh and "check character" in problem.en
    assert check_field(field("credit_code"), "91350100M000100Y43")[0] == "91350100M000100Y43"
    assert check_field(field("phone"), "0571-88888888")[0] == "0571-88888888"


def test_control_characters_refused_everywhere():
    for kind in ("text", "address"):
        assert check_field(field(kind, max_length=100), "abc\x00def")[1] is not None
        assert check_field(field(kind, max_length=100), "abc\u200bdef")[1] is not None


def test_applicant_problems_are_all_listed():
    clean, problems = check_applicant({"name": "", "id_number": "123", "phone": "123", "extra": 1})
    assert {p.field for p in problems} == {"applicant.name", "applicant.id_number", "applicant.phone",
                                          "applicant.extra"}
    assert clean.get("id_type") == "resident"
    clean, problems = check_applicant({"name": "张𠮷", "id_number": "11010519491231002X", "phone": "13800138000"})
    assert problems == [] and clean["name"] == "张𠮷"
