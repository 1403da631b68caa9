"""Which font draws which character, for receipts and PDFs alike.

WenQuanYi Zen Hei (bundled, TrueType, so reportlab can embed it) draws
common Chinese; Hanazono (Debian's fonts-hanazono) draws the CJK extension
planes where rare characters in names live (U+20000 and up, such as 𠮷).
Coverage is read from each font's cmap once per process.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.assets import asset
from printing.errors import FontMissing


def hanazono_dir() -> Path:
    return Path(os.environ.get("ONEWINDOW_HANAZONO_DIR", "/usr/share/fonts/truetype/hanazono"))


@dataclass(frozen=True)
class FontFile:
    key: str  # also the reportlab font name
    path: Path
    index: int = 0  # sub-font of a .ttc

    def require(self) -> "FontFile":
        if not self.path.is_file():
            raise FontMissing(str(self.path))
        return self


def main_font() -> FontFile:
    return FontFile("WQYZenHei", asset("fonts", "wqy-zenhei.ttc"), 0)


def hanazono_a() -> FontFile:
    return FontFile("HanaMinA", hanazono_dir() / "HanaMinA.ttf")


def hanazono_b() -> FontFile:
    return FontFile("HanaMinB", hanazono_dir() / "HanaMinB.ttf")


@lru_cache(maxsize=8)
def _coverage(path: Path, index: int) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(str(path), subfontIndex=index) if path.suffix.lower() == ".ttc" else TTFontFile(str(path))
    return frozenset(face.charToGlyph)


def covers(font: FontFile, ch: str) -> bool:
    if not font.path.is_file():
        return False
    return ord(ch) in _coverage(font.path, font.index)


def rare_font_for(ch: str) -> FontFile | None:
    """The Hanazono face for a character the printer or the main font lacks (plane 2 first for U+20000+)."""
    order = (hanazono_b(), hanazono_a()) if ord(ch) >= 0x20000 else (hanazono_a(), hanazono_b())
    return next((f for f in order if covers(f, ch)), None)


def font_for(ch: str) -> FontFile:
    """The font a PDF or a rendered receipt draws this character with."""
    main = main_font().require()
    if ord(ch) < 0x80 or covers(main, ch):
        return main
    return rare_font_for(ch) or main
