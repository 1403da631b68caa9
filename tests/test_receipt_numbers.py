from datetime import date

import pytest

from kiosk.receipt_numbers import InvalidReceiptNo, ReceiptNo, next_receipt_no, parse_receipt_no


def test_round_trip_and_check_character():
    r = ReceiptNo("330106001", 7, date(2026, 11, 23), 42)
    text = str(r)
    assert text.startswith("330106001-007-261123-00042-")
    assert parse_receipt_no(text) == r
    assert parse_receipt_no(text.replace("-", "")) == r
    assert parse_receipt_no("　" + text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == r


def test_any_single_digit_typo_or_swap_is_caught():
    text = str(ReceiptNo("330106001", 7, date(2026, 11, 23), 42))
    digits = [i for i, c in enumerate(text) if c.isdigit()][:-1]
    for i in digits:
        for d in "0123456789":
            if d != text[i]:
                with pytest.raises(InvalidReceiptNo):
                    parse_receipt_no(text[:i] + d + text[i + 1:])


@pytest.mark.parametrize("bad", ["", "abc", "330106001-007-261123-00042", "330106001-007-261399-00042-1",
                                 "<script>", "1" * 40])
def test_garbage_is_refused(bad):
    with pytest.raises(InvalidReceiptNo) as err:
        parse_receipt_no(bad)
    assert "回执编号" in err.value.message.zh


def test_sequences_are_per_device_and_day_and_unique(terminal):
    day = date(2026, 11, 23)
    seen = set()
    with terminal.store.transaction() as s:
        for device in (1, 2):
            for _ in range(50):
                seen.add(str(next_receipt_no(s, "330106001", device, day)))
        seen.add(str(next_receipt_no(s, "330106001", 1, date(2026, 11, 24))))
    assert len(seen) == 101
