"""A small ESC/POS decoder of our own (not python-escpos), used to check what a printer would print.

It understands the commands OneWindow sends and fails loudly on anything
else, so stray or malformed bytes are caught rather than skipped. Text is
read the way a printer in Chinese mode (FS &) reads it: bytes >= 0x80 come
in GB pairs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


class DecodeError(ValueError):
    pass


@dataclass
class BitImage:
    """An image from ESC * (inline, column format) or GS v 0 (raster); black = 0 in `image`."""

    kind: str  # "column" or "raster"
    image: Image.Image

    @property
    def ink(self) -> int:
        return self.image.convert("L").histogram()[0]


@dataclass
class QrCommand:
    payload: bytes = b""
    model: int | None = None
    module: int | None = None
    ec: int | None = None
    printed: bool = False


@dataclass
class Decoded:
    lines: list[list[str | BitImage]] = field(default_factory=list)
    #: for each line, the GS ! character size in effect when its first character came (0: normal;
    #: high nibble = width - 1, low nibble = height - 1)
    line_sizes: list[int] = field(default_factory=list)
    rasters: list[BitImage] = field(default_factory=list)
    qr: list[QrCommand] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    cuts: int = 0
    initialised: int = 0
    kanji_mode_seen: bool = False

    @property
    def text_lines(self) -> list[str]:
        """Each printed line; an inline image stands as U+FFFC."""
        return ["".join(p if isinstance(p, str) else "\ufffc" for p in line) for line in self.lines]

    @property
    def text(self) -> str:
        return "\n".join(self.text_lines)

    def inline_images(self) -> list[BitImage]:
        return [p for line in self.lines for p in line if isinstance(p, BitImage)]


def _need(data: bytes, i: int, n: int) -> None:
    if i + n > len(data):
        raise DecodeError(f"truncated command at byte {i}")


def decode(data: bytes) -> Decoded:
    out = Decoded()
    line: list[str | BitImage] = []
    kanji = False
    size = 0  # GS ! n in effect
    line_size: int | None = None  # the size when the current line's first character came
    i = 0

    def end_line() -> None:
        nonlocal line, line_size
        out.lines.append(line)
        out.line_sizes.append(size if line_size is None else line_size)
        line = []
        line_size = None

    def started() -> None:
        nonlocal line_size
        if line_size is None:
            line_size = size

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            end_line()
            i += 1
        elif b == 0x10:  # DLE EOT n
            _need(data, i, 3)
            if data[i + 1] != 0x04 or data[i + 2] not in (1, 2, 3, 4):
                raise DecodeError(f"unknown DLE command at {i}")
            out.status_queries.append(data[i + 2])
            i += 3
        elif b == 0x1B:
            _need(data, i, 2)
            c = data[i + 1]
            if c == ord("@"):
                out.initialised += 1
                kanji = False
                i += 2
            elif c in (ord("a"), ord("E"), ord("3"), ord("!"), ord("-")):
                _need(data, i, 3)
                i += 3
            elif c == ord("2"):
                i += 2
            elif c == ord("d"):
                _need(data, i, 3)
                if line:
                    end_line()
                i += 3
            elif c == ord("*"):
                _need(data, i, 5)
                m, width = data[i + 2], data[i + 3] | data[i + 4] << 8
                rows = 24 if m in (32, 33) else 8
                size = width * rows // 8
                _need(data, i + 5, size)
                raw = data[i + 5:i + 5 + size]
                img = Image.new("1", (width, rows), 1)
                px = img.load()
                per_col = rows // 8
                for x in range(width):
                    for y in range(rows):
                        if raw[x * per_col + y // 8] & (0x80 >> (y % 8)):
                            px[x, y] = 0
                line.append(BitImage("column", img))
                i += 5 + size
            else:
                raise DecodeError(f"unknown ESC {chr(c)!r} at {i}")
        elif b == 0x1D:
            _need(data, i, 2)
            c = data[i + 1]
            if c == ord("!"):
                _need(data, i, 3)
                size = data[i + 2]
                if (size >> 4) > 7 or (size & 0x0F) > 7:
                    raise DecodeError(f"character size {size:#04x} at {i} is beyond 8 x 8")
                i += 3
            elif c == ord("V"):
                _need(data, i, 3)
                out.cuts += 1
                i += 4 if data[i + 2] in (65, 66) else 3
            elif c == ord("v"):
                _need(data, i, 8)
                if data[i + 2] != ord("0"):
                    raise DecodeError(f"unknown GS v at {i}")
                wb, h = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
                size = wb * h
                _need(data, i + 8, size)
                raw = bytes(x ^ 0xFF for x in data[i + 8:i + 8 + size])
                img = Image.frombytes("1", (wb * 8, h), raw)
                out.rasters.append(BitImage("raster", img))
                i += 8 + size
            elif c == ord("("):
                _need(data, i, 5)
                if data[i + 2] != ord("k"):
                    raise DecodeError(f"unknown GS ( {chr(data[i + 2])!r} at {i}")
                n = data[i + 3] | data[i + 4] << 8
                _need(data, i + 5, n)
                body = data[i + 5:i + 5 + n]
                cn, fn = body[0], body[1]
                if cn != 49:
                    raise DecodeError(f"2D code type {cn} is not QR")
                if not out.qr or out.qr[-1].printed:
                    out.qr.append(QrCommand())
                q = out.qr[-1]
                if fn == 65:
                    q.model = body[2] - 48
                elif fn == 67:
                    q.module = body[2]
                elif fn == 69:
                    q.ec = body[2] - 48
                elif fn == 80:
                    if body[2] != 48:
                        raise DecodeError("QR store data must have m = 48")
                    q.payload = bytes(body[3:])
                elif fn == 81:
                    q.printed = True
                else:
                    raise DecodeError(f"unknown QR function {fn}")
                i += 5 + n
            else:
                raise DecodeError(f"unknown GS {chr(c)!r} at {i}")
        elif b == 0x1C:
            _need(data, i, 2)
            c = data[i + 1]
            if c == ord("&"):
                kanji = True
                out.kanji_mode_seen = True
                i += 2
            elif c == ord("."):
                kanji = False
                i += 2
            elif c == ord("!"):
                i += 3
            else:
                raise DecodeError(f"unknown FS {chr(c)!r} at {i}")
        elif b < 0x20 or b == 0x7F:
            raise DecodeError(f"unexpected control byte {b:#04x} at {i}")
        elif b < 0x80:
            started()
            line.append(chr(b))
            i += 1
        else:
            if not kanji:
                raise DecodeError(f"byte {b:#04x} at {i} outside Chinese mode would print as a code page symbol")
            _need(data, i, 2)
            pair = data[i:i + 2]
            if not (0x81 <= pair[0] <= 0xFE and 0x40 <= pair[1] <= 0xFE and pair[1] != 0x7F):
                raise DecodeError(f"{pair.hex()} at {i} is not a two-byte GB code")
            started()
            line.append(pair.decode("gb18030"))
            i += 2
    if line:
        end_line()
    return out
