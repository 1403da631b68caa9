"""A window reads which font draws which character at its start, not at the first receipt with a rare name.

Reading the three fonts' cmaps is a third of a second of pure Python; done
by the first receipt's job, it kept the GUI thread waiting for Python's
lock (a 90 ms blocked stall in the soak, issue 10).
"""
from __future__ import annotations

from pathlib import Path

from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases import receipts
from printing import fonts


def test_a_terminal_with_a_receipt_printer_reads_the_fonts_coverage_ahead(home: Path) -> None:
    present = [f for f in (fonts.main_font(), fonts.hanazono_a(), fonts.hanazono_b()) if f.path.is_file()]
    fonts._coverage.cache_clear()
    receipts.prepare_receipts(Terminal.open(load_settings(home, printer="fake:prepare")))
    assert fonts._coverage.cache_info().currsize == len(present) >= 1


def test_a_terminal_without_one_reads_nothing(home: Path) -> None:
    fonts._coverage.cache_clear()
    receipts.prepare_receipts(Terminal.open(load_settings(home, printer="")))
    assert fonts._coverage.cache_info().currsize == 0
