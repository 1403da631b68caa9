"""Bytes on the wire for a typical receipt: native ESC/POS (Chinese mode + native QR) vs one whole raster.

Prints, for 80 mm and 58 mm paper, the size of each and the seconds it takes
at 9600 baud (8N1: 10 bits a byte, 960 bytes/s), the usual speed of a serial
receipt printer. Target: native <= 2 KB and >= 25x smaller than the raster.

    .venv/bin/python bench/receipt_bytes.py
"""
from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printing.receipt.content import MaterialLine, ReceiptContent  # noqa: E402
from printing.receipt.escpos_out import receipt_bytes  # noqa: E402
from printing.receipt.layout import Line, receipt_blocks  # noqa: E402
from printing.receipt.model import printer_model  # noqa: E402
from printing.receipt.raster import receipt_raster_bytes  # noqa: E402

BYTES_PER_SECOND = 9600 / 10


def typical(name: str) -> ReceiptContent:
    return ReceiptContent(
        hall_zh="西湖区政务服务中心", hall_en="Xihu District Government Service Center",
        item_zh="居民身份证换领", item_en="Renewal of Resident Identity Card",
        receipt_no="330106001-001-261123-00001-2", applicant_name=name, id_masked="1101**********002X",
        submitted_at=datetime(2026, 11, 23, 9, 41), promised_date=date(2026, 12, 21),
        materials=(MaterialLine("原居民身份证", "Current Resident Identity Card", 1, 1),
                   MaterialLine("居民户口簿", "Household Register Booklet", 1, 2),
                   MaterialLine("居民身份证数码照片回执", "Digital ID Photo Receipt", 1, 1)),
        progress_payload="https://zwfw.example.gov.cn/progress?r=330106001-001-261123-00001-2",
        progress_site="zwfw.example.gov.cn")


def main() -> int:
    ok = True
    print(f"{'receipt':34} {'lines':>5} {'native B':>9} {'native s':>9} {'raster B':>9} {'raster s':>9} {'ratio':>6}")
    for paper in (80, 58):
        for label, name in (("common name 张三", "张三"), ("rare name 张\U00020BB7 (1 glyph)", "张\U00020BB7")):
            model = printer_model("default", paper)
            blocks = receipt_blocks(typical(name), model.columns)
            native = receipt_bytes(blocks, model)
            raster = receipt_raster_bytes(blocks, model)
            lines = sum(1 for b in blocks if isinstance(b, Line))
            ratio = len(raster) / len(native)
            print(f"{paper} mm, {label:27} {lines:>5} {len(native):>9} {len(native) / BYTES_PER_SECOND:>9.2f} "
                  f"{len(raster):>9} {len(raster) / BYTES_PER_SECOND:>9.1f} {ratio:>5.0f}x")
            if paper == 80 and len(native) > 2048 or ratio < 25:
                ok = False
    print("target (native <= 2048 B on 80 mm, >= 25x smaller):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
