"""Driving the kiosk like a citizen: taps and typing through pytest-qt, no sleeps."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from kiosk.settings import load_settings
from kiosk.demo import APPLICANT, fake_devices, sample_form
from kiosk.terminal import Devices, Terminal
from ui.kiosk.window import KioskWindow

ID_CARD = "330106000173002001"
SOCIAL_CARD = "330106000177001001"
MARRIAGE = "330106000184002001"


def make_terminal(home: Path, **overrides: Any) -> Terminal:
    overrides.setdefault("idle_timeout_seconds", 600)
    return Terminal.open(load_settings(home, **overrides))


def make_window(qtbot: Any, terminal: Terminal, *, language: str = "zh", devices: dict[str, Any] | None = None,
                large_text: bool = False) -> KioskWindow:
    devices = fake_devices() if devices is None else devices
    terminal.devices = Devices(scanner=devices.get("scanner"), id_reader=devices.get("id_reader"))
    window = KioskWindow(terminal, language=language, large_text=large_text, speech=False, sync_poll_ms=200)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def tap(qtbot: Any, button: QPushButton) -> None:
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def screen(window: KioskWindow, name: str) -> Any:
    current = window.nav.current()
    assert current is not None and current.name == name, f"on {current and current.name}, expected {name}"
    return current


def next_button(window: KioskWindow) -> QPushButton:
    return window.nav.current().next_button


def choose_item(qtbot: Any, window: KioskWindow, code: str) -> None:
    tap(qtbot, window.nav.screens["welcome"].apply_button)
    browser = screen(window, "browser")
    tap(qtbot, browser.item_buttons[code])
    screen(window, "guide")
    tap(qtbot, next_button(window))
    screen(window, "identity")


def fill_identity(qtbot: Any, window: KioskWindow, applicant: dict[str, str] = APPLICANT) -> None:
    ident = screen(window, "identity")
    for field in ident.fields:
        field.edit.clear()
        value = applicant[field.key]
        if value.isascii():
            qtbot.keyClicks(field.edit, value)  # typed key by key, as on the on-screen keyboard
        else:
            field.edit.setText(value)  # QTest cannot type Chinese; the input method commits it whole
            field.edit.textEdited.emit(value)
    tap(qtbot, ident.next_button)
    pass_licence_step(qtbot, window)


def pass_licence_step(qtbot: Any, window: KioskWindow) -> None:
    """An enrolled kiosk asks about electronic licences for items that accept them: these flows say no
    (nothing is asked of the platform; every material is captured as before). Tests of that step drive it."""
    current = window.nav.current()
    if current is not None and current.name == "licences":
        tap(qtbot, current.decline_button)


def fill_form(qtbot: Any, window: KioskWindow, code: str) -> None:
    form = screen(window, "form")
    for key, value in sample_form(code).items():
        field = form.view.field(key)
        if hasattr(field, "buttons"):
            tap(qtbot, field.buttons[value])
        else:
            field.edit.setText(value)
    tap(qtbot, form.next_button)


def provide_materials(qtbot: Any, window: KioskWindow) -> None:
    materials = screen(window, "materials")
    for code, row in materials.rows.items():
        if row.spec.required:
            tap(qtbot, row.scan_button)
            qtbot.waitUntil(lambda r=row: r.done and not r.busy, timeout=20_000)
    tap(qtbot, materials.next_button)


def submit(qtbot: Any, window: KioskWindow) -> Any:
    review = screen(window, "review")
    tap(qtbot, review.next_button)
    qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "result",
                    timeout=20_000)
    return screen(window, "result")


def visible_texts(widget: QWidget) -> str:
    """Everything typed into any input of the window."""
    return " ".join(e.text() for e in widget.findChildren(QLineEdit))
