"""Licence identifiers (GB/T 36902) and their check character (ISO 7064 MOD 37,36): the check is what keeps
a mistyped or altered identifier from being looked up as if it were someone's licence."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.cli import main
from kiosk.licences.identifier import (
    ALPHABET,
    PREFIX,
    InvalidIdentifier,
    check_character,
    make_identifier,
    parse_identifier,
)


def reference_check(body: str) -> str:
    """ISO 7064:2003 hybrid system MOD 37,36 written out as the standard states it, independently of the
    product's code: P1 = M; S_j = (P_j mod (M+1)) + a_j; P_{j+1} = (S_j mod M, or M when that is 0) * 2 mod (M+1);
    the check character c satisfies (P_{n+1} + c) mod M = 1."""
    m = 36
    p = m
    for char in body:
        s = (p % (m + 1)) + int(char, 36)
        r = s % m or m
        p = (r * 2) % (m + 1)
    return next(c for c in ALPHABET if (p + int(c, 36)) % m == 1)


VALID = [
    make_identifier("SFZ", "11330106MB0000001X", "330106202600001", "001"),
    make_identifier("HKB", "11330106002482143N", "3301062026000123", "002"),
    make_identifier("JHZ", "113301060024821Q4K", "J330106202600077", "001"),
    make_identifier("YYZZ", "913301067XXX00001Y", "0000000000000001", "001"),
]


def test_the_published_iso_7064_example_and_the_reference_agree():
    # ISO 7064's own example for MOD 37,36 (also python-stdnum's doctest): A12425GABC1234002 -> M
    assert check_character("A12425GABC1234002") == "M"
    assert reference_check("A12425GABC1234002") == "M"
    for body in ("0", "Z", "00000", "ZZZZZZ", "SFZ11330106MB0000001X330106202600001001", "1" * 100):
        assert check_character(body) == reference_check(body), body


@pytest.mark.parametrize("ident", VALID)
def test_valid_identifiers_parse_into_their_parts(ident):
    parsed = parse_identifier(ident)
    assert str(parsed) == ident
    assert ident.startswith(PREFIX)
    fields = ident[len(PREFIX):].split(".")
    assert [parsed.licence_type, parsed.issuer_code, parsed.serial, parsed.version, parsed.check] == fields
    assert parsed.check == reference_check("".join(fields[:4]))
    assert str(parse_identifier(f"  {ident}\n")) == ident  # pasted with whitespace around it


# what a single changed character can become: every character of the alphabet, the separator, lower case,
# punctuation, whitespace, a full-width dot and digit, a Chinese character
REPLACEMENTS = ALPHABET + ".abz-_ /:。．１中"


@pytest.mark.parametrize("ident", VALID)
def test_every_single_character_change_is_refused(ident):
    changed = 0
    for i, original in enumerate(ident):
        for c in REPLACEMENTS:
            if c == original:
                continue
            altered = ident[:i] + c + ident[i + 1:]
            with pytest.raises(InvalidIdentifier):
                parse_identifier(altered)
            changed += 1
    assert changed == len(ident) * (len(REPLACEMENTS) - 1)


@pytest.mark.parametrize("ident", VALID)
def test_adjacent_transpositions_and_deleted_check_characters_are_refused(ident):
    """The hybrid system also catches every swap of two neighbouring different characters of a field."""
    body_start = len(PREFIX)
    for i in range(body_start, len(ident) - 1):
        a, b = ident[i], ident[i + 1]
        if a == b or "." in (a, b):
            continue
        with pytest.raises(InvalidIdentifier):
            parse_identifier(ident[:i] + b + a + ident[i + 2:])
    with pytest.raises(InvalidIdentifier):
        parse_identifier(ident[:-1])  # the check character left out
    with pytest.raises(InvalidIdentifier):
        parse_identifier(ident[:-2])  # and its dot


@pytest.mark.parametrize("text,code,zh,en", [
    ("", "licence_id_length", "为空或过长", "empty or too long"),
    ("   ", "licence_id_length", "为空或过长", "empty or too long"),
    (PREFIX + "A" * 130, "licence_id_length", "为空或过长", "too long"),
    ("1.2.156.3005.1.SFZ.11330106MB0000001X.1.001.0", "licence_id_prefix", "开头", "begins with"),
    ("2.156.3005.2.SFZ.1.1.001.0", "licence_id_prefix", "开头", "begins with"),
    (PREFIX + "SFZ.11330106MB0000001X.001.0", "licence_id_fields", "五段", "five fields"),
    (PREFIX + "SFZ.11330106MB0000001X.1.2.001.0", "licence_id_fields", "五段", "five fields"),
    (PREFIX + "SFZ..1.001.0", "licence_id_chars", "颁发机构代码", "issuer code"),
    (PREFIX + "sfz.11330106MB0000001X.1.001.0", "licence_id_chars", "证照类型代码", "licence type"),
    (PREFIX + "SFZ.11330106MB0000001X.1-2.001.0", "licence_id_chars", "顺序号", "serial"),
    (PREFIX + "SFZ.11330106MB0000001X.1.00１.0", "licence_id_chars", "版本号", "version"),
    (PREFIX + "SFZ.11330106MB0000001X.1.001.AB", "licence_id_check", "一个字符", "one character"),
])
def test_malformed_identifiers_name_the_problem_in_both_languages(text, code, zh, en):
    with pytest.raises(InvalidIdentifier) as err:
        parse_identifier(text)
    assert err.value.code == code
    assert zh in err.value.message.zh and en in err.value.message.en


def test_a_wrong_check_character_says_which_was_expected():
    good = VALID[0]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidIdentifier) as err:
        parse_identifier(wrong)
    assert err.value.code == "licence_id_check"
    assert f"应为 {good[-1]}" in err.value.message.zh and f"expected {good[-1]}" in err.value.message.en


def test_not_a_string_is_refused_not_crashed():
    with pytest.raises(InvalidIdentifier):
        parse_identifier(None)  # type: ignore[arg-type]


def test_make_identifier_refuses_fields_it_cannot_encode():
    for bad in ("", "ab", "A.B", "中"):
        with pytest.raises(ValueError):
            make_identifier(bad, "11330106MB0000001X", "1")


def test_cli_verify_prints_the_parts(capsys):
    code = main(["licence", "verify", VALID[1], "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    parts = json.loads(out)
    assert parts == {"identifier": VALID[1], "licence_type": "HKB", "issuer_code": "11330106002482143N",
                     "serial": "3301062026000123", "version": "002", "check": VALID[1][-1], "valid": True}
    code = main(["licence", "verify", VALID[1]])
    out, _ = capsys.readouterr()
    assert code == 0 and "证照标识有效" in out and "licence type: HKB" in out


def test_cli_verify_exits_2_naming_the_problem_in_a_real_process(tmp_path):
    good = VALID[0]
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    env_home = ["--home", str(tmp_path / "home")]
    ok = subprocess.run([sys.executable, "-m", "kiosk", *env_home, "licence", "verify", good], capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert good in ok.stdout
    refused = subprocess.run([sys.executable, "-m", "kiosk", *env_home, "licence", "verify", bad],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2
    assert "校验位不符" in refused.stderr and "check character does not match" in refused.stderr
    assert refused.stdout == ""
