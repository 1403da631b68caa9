"""The kiosk scanning a material through a real SANE backend (SANE's `test` device, no hardware)."""
from __future__ import annotations

from sqlalchemy import select

from kiosk.settings import load_settings
from kiosk.store.models import Application
from kiosk.terminal import Devices, Terminal
from tests.devices.conftest import sane_test_backend  # noqa: F401 - the fixture
from tests.ui.kiosk_helpers import ID_CARD, choose_item, fill_form, fill_identity, screen, submit, tap
from ui.kiosk.window import KioskWindow
from ui.terminal_setup import configured_scanner


def test_configured_sane_scanner_captures_every_required_material(qtbot, tmp_path, sane_test_backend):  # noqa: F811
    terminal = Terminal.open(load_settings(tmp_path / "home", scanner="test:0", idle_timeout_seconds=600))
    scanner = configured_scanner(terminal.settings)
    assert scanner is not None
    terminal.devices = Devices(scanner=scanner)
    window = KioskWindow(terminal, language="zh", speech=False)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    choose_item(qtbot, window, ID_CARD)
    fill_identity(qtbot, window)
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    for row in materials.rows.values():
        if row.spec.required:
            assert row.scan_button.isVisible()
            tap(qtbot, row.scan_button)
            qtbot.waitUntil(lambda r=row: r.done and not r.busy, timeout=60_000)
    tap(qtbot, materials.next_button)
    result = submit(qtbot, window)
    assert result is not None
    with terminal.store.transaction() as s:
        app = s.scalars(select(Application).where(Application.status == "submitted")).one()
        scanned = [f for m in app.materials if m.required for f in m.files]
        assert scanned and all(terminal.attachments.verify(f.attachment_sha256) is None for f in scanned)
    assert configured_scanner(load_settings(tmp_path / "other")) is None
