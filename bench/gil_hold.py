#!/usr/bin/env python3
"""How long a worker thread's picture work keeps the GUI thread from Python's lock (issue 10).

For each way of making a picture, a worker thread makes it five times while the
main thread counts in a tight loop; printed: the work's time per picture and the
main thread's longest gap between two counts (what a window's GUI thread would
have waited for the lock). Qt's own calls hold the lock for their whole length;
`ui.images` (Pillow, and the worker process for PDFs) should leave gaps of a
few milliseconds at most.

    .venv/bin/python bench/gil_hold.py

Not a test: the figures depend on the machine and on its load (printed).
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def longest_gap_ms(work: Callable[[], object], times: int = 5) -> tuple[float, float]:
    spent: list[float] = []

    def worker() -> None:
        for _ in range(times):
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)

    thread = threading.Thread(target=worker)
    thread.start()
    longest, last = 0.0, time.perf_counter()
    while thread.is_alive():
        x = 0
        for i in range(500):
            x += i
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    thread.join()
    return sum(spent) / len(spent) * 1000, longest * 1000


def scanned_pdf() -> bytes:
    """Two A4 pages as the kiosk's scans become them: a 150 dpi page image each (`kiosk.materials`)."""
    from kiosk.materials.pages import CapturedPage
    from kiosk.materials.pipeline import material_file_from_pages
    from kiosk.materials.samples import text_page

    pages = [CapturedPage(image=text_page(dpi=150, seed=seed, lines=30)[0], dpi=150, source="bench")
             for seed in (1, 2)]
    file = material_file_from_pages(pages, "grayscale", "declaration")
    assert file.media_type == "application/pdf", file.media_type
    return file.data


def main() -> int:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication

    from kiosk.processes import call_in_process, shutdown_processes
    from tests.helpers.files import jpeg_bytes
    from ui.images import image_thumbnail, pdf_thumbnail, smooth_scaled

    app = QApplication(sys.argv[:1])  # noqa: F841 - QtPdf and fonts need one
    page = QImage(1241, 1754, QImage.Format.Format_RGB32)  # an A4 page at 150 dpi, as the counter holds them
    page.fill(0xFFF0F0F0)
    photo, pdf = jpeg_bytes(3000, 2000, seed=7), scanned_pdf()
    box = QSize(150, 200)

    def qt_pdf_thumbnail() -> QImage:  # what the kiosk's thumbnail job did before `ui.images`
        buffer = QBuffer()
        buffer.setData(QByteArray(pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        doc = QPdfDocument()
        doc.load(buffer)
        image = doc.render(0, box)
        doc.close()
        return image

    call_in_process(int, timeout=120)  # the worker process started before anything is timed
    rows = [
        ("page 1241x1754 -> 620x877, QImage.scaled smooth", lambda: page.scaled(
            620, 877, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)),
        ("page 1241x1754 -> 620x877, ui.images.smooth_scaled", lambda: smooth_scaled(page, 620, 877)),
        ("page 1241x1754 -> 2482x3508 (zoom 200 %), QImage.scaled smooth", lambda: page.scaled(
            2482, 3508, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)),
        ("page 1241x1754 -> 2482x3508 (zoom 200 %), ui.images.smooth_scaled",
         lambda: smooth_scaled(page, 2482, 3508)),
        ("PDF thumbnail, QtPdf on the thread", qt_pdf_thumbnail),
        ("PDF thumbnail, ui.images.pdf_thumbnail (worker process)", lambda: pdf_thumbnail(pdf, box)),
        ("6 MP JPEG thumbnail, ui.images.image_thumbnail", lambda: image_thumbnail(photo, box)),
    ]
    print(f"load {os.getloadavg()[0]:.1f}")
    print(f"{'work':<70} {'ms each':>8} {'longest GUI gap ms':>19}")
    for name, work in rows:
        each, gap = longest_gap_ms(work)
        print(f"{name:<70} {each:8.1f} {gap:19.1f}")
    shutdown_processes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
