"""Chinese text for a printer in its Chinese mode (FS &): GB18030 two-byte codes.

python-escpos's `text()` guesses an encoding per string and prints '?' for
what it cannot place, which is not acceptable for a citizen's name. Here each
character is sorted into what the printer's resident font can print (ASCII
bytes, or a two-byte GB code) and what it cannot (a GB18030 four-byte
sequence, such as 𠮷 U+20BB7, or anything outside GB2312 on a printer that
only has GB2312); the latter are drawn as small bit images in place.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TWO_BYTE_SETS = ("gb18030", "gb2312")


@dataclass(frozen=True)
class Run:
    """Consecutive characters the printer prints itself (`data`) or one character to draw (`glyph`)."""

    data: bytes = b""
    glyph: str = ""


def printer_bytes(ch: str, two_byte_set: str = "gb18030") -> bytes | None:
    """The bytes the printer's resident font prints for `ch`, or None when it must be drawn."""
    code = ord(ch)
    if code < 0x20 or code == 0x7F:
        return b" " if ch == "\t" else b""
    if code < 0x80:
        return ch.encode("ascii")
    try:
        data = ch.encode(two_byte_set)
    except UnicodeEncodeError:
        return None
    return data if len(data) == 2 else None


def split_runs(text: str, two_byte_set: str = "gb18030") -> list[Run]:
    text = unicodedata.normalize("NFC", text)
    runs: list[Run] = []
    pending = bytearray()
    for ch in text:
        data = printer_bytes(ch, two_byte_set)
        if data is None:
            if pending:
                runs.append(Run(data=bytes(pending)))
                pending.clear()
            runs.append(Run(glyph=ch))
        else:
            pending += data
    if pending:
        runs.append(Run(data=bytes(pending)))
    return runs


def char_columns(ch: str) -> int:
    """Columns of a 12-dot ANK cell: ASCII takes one, everything else two (24 dots)."""
    code = ord(ch)
    if code < 0x20:
        return 0
    return 1 if code < 0x80 else 2


def text_columns(text: str) -> int:
    return sum(char_columns(c) for c in text)


NO_LINE_START = set("，。、；：！？）》」』】〕”’,.;:!?)%")


def wrap(text: str, columns: int, indent: int = 0) -> list[str]:
    """Break at any CJK character or between ASCII words; never start a line with closing punctuation."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) < 0x80 and not ch.isspace():
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    lines: list[str] = []
    line, width = "", 0
    limit = columns
    for token in tokens:
        w = text_columns(token)
        if w > limit:  # a word longer than a line: cut it
            for ch in token:
                cw = char_columns(ch)
                if width + cw > limit:
                    lines.append(line)
                    line, width, limit = " " * indent, indent, columns
                line += ch
                width += cw
            continue
        if width + w > limit and line.strip():
            if token in NO_LINE_START and len(line) > 1:
                carry = line[-1]
                lines.append(line[:-1])
                line = " " * indent + carry
                width = indent + char_columns(carry)
            else:
                lines.append(line.rstrip())
                line, width = " " * indent, indent
                if token == " ":
                    continue
        line += token
        width += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines
