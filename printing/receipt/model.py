"""The printer model: what python-escpos's capability profile says it can do, plus the paper."""
from __future__ import annotations

from dataclasses import dataclass

from escpos.capabilities import get_profile
from escpos.exceptions import Error as EscposError

from kiosk.errors import Message
from printing.errors import PrintingError
from printing.receipt.chinese import TWO_BYTE_SETS

PAPER_DOTS = {58: 384, 80: 576}


class UnknownProfile(PrintingError):
    resultcode = 11

    def __init__(self, name: str) -> None:
        super().__init__(Message(f"未知的打印机型号配置“{name}”（见 python-escpos 的型号列表）。",
                                 f"Unknown printer profile '{name}' (see python-escpos's list of profiles)."),
                         code="printer_profile")


@dataclass(frozen=True)
class PrinterModel:
    profile: str
    dots: int  # printable width
    native_qr: bool  # GS ( k
    inline_images: bool  # ESC * column bit images, printed in line with text
    part_cut: bool
    full_cut: bool
    two_byte_set: str = "gb18030"

    @property
    def columns(self) -> int:
        return self.dots // 12


def printer_model(profile: str = "default", paper_mm: int = 80, two_byte_set: str = "gb18030") -> PrinterModel:
    try:
        data = get_profile(profile).profile_data
    except (EscposError, KeyError):
        raise UnknownProfile(profile) from None
    if two_byte_set not in TWO_BYTE_SETS:
        raise ValueError(two_byte_set)
    features = data.get("features", {})
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    dots = PAPER_DOTS.get(paper_mm, 576)
    if isinstance(pixels, int) and pixels >= 300:
        dots = min(dots, pixels)
    return PrinterModel(profile=profile, dots=dots, native_qr=bool(features.get("qrCode")),
                        inline_images=bool(features.get("bitImageColumn")),
                        part_cut=bool(features.get("paperPartCut")), full_cut=bool(features.get("paperFullCut")),
                        two_byte_set=two_byte_set)
