"""Kiosk UI fixtures: fonts once, forgetful fake printers, and no leftover background jobs."""
from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _kiosk_clean(qapp, qtbot) -> Iterator[None]:  # noqa: ANN001 - pytest-qt fixtures; torn down before qtbot closes windows
    from ui.fonts import install_fonts
    from ui.jobs import wait_idle

    install_fonts(qapp)
    yield
    wait_idle(20_000)
    qapp.processEvents()
    try:
        from printing.drivers.fake import FakePrinter

        FakePrinter.forget_all()
    except ImportError:
        pass
