"""The review screen's rules, on the real counter window: what cannot be done is disabled, looks disabled,
says why, and is refused by the use case as well when something calls past the button."""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from kiosk import demo_hall as demo
from kiosk.review import MaterialCheck
from kiosk.store.models import Application
from tests.ui.counter.conftest import case_application, click, log_in, open_review, select_material
from ui import i18n
from ui.dialogs import ConfirmDialog




def _mark(qtbot, review, code: str, result: MaterialCheck, reason: str = "") -> None:
    select_material(qtbot, review, code)
    review.reason.setPlainText(reason)
    button = {MaterialCheck.VALID: review.valid_button, MaterialCheck.MISSING: review.missing_button}[result]
    click(qtbot, button)
    qtbot.waitUntil(lambda: review.detail.material(code).review_state == result.value, timeout=10_000)


def test_accept_is_unavailable_while_a_material_is_marked_missing(qtbot, hall, make_window, monkeypatch):
    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(lambda cls, *a, **k: True))
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    _mark(qtbot, review, "id_card", MaterialCheck.VALID)
    _mark(qtbot, review, "household_register", MaterialCheck.MISSING, "户口簿首页缺失")
    assert not review.accept_button.isEnabled()
    assert review.accept_why.isVisible() and "缺少或不合格" in review.accept_why.text()
    assert review.supplement_button.isEnabled()  # what the clerk should do instead
    review.accept()  # called past the disabled button: the use case refuses, nothing moves
    qtbot.waitUntil(lambda: review.message.isVisible(), timeout=10_000)
    assert "居民户口簿" in review.message.text() and case_application(hall).status == "submitted"
    _mark(qtbot, review, "household_register", MaterialCheck.VALID)  # the original was found after all
    qtbot.waitUntil(lambda: review.accept_button.isEnabled(), timeout=10_000)
    assert not review.accept_why.isVisible()


def test_a_material_without_a_file_cannot_be_marked_valid(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    select_material(qtbot, review, "photo_receipt")  # optional and not handed in
    assert not review.current_material().files
    assert not review.valid_button.isEnabled() and review.missing_button.isEnabled()
    review.mark(MaterialCheck.VALID)  # past the disabled button: the use case refuses
    qtbot.waitUntil(lambda: review.check_error.isVisible(), timeout=10_000)
    assert "没有任何文件" in review.check_error.text()
    assert review.detail.material("photo_receipt").review_state == "unchecked"
    with hall.terminal.store.transaction() as s:
        material = next(m for m in s.get(Application, hall.case_id).materials if m.material_code == "photo_receipt")
        assert material.review_state == "unchecked"
    select_material(qtbot, review, "id_card")  # a material with a file can
    assert review.valid_button.isEnabled()


def _colours(image: QImage) -> set[tuple[int, int, int]]:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    return {QColor(image.pixel(x, y)).getRgb()[:3] for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)}


def test_disabled_buttons_look_disabled_whatever_their_role(qtbot, hall, make_window):
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, hall.case_id)
    reject_red, accept_blue, valid_green = (163, 18, 15), (29, 79, 145), (27, 107, 42)
    for button, colour in ((review.reject_button, reject_red), (review.accept_button, accept_blue),
                           (review.valid_button, valid_green)):
        button.setEnabled(True)
        enabled = _colours(button.grab().toImage())
        assert colour in enabled, button.objectName()  # the role's colour while it can be pressed
        button.setEnabled(False)
        disabled = _colours(button.grab().toImage())
        assert colour not in disabled, button.objectName()  # ... and none of it once it cannot
        assert (77, 87, 102) in disabled  # the grey (#4d5766) of every disabled button's words and none of the role's
    review.reject_button.setEnabled(True)


def test_the_review_screen_in_chinese_shows_no_raw_codes(qtbot, hall, make_window):
    """A case filed from the command line showed "cli" as its source; a material state could show "valid"."""
    submitted = demo.submit_at(hall.terminal, demo.id_card_draft(3), channel="cli", actor="cli:device1")
    window = make_window()
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, submitted.id)
    _mark(qtbot, review, "id_card", MaterialCheck.VALID)
    assert review.info_labels["source"][1].text() == "命令行"
    allowed = re.compile(r"ID|PDF|QR|X")
    for label in review.findChildren(QLabel):
        if not label.isVisibleTo(review) or label.objectName().startswith("info_"):
            continue  # the facts are values (numbers, names); the source is checked above
        text = allowed.sub("", re.sub(r"<[^>]+>", "", label.text()))
        assert not re.search(r"[A-Za-z]{2,}", text), (label.objectName(), label.text())
    for index in range(review.material_list.count()):
        assert not re.search(r"[A-Za-z]{2,}", review.material_list.item(index).text())
    assert "有效期满" in review.form_view.text() and "expired" not in review.form_view.text()  # a choice in Chinese
    assert "：" in review.form_view.text() and not re.search(r"[\u4e00-\u9fff]: ", review.form_view.text())


def test_qt_stock_strings_are_chinese_when_the_language_is_chinese(qtbot):
    i18n.set_language("zh")
    try:
        assert QCoreApplication.translate("QLineEdit", "&Copy").startswith("复制")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok)
        qtbot.addWidget(box)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("取消")
        assert len(i18n.installed_translators()) == 2  # Qt's own and ours
        i18n.set_language("en")
        assert QCoreApplication.translate("QLineEdit", "&Copy") == "&Copy" and not i18n.installed_translators()
    finally:
        i18n.set_language("zh")
