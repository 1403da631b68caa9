"""Contrast: at least 4.5:1 for every text and 3:1 for control borders, in the sheets and on the screen.

Two checks. The sheets themselves (`tests/ui/qss_contrast.py` works out
which colours each widget kind shows, in each state, on each surface) for
the kiosk's normal and large-text sheets and the counter's. And the pixels:
the kiosk is rendered offscreen and a few widgets whose words carry
instructions are grabbed; the text colour actually painted (the pixel
furthest from the background) must stand out 4.5:1 from the background
actually painted (the commonest pixel).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from tests.ui import qss_contrast as qc
from tests.ui.kiosk_helpers import ID_CARD, make_terminal, make_window, screen
from ui import theme
from ui.counter import style as counter_style


def _sheets() -> dict[str, str]:
    return {"kiosk_normal": theme.stylesheet(theme.NORMAL), "kiosk_large": theme.stylesheet(theme.LARGE),
            "counter": counter_style.stylesheet()}


@pytest.mark.parametrize("name", ["kiosk_normal", "kiosk_large", "counter"])
def test_every_text_and_control_border_in_the_sheet_has_enough_contrast(qapp: Any, name: str) -> None:
    rules = qc.parse_sheet(_sheets()[name])
    failures, measured = qc.measure(rules)
    failures += qc.scroll_handles(rules)
    assert measured > 100, measured  # the sheet was really read: every role, state and surface
    assert not failures, "\n".join(str(f) for f in failures)


def test_the_sheet_reader_sees_the_problems_the_issue_named() -> None:
    """The old sheet's colours (1.5:1 card border, 2.1:1 disabled submit) must fail, or the check proves nothing."""
    old = """
    QWidget { color: #1a1a1a; }
    QMainWindow, QWidget#kioskRoot, QStackedWidget, QScrollArea, QWidget#scrollBody { background: #f3f5f8; }
    QLabel[role="hint"] { color: #9aa3ad; }
    QFrame[role="card"] { background: #ffffff; border: 1px solid #c9d2de; }
    QPushButton { background: #ffffff; color: #1d4f91; border: 2px solid #1d4f91; }
    QPushButton[role="primary"] { background: #1d4f91; color: #ffffff; }
    QPushButton[role="primary"]:disabled { background: #9fb3cf; color: #ffffff; }
    QLineEdit { background: #ffffff; placeholder-text-color: #8c8c8c; }
    """
    failures, _ = qc.measure(qc.parse_sheet(old))
    found = {(f.what, f.element.split(" in ")[0], round(f.ratio, 1)) for f in failures}
    assert ("border", 'QFrame[role="card"]', 1.4) in found
    assert ("text", 'QPushButton[role="primary"]:disabled', 2.1) in found
    assert ("text", 'QLabel[role="hint"]', 2.6) in found
    assert ("placeholder", "QLineEdit", 3.4) in found  # on a white card; 2.3 on the page
    # and a rule that wins by specificity is the one measured: primary's own colours, not QPushButton's
    assert not any(f.element.startswith('QPushButton[role="primary"] ') for f in failures)


def test_wcag_contrast_of_known_pairs() -> None:
    assert qc.contrast(qc.parse_colour("#000000"), qc.parse_colour("#ffffff")) == pytest.approx(21.0)
    assert qc.contrast(qc.parse_colour("#777777"), qc.parse_colour("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert qc.contrast(qc.parse_colour("#ffffff"), qc.parse_colour("#ffffff")) == pytest.approx(1.0)


# -- what is really painted ----------------------------------------------------
BORDER_INSET = 6  # inside a control's border and rounded corners: only the fill and the words
def painted_contrast(widget: QWidget) -> tuple[float, str, str]:
    """The contrast between the commonest pixel (background) and the pixel furthest from it (text)."""
    inner = widget.rect().adjusted(BORDER_INSET, BORDER_INSET, -BORDER_INSET, -BORDER_INSET)
    image = widget.grab(inner).toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter()
    for y in range(0, image.height()):
        for x in range(0, image.width()):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    def rgba(value: int) -> qc.Rgba:
        return (float(value >> 16 & 255), float(value >> 8 & 255), float(value & 255), 255.0)
    background = rgba(counts.most_common(1)[0][0])
    text = max((rgba(v) for v in counts), key=lambda c: qc.contrast(c, background))
    return qc.contrast(text, background), qc.hex_of(text), qc.hex_of(background)


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_painted_words_on_the_kiosk_stand_out(qtbot: Any, tmp_path: Any, large: bool) -> None:
    window = make_window(qtbot, make_terminal(tmp_path), large_text=large)
    window.nav.show_browser()
    browser = screen(window, "browser")
    search = browser.search
    search.clear()
    qtbot.waitUntil(lambda: bool(browser.item_buttons))
    problems: list[str] = []

    def check(widgets: dict[str, QWidget]) -> None:
        for what, widget in widgets.items():
            assert widget.isVisible(), what
            ratio, fg, bg = painted_contrast(widget)
            if ratio < qc.TEXT_MIN:
                problems.append(f"{what}: {fg} on {bg} = {ratio:.2f}:1")

    check({"title": browser.title, "instructions (hint)": browser.subtitle, "count (hint)": browser.count_label,
           "service item": next(iter(browser.item_buttons.values())), "search placeholder": search})
    window.nav.start_application(window.terminal.catalog.item(ID_CARD))
    ident = screen(window, "identity")
    ident.next_button.setEnabled(False)
    check({"disabled Next": ident.next_button, "back": ident.back_button})
    assert not problems, problems
