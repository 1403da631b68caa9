"""One accessibility walk in a process of its own: a terminal (kiosk or counter) and a language.

    QT_QPA_PLATFORM=offscreen python -m tests.ui.accessible_names_run kiosk zh

Drives the window through every screen with the screenshot scripts' own walk
and, on each, asks Qt's accessibility layer (what AT-SPI hands to Orca) for
the name and role of every visible control a person can operate. Prints one
JSON object: the screens seen, how many controls were checked, and every
control without a name or with a role that does not say what it is.
(`tests/ui/screen_fit_run.py` says why each walk gets its own process.)
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _controls() -> dict[type, set[Any]]:
    """The widget classes a person operates, with the roles that may stand for each."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QCheckBox,
                                   QComboBox, QLineEdit, QPlainTextEdit, QRadioButton, QTextEdit)

    role = QAccessible.Role
    return {
        QCheckBox: {role.CheckBox},
        QRadioButton: {role.RadioButton},
        QAbstractButton: {role.Button, role.PushButton, role.CheckBox, role.RadioButton, role.PageTab},
        QLineEdit: {role.EditableText},
        QPlainTextEdit: {role.EditableText},
        QTextEdit: {role.EditableText, role.StaticText},
        QComboBox: {role.ComboBox},
        QAbstractSpinBox: {role.SpinBox, role.EditableText},
        QAbstractSlider: {role.Slider, role.ScrollBar},
        QAbstractItemView: {role.List, role.Table, role.Tree, role.Client},
    }


def describe(widget: Any) -> str:
    names = []
    current = widget
    while current is not None and len(names) < 4:
        names.append(f"{type(current).__name__}#{current.objectName() or '?'}")
        current = current.parentWidget()
    return " < ".join(names)


def english_only(name: str) -> bool:
    """A name with Latin words and no Chinese: English read to a citizen who chose Chinese."""
    import re

    return re.search(r"[A-Za-z]{3,}", name) is not None and re.search(r"[\u3400-\u9fff]", name) is None


def audit(window: Any, lang: str = "en") -> tuple[int, list[str]]:
    """Every visible control on `window`: (how many, those without a name or a fitting role)."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QHeaderView, QLineEdit, QScrollBar, QWidget

    controls = _controls()
    checked = 0
    problems: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget, (QScrollBar, QHeaderView)):
            continue  # named by Qt itself ("Vertical"), and a table's headers are read through the table
        if isinstance(widget.parentWidget(), (QComboBox, QLineEdit, QAbstractSpinBox)):
            continue  # the parts Qt builds inside a control (a line edit's clear button, a date edit's text)
        roles = next((r for kind, r in controls.items() if isinstance(widget, kind)), None)
        if roles is None:
            continue
        checked += 1
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None:
            problems.append(f"{describe(widget)}: no accessible interface")
            continue
        name = interface.text(QAccessible.Text.Name).strip()
        if not name:
            problems.append(f"{describe(widget)}: no accessible name")
        elif lang == "zh" and english_only(name):
            problems.append(f"{describe(widget)}: English name {name!r} on a Chinese screen")
        if interface.role() not in roles:
            problems.append(f"{describe(widget)}: role {interface.role().name}")
    return checked, problems


def walk_and_audit(terminal: str, lang: str, home: Path) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from ui.fonts import install_fonts

    app = QApplication.instance() or QApplication([])
    install_fonts(app)
    screens: list[str] = []
    problems: list[str] = []
    checked = 0
    if terminal == "kiosk":
        from ui.kiosk.render_screens import close_window, demo_kiosk, open_window, walk

        context: Any = demo_kiosk(home)
    else:
        from ui.counter.render_screens import close_window, demo_counter, open_window, walk  # type: ignore[assignment]

        context = demo_counter(home)
    with context as demo:
        window = open_window(demo, lang, False, (1600, 900)) if terminal == "kiosk" \
            else open_window(demo, lang, (1920, 1080))  # type: ignore[call-arg]
        try:
            for name in walk(window, demo):
                screens.append(name)
                count, found = audit(window, lang)
                checked += count
                problems += [f"{name}: {p}" for p in found]
        finally:
            close_window(window)
    return {"screens": screens, "checked": checked, "problems": sorted(set(problems))}


def main(argv: list[str]) -> int:
    terminal, lang = argv
    if terminal not in ("kiosk", "counter") or lang not in ("zh", "en"):
        print("usage: accessible_names_run kiosk|counter zh|en", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="onewindow-a11y-", ignore_cleanup_errors=True) as home:
        print(json.dumps(walk_and_audit(terminal, lang, Path(home)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
