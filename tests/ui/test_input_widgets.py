"""Typing only where it cannot be avoided: the number pad, the date picker and room for the keyboard.

Everything here is done with taps (mouse clicks on the keys), never with key
presses: that is the point of these widgets.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.demo import APPLICANT
from tests.ui.kiosk_helpers import ID_CARD, MARRIAGE, make_terminal, make_window, screen
from ui.i18n import translate
from ui.metrics import touch_px
from ui.widgets.date_picker import DatePicker
from ui.widgets.fields import check_mobile
from ui.widgets.number_pad import DELETE, NumberPad


def tap(qtbot: Any, button: QPushButton) -> None:
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=5_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tap_field(qtbot: Any, edit: QLineEdit) -> None:
    assert edit.window().isActiveWindow()
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(edit.hasFocus, timeout=5_000)


_alive: list[QWidget] = []


def kiosk(qtbot: Any, tmp_path: Any, **options: Any) -> Any:
    """The kiosk window, active (the one window a citizen touches, so its fields can take the focus)."""
    window = make_window(qtbot, make_terminal(tmp_path), **options)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    return window


def _host(qtbot: Any, *widgets: QWidget) -> QWidget:
    host = QWidget()
    layout = QVBoxLayout(host)
    for w in widgets:
        layout.addWidget(w)
    qtbot.addWidget(host)
    host.resize(900, 1500)
    _alive.append(host)  # pytest-qt closes it; this reference keeps Python from deleting it earlier
    host.show()
    qtbot.waitExposed(host)
    host.windowHandle().requestActivate()
    qtbot.waitUntil(host.isActiveWindow, timeout=5_000)
    return host


# -- number pad ---------------------------------------------------------------
def test_a_phone_number_is_tapped_on_the_pad_and_checked_like_a_typed_one(qtbot: Any) -> None:
    edit = QLineEdit()
    edit.setMaxLength(11)
    pad = NumberPad().attach(edit)
    _host(qtbot, edit, pad)
    edits: list[str] = []
    edit.textEdited.connect(edits.append)
    assert pad.isVisible() == edit.hasFocus()  # only while its field has the focus
    tap_field(qtbot, edit)
    qtbot.waitUntil(pad.isVisible)
    for digit in "139001390009":  # one digit too many, then the wrong last digit is deleted
        tap(qtbot, pad.keys[digit])
    assert edit.text() == "13900139000"  # the field's maximum length holds for taps too
    tap(qtbot, pad.keys[DELETE])
    tap(qtbot, pad.keys["1"])
    assert edit.text() == "13900139001"
    assert edits[-1] == "13900139001"  # the field hears each tap as an edit, so its checks and saving run
    assert check_mobile(edit.text()) == ("13900139001", None)
    assert edit.hasFocus()  # the keys never took the focus
    assert not edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)  # no full keyboard over it
    assert edit.inputMethodHints() & Qt.InputMethodHint.ImhDigitsOnly
    assert all(b.height() >= touch_px() and b.width() >= touch_px() for b in pad.keys.values())  # finger-size


def test_the_pad_folds_away_only_when_another_field_is_tapped(qtbot: Any) -> None:
    phone, other = QLineEdit(), QLineEdit()
    pad = NumberPad().attach(phone)
    button = QPushButton("下一步")
    _host(qtbot, phone, pad, button, other)
    tap_field(qtbot, phone)
    qtbot.waitUntil(pad.isVisible)
    tap(qtbot, button)  # a button below must not jump away between press and release
    assert pad.isVisible()
    tap_field(qtbot, other)
    qtbot.waitUntil(lambda: not pad.isVisible())
    tap_field(qtbot, phone)
    qtbot.waitUntil(pad.isVisible)


def test_the_id_number_pad_has_an_x_and_every_key_a_name(qtbot: Any) -> None:
    edit = QLineEdit()
    pad = NumberPad("X").attach(edit)
    _host(qtbot, edit, pad)
    tap_field(qtbot, edit)
    for key in "11010519491231002X":
        tap(qtbot, pad.keys[key])
    assert edit.text() == "11010519491231002X"
    assert all(b.accessibleName() for b in pad.keys.values())
    assert pad.keys[DELETE].accessibleName() not in ("", DELETE)


# -- date picker --------------------------------------------------------------
def test_a_date_is_picked_with_three_kinds_of_tap(qtbot: Any) -> None:
    edit = QLineEdit("2025-05-31")
    picker = DatePicker().attach(edit)
    _host(qtbot, edit, picker)
    tap_field(qtbot, edit)
    qtbot.waitUntil(picker.isVisible)
    assert picker.date() == date(2025, 5, 31)  # starts from what the field holds
    tap(qtbot, picker.year_keys[-10])
    tap(qtbot, picker.year_keys[-1])
    assert edit.text() == "2014-05-31"
    tap(qtbot, picker.month_keys[2])  # 31 February does not exist: the day is cut to the month's end
    assert edit.text() == "2014-02-28"
    assert not picker.day_keys[29].isVisible() and picker.day_keys[28].isVisible()
    assert picker.day_keys[28].text().startswith("✔")  # the chosen day is marked, not only coloured
    tap(qtbot, picker.day_keys[3])
    assert edit.text() == "2014-02-03"
    assert edit.hasFocus()
    assert not edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    other = QLineEdit()
    picker.parentWidget().layout().addWidget(other)
    tap_field(qtbot, other)
    qtbot.waitUntil(lambda: not picker.isVisible())
    edit.clear()  # the session ended: the next citizen's picker opens on today, not on this one's date
    tap_field(qtbot, edit)
    qtbot.waitUntil(picker.isVisible)
    assert picker.date() == date.today()


def test_a_picker_makes_its_keys_only_when_first_shown(qtbot: Any) -> None:
    """A form holds several pickers and pads, built ahead in one turn: their keys wait until one is opened."""
    edit = QLineEdit()
    edit.setText("2031-02-14")
    folded = DatePicker().attach(edit)
    phone = QLineEdit()
    pad = NumberPad().attach(phone)
    alone = DatePicker(date(1950, 3, 31))  # not attached: shown with its parent, without a call to show()
    assert not folded.findChildren(QPushButton) and not alone.findChildren(QPushButton)
    first = QLineEdit()  # takes the focus when the window opens
    _host(qtbot, first, edit, folded, alone, phone, pad)
    first.setFocus()
    assert not folded.isVisible() and not folded.findChildren(QPushButton)  # the field has not had the focus
    assert not pad.isVisible() and not pad.findChildren(QPushButton)
    tap_field(qtbot, phone)
    qtbot.waitUntil(pad.isVisible)
    # named as they are made, in the language of the moment (a test before may have left Chinese on)
    assert len(pad.findChildren(QPushButton)) == 11 and pad.keys[DELETE].accessibleName() == translate("Widgets", "Delete")
    qtbot.waitUntil(lambda: len([k for k in alone.findChildren(QPushButton) if k.isVisible()]) == 4 + 12 + 31)
    assert alone.year_label.text() and alone.day_keys[31].text() == "✔31"  # the date it was made with
    tap_field(qtbot, edit)
    qtbot.waitUntil(folded.isVisible)
    assert folded.date() == date(2031, 2, 14) and folded.day_keys[14].isChecked()
    assert not folded.day_keys[29].isVisible()  # February 2031 has 28 days
    assert folded.month_keys[2].accessibleName()  # translated as it was built


def test_a_date_outside_the_catalogs_bounds_cannot_be_picked(qtbot: Any) -> None:
    today = date.today()
    edit = QLineEdit()
    picker = DatePicker(minimum=today, maximum=today + timedelta(days=60)).attach(edit)
    _host(qtbot, edit, picker)
    tap_field(qtbot, edit)
    assert picker.date() == today
    assert not picker.year_keys[-1].isEnabled() and not picker.year_keys[-10].isEnabled()
    if today.day > 1:
        assert not picker.day_keys[today.day - 1].isEnabled()  # yesterday
    tap(qtbot, picker.day_keys[today.day])
    assert edit.text() == today.isoformat()


# -- in the kiosk form --------------------------------------------------------
def test_the_kiosk_form_takes_a_date_and_a_phone_number_without_a_key_press(qtbot: Any, tmp_path: Any) -> None:
    window = kiosk(qtbot, tmp_path, language="zh", large_text=True)
    nav = window.nav
    nav.start_application(window.terminal.catalog.item(MARRIAGE))
    ident = screen(window, "identity")
    for field in ident.fields:
        field.set_raw(APPLICANT[field.key])
    tap(qtbot, ident.next_button)
    form = screen(window, "form")
    phone = form.view.field("partner_phone")
    pad = form.helpers["partner_phone"]
    assert isinstance(pad, NumberPad)
    form.scroll.ensureWidgetVisible(phone.edit)
    tap_field(qtbot, phone.edit)
    qtbot.waitUntil(pad.isVisible)
    for digit in "13700137000":
        tap(qtbot, pad.keys[digit])
    assert phone.raw() == "13700137000"
    when = form.view.field("appointment_date")
    picker = form.helpers["appointment_date"]
    assert isinstance(picker, DatePicker)
    form.scroll.ensureWidgetVisible(when.edit)
    tap_field(qtbot, when.edit)
    qtbot.waitUntil(picker.isVisible)
    assert not pad.isVisible()
    soon = date.today() + timedelta(days=7)  # the picker opens on today, the catalog's earliest date
    if soon.year != date.today().year:
        tap(qtbot, picker.year_keys[1])
    if soon.month != picker.date().month:
        tap(qtbot, picker.month_keys[soon.month])
    tap(qtbot, picker.day_keys[soon.day])
    assert when.raw() == soon.isoformat()
    assert when.validate() and phone.validate()
    assert form.ctx.session.form.get("partner_phone") == "13700137000"  # saved as it was tapped


def test_the_id_card_forms_expiry_date_uses_the_picker(qtbot: Any, tmp_path: Any) -> None:
    window = kiosk(qtbot, tmp_path, language="en")
    window.nav.start_application(window.terminal.catalog.item(ID_CARD))
    ident = screen(window, "identity")
    for field in ident.fields:
        field.set_raw(APPLICANT[field.key])
    tap(qtbot, ident.next_button)
    form = screen(window, "form")
    assert set(form.helpers) == {"old_card_expiry"}
    picker = form.helpers["old_card_expiry"]
    assert picker.minimum == date(2004, 1, 1)  # the catalog's bound
    assert picker.month_keys[5].accessibleName() == "May"


# -- room for the on-screen keyboard ---------------------------------------------
def test_the_focused_field_is_scrolled_above_the_keyboard(qtbot: Any, tmp_path: Any) -> None:
    window = kiosk(qtbot, tmp_path, language="zh")
    window.nav.start_application(window.terminal.catalog.item(MARRIAGE))
    ident = screen(window, "identity")
    for field in ident.fields:
        field.set_raw(APPLICANT[field.key])
    tap(qtbot, ident.next_button)
    form = screen(window, "form")
    last = [f for f in form.view.fields if getattr(f, "edit", None) is not None][-1]
    form.scroll.ensureWidgetVisible(last.edit)
    tap_field(qtbot, last.edit)
    keyboard = QRectF(0, window.height() - 420, window.width(), 420)
    form.keyboard_space.fit(keyboard)
    bottom = last.edit.mapTo(window, last.edit.rect().bottomLeft()).y()
    top = last.edit.mapTo(window, last.edit.rect().topLeft()).y()
    assert bottom < keyboard.top(), (top, bottom, keyboard.top())
    assert top > 0 and last.edit.visibleRegion().boundingRect().height() == last.edit.height()
    form.keyboard_space.fit(QRectF())  # the keyboard went away: no empty room stays under the form
    assert form.keyboard_space.overlap == 0


# -- the on-screen keyboard's language ---------------------------------------------
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_on_screen_keyboard_speaks_the_kiosks_language(language: str) -> None:
    """Pinyin in Chinese from the start (not British English from the machine's locale), and it follows a switch."""
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("QT_IM_MODULE", "LANG", "LC_ALL")}
    env.update(QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")  # a machine whose own locale is not Chinese
    done = subprocess.run([sys.executable, "-m", "tests.ui.keyboard_language_run", language], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["module"] == "qtvirtualkeyboard" and result["active"]
    assert result["pinyin"]  # the pinyin input method ships with this PySide6
    first, then = ("zh_CN", "en_GB") if language == "zh" else ("en_GB", "zh_CN")
    assert result["steps"] == {"start": first, "switched": then}
    assert result["active_locales"] == ["zh_CN", "en_GB"]
