"""The SAM frame protocol and the chip's text layouts: pure functions, bytes in, values or clear errors out."""
from __future__ import annotations

from datetime import date

import pytest

from kiosk.devices.id_card_reader import IdCardError
from kiosk.devices.idcard import protocol as p
from kiosk.devices.idcard.card_text import (CARD_TYPE_OFFSET, FOREIGNER_LAYOUT, RESIDENT_LAYOUT, check_card,
                                            encode_card_text, parse_card_text)
from kiosk.devices.idcard.simulator import CARDS, FOREIGNER_FIELDS, RESIDENT_FIELDS


def test_a_find_card_command_is_the_documented_bytes():
    assert p.encode_command(p.FIND_CARD) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert p.encode_command(p.READ_BASE) == bytes.fromhex("AAAAAA9669 0003 3001 32")


def test_a_response_round_trips():
    frame = p.encode_response(p.SW_FIND_OK, bytes(4))
    assert frame[:5] == p.PREAMBLE and int.from_bytes(frame[5:7], "big") == len(frame) - 7
    answer = p.decode_response(p.decode_frame(frame))
    assert (answer.sw1, answer.sw2, answer.sw3, answer.data) == (0, 0, 0x9F, bytes(4))
    assert answer.status == "card found"


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\xaa\xaa\xaa\x96\x69\x00", "short"),
    (bytes.fromhex("AAAAAA9669 0004 000090"), "short"),  # the length promises one byte more than came
    (bytes.fromhex("AAAAAA9669 0004 00009094 FF"), "length"),  # one byte too many
    (bytes.fromhex("AAAAAA9669 0004 000090 95"), "checksum"),
    (bytes.fromhex("AAAAAA9669 FFFF 000090 94"), "length"),
    (bytes.fromhex("AAAAAA9669 0001 00"), "length"),
    (bytes.fromhex("BBAAAA9669 0004 000090 94"), "preamble"),
])
def test_broken_frames_are_refused_with_their_reason(raw, reason):
    with pytest.raises(p.FrameError) as caught:
        p.decode_frame(raw)
    assert caught.value.reason == reason


def test_the_good_frame_of_those_parses():
    assert p.decode_frame(bytes.fromhex("AAAAAA9669 0004 000090 94")) == b"\x00\x00\x90"


def test_the_buffer_skips_garbage_before_the_preamble_and_waits_for_the_rest():
    frame = p.encode_response(p.SW_OK, b"hello")
    buf = p.FrameBuffer()
    buf.feed(b"\x00\xff\x13\xaa\xaa")  # noise that even looks like a preamble's start
    assert buf.next_frame() is None
    buf.feed(frame[:9])
    assert buf.next_frame() is None  # half a frame: more is needed
    buf.feed(frame[9:] + frame)
    assert p.decode_response(buf.next_frame()).data == b"hello"
    assert p.decode_response(buf.next_frame()).data == b"hello"
    assert buf.next_frame() is None and len(buf) == 0


def test_a_preamble_split_across_reads_is_kept():
    frame = p.encode_response(p.SW_OK)
    buf = p.FrameBuffer()
    buf.feed(b"junk" + frame[:3])
    assert buf.next_frame() is None
    buf.feed(frame[3:])
    assert buf.next_frame() == b"\x00\x00\x90"


def test_a_corrupt_frame_raises_once_and_the_next_frame_still_arrives():
    bad = p.encode_response(p.SW_OK, b"text")
    bad = bad[:-1] + bytes([bad[-1] ^ 1])
    buf = p.FrameBuffer()
    buf.feed(bad + p.encode_response(p.SW_NO_CARD))
    with pytest.raises(p.FrameError, match="checksum"):
        buf.next_frame()
    assert p.decode_response(buf.next_frame()).sw3 == p.SW_NO_CARD


def test_an_impossible_length_in_the_stream_is_dropped():
    buf = p.FrameBuffer()
    buf.feed(bytes.fromhex("AAAAAA9669 7FFF 00") + p.encode_response(p.SW_OK))
    with pytest.raises(p.FrameError, match="length"):
        buf.next_frame()
    assert buf.next_frame() == b"\x00\x00\x90"


def test_a_command_needs_cmd_and_para():
    assert p.decode_command(p.decode_frame(p.encode_command(p.SELECT_CARD))).command == (0x20, 0x02)
    with pytest.raises(p.FrameError):
        p.decode_command(b"\x20")
    with pytest.raises(p.FrameError):
        p.decode_response(b"\x00\x00")


def test_the_base_message_lengths_must_add_up():
    data = p.encode_base_message(CARDS["resident"], bytes(1024))
    message = p.decode_base_message(data)
    assert message.text == CARDS["resident"] and len(message.photo) == 1024
    with pytest.raises(p.FrameError):
        p.decode_base_message(data[:600])  # what a card pulled away leaves
    with pytest.raises(p.FrameError):
        p.decode_base_message(b"\x00\x10")
    with pytest.raises(p.FrameError):
        p.decode_base_message(p.encode_base_message(b"x" * 200, b""))


def test_the_resident_layout_is_256_bytes_at_the_documented_offsets():
    assert sum(size for _, size in RESIDENT_LAYOUT) == 256 == sum(size for _, size in FOREIGNER_LAYOUT)
    text = CARDS["resident"]
    assert text[:4].decode("utf-16-le") == "张三"
    assert text[122:158].decode("utf-16-le") == RESIDENT_FIELDS["id_number"]  # 30+2+4+16+70 = 122
    card = parse_card_text(text)
    assert (card.name, card.id_number, card.kind, card.sex) == ("张三", RESIDENT_FIELDS["id_number"], "resident",
                                                                "male")
    assert card.birth == date(1949, 12, 31) and card.valid_to == date(2035, 1, 1) and not card.valid_for_life
    assert card.address == "北京市朝阳区建国路88号" and card.issuer == "北京市公安局朝阳分局" and card.nation == "01"
    assert check_card(card) is card


def test_a_card_valid_for_life_says_so():
    text = encode_card_text(dict(RESIDENT_FIELDS, valid_to="长期", sex="2"), RESIDENT_LAYOUT)
    card = parse_card_text(text)
    assert card.valid_for_life and card.valid_to is None and card.sex == "female"


def test_the_foreigners_card_is_told_apart_by_its_type_letter():
    text = CARDS["foreigner"]
    assert text[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2].decode("utf-16-le") == "I"
    card = parse_card_text(text)
    assert card.kind == "foreign_permanent" and not card.resident
    assert (card.name, card.english_name, card.id_number) == ("约翰", "SMITH, JOHN", "USA330112345678")
    assert card.birth == date(1980, 1, 15) and card.nation == "USA"
    assert check_card(card) is card
    english_only = parse_card_text(encode_card_text(dict(FOREIGNER_FIELDS, name=""), FOREIGNER_LAYOUT))
    assert english_only.name == "SMITH, JOHN"


def test_a_malformed_permanent_residence_number_is_refused():
    with pytest.raises(IdCardError) as caught:
        check_card(parse_card_text(encode_card_text(dict(FOREIGNER_FIELDS, id_number="US3301123456789"),
                                                    FOREIGNER_LAYOUT)))
    assert caught.value.code == "invalid_number" and "永久居留" in caught.value.message.zh


def test_a_card_whose_number_fails_its_check_is_refused_in_both_languages():
    with pytest.raises(IdCardError) as caught:
        check_card(parse_card_text(CARDS["invalid_number"]))
    err = caught.value
    assert err.code == "invalid_number"
    assert "校验位不正确" in err.message.zh and "check character is wrong" in err.message.en


def test_an_unknown_card_type_and_garbled_text_are_clear_errors():
    text = bytearray(CARDS["resident"])
    text[CARD_TYPE_OFFSET:CARD_TYPE_OFFSET + 2] = "Q".encode("utf-16-le")
    with pytest.raises(IdCardError) as caught:
        parse_card_text(bytes(text))
    assert caught.value.code == "unsupported_card"
    garbled = bytearray(CARDS["resident"])
    garbled[0:2] = b"\x00\xd8"  # a lone surrogate: not UCS-2 text
    with pytest.raises(IdCardError) as caught:
        parse_card_text(bytes(garbled))
    assert caught.value.code == "read_failed"
    with pytest.raises(IdCardError):
        parse_card_text(CARDS["resident"][:200])
