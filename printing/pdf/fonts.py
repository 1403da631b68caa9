"""CJK fonts for reportlab, and a fix for how reportlab 5.1 maps rare characters back to text.

reportlab embeds TrueType subsets and writes a ToUnicode CMap so that text
can be copied and searched. It formats each code point with "%04X", which is
right for the BMP but gives "<20BB7>" for 𠮷 (U+20BB7): five hex digits, not
UTF-16, so pdftotext and screen readers get nothing. The CMap must hold the
UTF-16BE surrogate pair "<D842DFB7>". `install_tounicode_fix` replaces
reportlab's CMap writer with one that does that (identical output for BMP
characters), once per process.
"""
from __future__ import annotations

import threading
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from printing.fonts import FontFile, font_for, hanazono_a, hanazono_b, main_font

_lock = threading.Lock()
_registered: set[str] = set()
#: reportlab's own CMap writer, kept so a test can show what goes wrong without the fix
REPORTLAB_TOUNICODE = ttfonts.makeToUnicodeCMap


def _utf16_hex(code_point: int) -> str:
    return chr(code_point).encode("utf-16-be", "surrogatepass").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's makeToUnicodeCMap, with UTF-16BE destinations (surrogate pairs beyond U+FFFF)."""
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
    ] + ["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)] + [
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def install_tounicode_fix() -> None:
    with _lock:
        if ttfonts.makeToUnicodeCMap is not to_unicode_cmap:
            ttfonts.makeToUnicodeCMap = to_unicode_cmap


def register(font: FontFile) -> str:
    with _lock:
        if font.key not in _registered:
            font.require()
            if font.path.suffix.lower() == ".ttc":
                pdfmetrics.registerFont(TTFont(font.key, str(font.path), subfontIndex=font.index))
            else:
                pdfmetrics.registerFont(TTFont(font.key, str(font.path)))
            _registered.add(font.key)
    return font.key


def setup_fonts() -> str:
    """Register the main CJK font (the fallbacks register when first needed); returns its name."""
    install_tounicode_fix()
    return register(main_font())


def markup(text: str) -> str:
    """Paragraph markup for `text`: characters the main font lacks are wrapped in their fallback font."""
    main = main_font().key
    out: list[str] = []
    current = main
    run = ""
    for ch in str(text):
        font = font_for(ch)
        key = font.key
        if key != current:
            if run:
                out.append(escape(run) if current == main else f'<font name="{current}">{escape(run)}</font>')
            run, current = "", key
            if key != main:
                register(font)
        run += ch
    if run:
        out.append(escape(run) if current == main else f'<font name="{current}">{escape(run)}</font>')
    return "".join(out).replace("\n", "<br/>")


def fallback_fonts() -> tuple[FontFile, FontFile]:
    return hanazono_a(), hanazono_b()
