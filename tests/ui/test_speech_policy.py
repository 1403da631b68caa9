"""What read-aloud mode says, and when: every step, every error and the countdown, unasked (a recording voice)."""
from __future__ import annotations

from tests.ui.kiosk_helpers import ID_CARD, choose_item, make_terminal, make_window, screen, tap
from ui.kiosk.voice import RecordingVoice


def test_large_text_mode_speaks_each_step_each_error_and_the_countdown(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home", idle_timeout_seconds=6), large_text=True)
    voice = RecordingVoice()
    window.voice.voice = voice
    choose_item(qtbot, window, ID_CARD)
    identity = screen(window, "identity")
    spoken = voice.texts()
    guide_title = window.nav.screens["guide"].title.text()
    assert any(t.startswith(guide_title) for t in spoken)  # the guide step, as it appeared
    assert spoken[-1].startswith(identity.title.text())  # and this step: title, then its instruction
    assert identity.subtitle.text() == "" or len(spoken[-1]) > len(identity.title.text())
    # Next with nothing typed: the field errors that appear are read out.
    tap(qtbot, identity.next_button)
    qtbot.waitUntil(lambda: identity.name_field.error_label.isVisible())
    qtbot.waitUntil(lambda: len(voice.said) > len(spoken))
    errors = voice.texts()[-1]
    assert "姓名" in errors or "请填写" in errors or "必填" in errors, errors
    # An error in the notice bar (a job that failed) is read out too.
    from kiosk.errors import Message, UserFacingError

    window.report(UserFacingError(Message("打印机缺纸，请联系工作人员。", "The printer is out of paper.")))
    assert voice.texts()[-1] == "打印机缺纸，请联系工作人员。"
    # The countdown, without anyone pressing anything.
    with qtbot.waitSignal(window.idle.warning, timeout=10_000):
        pass
    assert voice.texts()[-1].startswith("您还在吗") and "秒" in voice.texts()[-1]


def test_normal_text_speaks_only_when_asked(qtbot, tmp_path):
    window = make_window(qtbot, make_terminal(tmp_path / "home"))
    voice = RecordingVoice()
    window.voice.voice = voice
    choose_item(qtbot, window, ID_CARD)
    tap(qtbot, screen(window, "identity").next_button)
    assert voice.said == []
    window.read_aloud()  # the Read aloud button
    assert voice.texts() == [voice.texts()[0]] and voice.texts()[0].startswith(screen(window, "identity").title.text())
    tap(qtbot, window.top.large_button)  # large text on: the step at once, and from now on everything unasked
    assert len(voice.said) == 2 and voice.texts()[1] == voice.texts()[0]
    assert "？。" not in voice.texts()[0]
    tap(qtbot, window.top.language_button)  # the step again, in English
    assert len(voice.said) == 3 and voice.said[2][1] == "en" and voice.texts()[2].startswith("Who is applying")
    tap(qtbot, window.top.home_button)  # nothing typed: no question; the session ends and says so
    qtbot.waitUntil(lambda: len(voice.said) == 4, timeout=5_000)
    # told in the language they used, on a welcome screen back in the kiosk's own language (which follows)
    assert voice.said[3] == ("You left the application. What you entered has been deleted and not kept.", "en")
    farewell = window.nav.screens["welcome"].farewell.text()
    assert farewell.index("You left the application") < farewell.index("已删除")
