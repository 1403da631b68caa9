"""A blind citizen with earphones and a keypad: the kiosk's main paths by keys alone, every move spoken."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from kiosk.demo import APPLICANT
from tests.ui.kiosk_helpers import ID_CARD, choose_item, fill_identity, make_terminal, make_window, screen, submit
from ui.kiosk.voice import RecordingVoice


def keypad_window(qtbot: Any, tmp_path: Any) -> tuple[Any, RecordingVoice]:
    terminal = make_terminal(tmp_path / "home")
    window = make_window(qtbot, terminal)  # normal text: read-aloud mode comes from the keypad itself
    voice = RecordingVoice()
    window.voice.voice = voice
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, voice


def press(qtbot: Any, window: Any, key: Qt.Key, text: str = "") -> None:
    """A key from the keypad goes where the keyboard focus is, as on the real terminal."""
    target = window.focusWidget() or window
    qtbot.keyClick(target, key)


def said_since(voice: RecordingVoice, start: int) -> list[str]:
    return voice.texts()[start:]


def test_welcome_to_progress_lookup_by_keys_alone_with_every_step_spoken(qtbot, tmp_path):
    window, voice = keypad_window(qtbot, tmp_path)
    welcome = screen(window, "welcome")
    assert voice.said == []  # nothing is spoken before anyone asks (normal text, no keypad yet)

    press(qtbot, window, Qt.Key.Key_Tab)  # the first key: read-aloud on, the step spoken, its first control focused
    assert window.focusWidget() is welcome.apply_button
    first = voice.texts()[-1]
    assert first.startswith(welcome.title.text()) and "我要办事，按钮" in first

    mark = len(voice.said)
    press(qtbot, window, Qt.Key.Key_Down)
    assert window.focusWidget() is welcome.progress_button
    assert said_since(voice, mark) == ["查询办理进度，按钮"]

    press(qtbot, window, Qt.Key.Key_Up)  # and back again
    assert window.focusWidget() is welcome.apply_button and voice.texts()[-1] == "我要办事，按钮"
    press(qtbot, window, Qt.Key.Key_Down)

    mark = len(voice.said)
    press(qtbot, window, Qt.Key.Key_Return)  # Enter activates the focused button
    qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "progress")
    progress = screen(window, "progress")
    assert window.focusWidget() is progress.field.edit  # the step's first control
    spoken = said_since(voice, mark)
    assert len(spoken) == 1
    assert spoken[0].startswith(progress.title.text() + "。")
    assert "请输入回执编号" in spoken[0] and "。。" not in spoken[0]
    assert spoken[0].endswith("，输入框") and "回执编号" in spoken[0].split("。")[-1]

    mark = len(voice.said)
    press(qtbot, window, Qt.Key.Key_Down)  # out of the field to the Look up button
    assert window.focusWidget() is progress.lookup_button
    assert said_since(voice, mark) == ["查询，按钮"]
    press(qtbot, window, Qt.Key.Key_Up)
    assert window.focusWidget() is progress.field.edit

    from kiosk.receipt_numbers import mod11_2

    body = "330106001-001-260131-00001"
    qtbot.keyClicks(progress.field.edit, f"{body}-{mod11_2(body.replace('-', ''))}")  # the keypad's digits
    mark = len(voice.said)
    press(qtbot, window, Qt.Key.Key_Return)  # Enter in the field looks the number up
    qtbot.waitUntil(lambda: progress.card.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: len(voice.said) > mark)
    answer = voice.texts()[-1]
    assert "回执编号" in answer and "没有找到该编号的申请" in answer  # the answer is read out too

    press(qtbot, window, Qt.Key.Key_Escape)  # Escape goes back
    qtbot.waitUntil(lambda: window.nav.current().name == "welcome")


def test_start_an_application_by_keys_alone(qtbot, tmp_path):
    window, voice = keypad_window(qtbot, tmp_path)
    welcome = screen(window, "welcome")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.focusWidget() is welcome.apply_button
    press(qtbot, window, Qt.Key.Key_Enter)  # the keypad's Enter
    qtbot.waitUntil(lambda: window.nav.current() is not None and window.nav.current().name == "browser",
                    timeout=10_000)
    browser = screen(window, "browser")
    target = browser.item_buttons[ID_CARD]
    for _ in range(60):  # down the list, as a blind citizen would, hearing each service's name
        if window.focusWidget() is target:
            break
        press(qtbot, window, Qt.Key.Key_Down)
    assert window.focusWidget() is target
    assert voice.texts()[-1].startswith("居民身份证换领，") and voice.texts()[-1].endswith("，按钮")
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.nav.current().name == "guide")
    guide = screen(window, "guide")
    assert voice.texts()[-1].startswith(guide.title.text())
    while window.focusWidget() is not guide.next_button:
        press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.nav.current().name == "identity")
    identity = screen(window, "identity")
    assert voice.texts()[-1].startswith(identity.title.text())


def test_question_card_takes_the_keys_and_escape_answers_no(qtbot, tmp_path):
    window, voice = keypad_window(qtbot, tmp_path)
    choose_item(qtbot, window, ID_CARD)
    identity = screen(window, "identity")
    identity.name_field.edit.setText(APPLICANT["name"])
    identity.name_field.edit.textEdited.emit(APPLICANT["name"])
    press(qtbot, window, Qt.Key.Key_Tab)  # keypad mode
    window.nav.home()  # Home asks first: the card covers the window
    assert window.question.isVisible()
    assert window.focusWidget() is window.question.no_button  # the safe answer first
    assert voice.texts()[-1].startswith("离开本次申请吗")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.question.yes_button
    press(qtbot, window, Qt.Key.Key_Tab)  # only the card's buttons take part
    assert window.focusWidget() is window.question.no_button
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not window.question.isVisible()
    assert screen(window, "identity").name_field.raw() == APPLICANT["name"]


def test_whatever_key_comes_first_says_where_the_citizen_is_and_f1_repeats_it(qtbot, tmp_path):
    window, voice = keypad_window(qtbot, tmp_path)
    welcome = screen(window, "welcome")
    press(qtbot, window, Qt.Key.Key_Return)  # the first key only wakes read-aloud: nothing is chosen blindly
    screen(window, "welcome")
    assert window.focusWidget() is welcome.apply_button
    assert len(voice.said) == 1 and voice.texts()[0].startswith(welcome.title.text())
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_F1)  # the step again, and where the citizen is on it
    assert window.focusWidget() is welcome.progress_button
    assert voice.texts()[-1].startswith(welcome.title.text()) and voice.texts()[-1].endswith("查询办理进度，按钮")
