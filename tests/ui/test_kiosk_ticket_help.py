""""Ask staff for help" on every kiosk screen: one request, the counter's acknowledgement, the hub away.

The hub is `FakeHall` (the test's edge); a counter acknowledging is
`FakeHall.acknowledge_help`, as the counter's own use case does at the hub.
"""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.errors import Message
from kiosk.queue.model import Priority
from tests.ui.kiosk_helpers import ID_CARD, choose_item, make_terminal, make_window, screen, tap
from tests.ui.kiosk_ticket_helpers import hall_window, take_number
from ui.kiosk.help import STEP_LABELS, HelpState
from ui.kiosk.voice import RecordingVoice



def _requests(hall: Any) -> list[tuple[object, ...]]:
    return [args for name, args in hall.calls_made if name == "request_help"]


def _fast_polls(window: Any) -> None:
    window.help.timer.setInterval(100)


def _banner(window: Any) -> str:
    return window.help_banner.label.text() if window.help_banner.isVisible() else ""


def test_help_is_asked_once_and_the_counter_acknowledgement_reaches_the_screen(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home")
    voice = RecordingVoice()
    window.voice.voice = voice
    _fast_polls(window)
    choose_item(qtbot, window, ID_CARD)  # stuck on the identity step
    tap(qtbot, window.top.help_button)
    qtbot.waitUntil(lambda: window.help.state is HelpState.WAITING, timeout=10_000)
    assert "已通知工作人员，请稍候" in _banner(window)
    [(step,)] = _requests(hall)
    assert step == "identity"
    [request] = hall.help.values()
    assert request.kiosk == "kiosk-1" and request.step_label == STEP_LABELS["identity"] == Message("填写身份信息",
                                                                                                  "Identity")
    assert "已通知工作人员，请稍候。" in voice.texts()  # said aloud: the citizen asked
    tap(qtbot, window.top.help_button)  # a second tap while it is open: no second request
    tap(qtbot, window.top.help_button)
    assert len(_requests(hall)) == 1 and len(hall.help) == 1
    assert "已通知工作人员，请稍候" in _banner(window)
    qtbot.waitUntil(lambda: any(name == "help_request" for name, _ in hall.calls_made), timeout=5_000)  # polled
    hall.acknowledge_help(request.help_id)  # a counter takes it
    qtbot.waitUntil(lambda: window.help.state is HelpState.COMING, timeout=10_000)
    assert "工作人员马上就到" in _banner(window)
    assert voice.texts()[-1] == "工作人员马上就到。"
    assert not window.help.timer.isActive()  # nothing more to wait for: polling stopped
    assert len(_requests(hall)) == 1


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_help_button_is_on_every_screen_and_names_the_step(qtbot, tmp_path, language: str) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home", language=language)
    result = take_number(qtbot, window, "A", Priority.DISABLED)
    assert window.top.help_button.isVisible()
    assert window.top.help_button.text() == ("请工作人员协助" if language == "zh" else "Ask staff for help")
    tap(qtbot, window.top.help_button)
    qtbot.waitUntil(lambda: window.help.state is HelpState.WAITING, timeout=10_000)
    assert _requests(hall)[-1][0] == "ticket_result" and result.isVisible()
    assert ("Staff have been told, please wait." if language == "en" else "已通知工作人员，请稍候。") in _banner(window)
    window.end_session("done")
    for show, name in ((window.nav.show_browser, "browser"), (window.nav.show_progress, "progress")):
        show()
        screen(window, name)
        assert window.top.help_button.isVisible()
        tap(qtbot, window.top.help_button)
        qtbot.waitUntil(lambda n=name: bool(_requests(hall)) and _requests(hall)[-1][0] == n, timeout=10_000)
        window.end_session("done")
    assert window.top.help_button.isVisible() and screen(window, "welcome")


def test_with_the_hub_down_or_no_hub_the_citizen_is_sent_to_the_service_desk(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home")
    voice = RecordingVoice()
    window.voice.voice = voice
    hall.reachable = False
    tap(qtbot, window.top.help_button)
    qtbot.waitUntil(lambda: window.help.state is HelpState.DESK, timeout=10_000)
    assert "请到服务台找工作人员" in _banner(window)
    assert voice.texts()[-1] == "请到服务台找工作人员。"
    assert hall.help == {}
    hall.reachable = True  # the hub is back: the next tap asks it
    tap(qtbot, window.top.help_button)
    qtbot.waitUntil(lambda: window.help.state is HelpState.WAITING, timeout=10_000)
    assert len(hall.help) == 1

    plain = make_window(qtbot, make_terminal(tmp_path / "other"), language="en")  # no hub configured here
    assert plain.terminal.hall is None
    tap(qtbot, plain.top.help_button)
    assert plain.help.state is HelpState.DESK
    assert "Please go to the service desk." in _banner(plain)


def test_a_screen_change_stops_polling_and_the_next_tap_shows_the_open_request(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home")
    _fast_polls(window)
    window.nav.show_browser()
    tap(qtbot, window.top.help_button)
    qtbot.waitUntil(lambda: window.help.timer.isActive(), timeout=10_000)
    window.nav.show_progress()  # the citizen moves on
    assert not window.help.timer.isActive() and not window.help_banner.isVisible()
    [request] = hall.help.values()
    hall.acknowledge_help(request.help_id)
    tap(qtbot, window.top.help_button)  # asked again on the next screen: the same request, news at once
    qtbot.waitUntil(lambda: window.help.state is HelpState.COMING, timeout=10_000)
    assert "工作人员马上就到" in _banner(window)
    assert len(_requests(hall)) == 1


def test_asking_for_help_on_the_number_screen_gives_the_session_its_full_time(qtbot, tmp_path,
                                                                            monkeypatch) -> None:
    import ui.kiosk.ticket_flow as flow

    monkeypatch.setattr(flow, "RESULT_SECONDS", 30)
    window, hall = hall_window(qtbot, tmp_path / "home")
    take_number(qtbot, window, "A")
    assert window.idle.timeout_ms == 30_000
    tap(qtbot, window.top.help_button)
    assert window.idle.timeout_ms == 600_000  # the configured time while they wait for staff


def test_the_end_of_the_session_and_the_idle_timeout_clear_the_request(qtbot, tmp_path) -> None:
    window, hall = hall_window(qtbot, tmp_path / "home", idle_timeout_seconds=3)
    _fast_polls(window)
    tap(qtbot, window.top.help_button)  # on the welcome screen: asking starts a session, so idle ends it
    qtbot.waitUntil(lambda: window.help.state is HelpState.WAITING, timeout=10_000)
    assert _requests(hall)[-1][0] == "welcome" and window.idle.active
    qtbot.waitUntil(lambda: window.help.state is HelpState.NONE, timeout=15_000)  # nobody touched the screen
    assert not window.help_banner.isVisible() and window.help.help_id is None and not window.help.timer.isActive()
    tap(qtbot, window.top.help_button)  # the next person's call is a new request
    qtbot.waitUntil(lambda: len(hall.help) == 2, timeout=10_000)
    window.end_session("done")
    assert window.help.state is HelpState.NONE and not window.help_banner.isVisible()
