"""The board's voice: calls spoken one at a time, in order, at most twice; silent but working without a voice.

A recording speaker stands at the test's edge (it says when it has "finished", as the engine's
`spoken_done` does); the read-aloud process's new `announce`/`spoken_done` are tested against a
scripted child and against the real speech service on Qt's mock engine.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from kiosk.errors import Message
from tests.helpers.fake_hall import FakeHall
from tests.ui.test_board import LinkedHall, call_at, issue, open_board
from ui.board import texts
from ui.speech import ReadAloud


class RecordingSpeaker(QObject):
    """Speaks nothing; records what it is given and whether anything was handed over mid-speech."""

    changed = Signal()
    spoken_done = Signal(int)

    def __init__(self, voice: bool = True) -> None:
        super().__init__()
        self.voice = voice
        self.state = "ready" if voice else "silent"
        self.said: list[str] = []
        self.busy: int | None = None
        self.cut_off = 0
        self._ids = 0

    def has_voice(self, lang: str) -> bool:
        return self.voice and lang == "zh"

    def announce(self, text: str, lang: str) -> int | None:
        if not self.has_voice(lang):
            return None
        if self.busy is not None:
            self.cut_off += 1
        self._ids += 1
        self.busy = self._ids
        self.said.append(text)
        return self._ids

    def finish(self) -> None:
        done, self.busy = self.busy, None
        assert done is not None
        self.spoken_done.emit(done)

    def lose_voice(self) -> None:
        self.voice, self.state = False, "failed"
        self.changed.emit()


def speak_out(qtbot, speaker: RecordingSpeaker, window) -> None:  # noqa: ANN001 - pytest-qt's fixture, the board
    """Finish each utterance as it comes until the board has nothing more to say."""
    while True:
        qtbot.waitUntil(lambda: speaker.busy is not None or (window.voice.queue.speaking is None
                                                             and not window.voice.queue.waiting), timeout=5_000)
        if speaker.busy is None:
            return
        speaker.finish()


def board_with(qtbot, speaker: RecordingSpeaker, hall: FakeHall | None = None):  # noqa: ANN001, ANN201
    hall = hall or LinkedHall()
    window = open_board(qtbot, hall, speaker=speaker)
    window.voice._pause.setInterval(5)
    qtbot.waitUntil(lambda: window.link.view is not None, timeout=5_000)
    return window, hall


def test_calls_are_spoken_in_order_none_cut_off_the_last_one_twice(qtbot):
    speaker = RecordingSpeaker()
    window, hall = board_with(qtbot, speaker)
    issue(hall, "A", "A", "B")
    numbers = [call_at(hall, counter) for counter in (3, 5, 8)]  # three calls in quick succession
    qtbot.waitUntil(lambda: window.headline().startswith(numbers[-1]), timeout=5_000)
    speak_out(qtbot, speaker, window)
    assert speaker.said == ["请 A001 号到 3 号窗口", "请 A002 号到 5 号窗口", "请 B001 号到 8 号窗口",
                            "请 B001 号到 8 号窗口"]
    assert speaker.cut_off == 0


def test_a_call_in_a_quiet_hall_is_spoken_twice_and_a_recall_is_spoken_again(qtbot):
    speaker = RecordingSpeaker()
    window, hall = board_with(qtbot, speaker)
    issue(hall, "C")
    call_at(hall, 4)
    qtbot.waitUntil(lambda: speaker.busy is not None, timeout=5_000)
    speak_out(qtbot, speaker, window)
    assert speaker.said == ["请 C001 号到 4 号窗口"] * 2
    ticket = next(iter(hall.tickets.values()))
    hall.recall(ticket.ticket_id)
    qtbot.waitUntil(lambda: speaker.busy is not None, timeout=5_000)
    speak_out(qtbot, speaker, window)
    assert speaker.said == ["请 C001 号到 4 号窗口"] * 4 and speaker.cut_off == 0
    assert all(speaker.said.count(text) <= 4 for text in speaker.said)
    seqs = [u.call.seq for u in window.voice.queue.log.started]
    assert max(seqs.count(s) for s in seqs) == 2  # each call at most twice


def test_calls_that_arrive_while_one_is_spoken_wait_for_its_end(qtbot):
    speaker = RecordingSpeaker()
    window, hall = board_with(qtbot, speaker)
    issue(hall, "A", "A", "A")
    call_at(hall, 1)
    qtbot.waitUntil(lambda: speaker.busy is not None, timeout=5_000)
    call_at(hall, 2)
    call_at(hall, 3)
    qtbot.waitUntil(lambda: window.headline().startswith("A003"), timeout=5_000)
    assert speaker.said == ["请 A001 号到 1 号窗口"]  # the others wait: nothing cut off
    speak_out(qtbot, speaker, window)
    assert speaker.said == ["请 A001 号到 1 号窗口", "请 A002 号到 2 号窗口", "请 A003 号到 3 号窗口",
                            "请 A003 号到 3 号窗口"]
    assert speaker.cut_off == 0


def test_an_engine_that_never_says_it_finished_still_gets_the_next_call(qtbot):
    speaker = RecordingSpeaker()
    window, hall = board_with(qtbot, speaker)
    window.voice._estimate = lambda text: 30
    issue(hall, "B", "B")
    call_at(hall, 6)
    call_at(hall, 7)
    qtbot.waitUntil(lambda: len(speaker.said) >= 3, timeout=5_000)
    assert speaker.said[:3] == ["请 B001 号到 6 号窗口", "请 B002 号到 7 号窗口", "请 B002 号到 7 号窗口"]
    assert window.voice.unconfirmed >= 2


def test_no_voice_the_board_runs_silently_and_says_the_calls_go_on(qtbot):
    speaker = RecordingSpeaker(voice=False)
    window, hall = board_with(qtbot, speaker)
    assert window.voice_note.isVisible() and window.voice_note.message == texts.voice_off()
    assert not window.voice_note.warning  # a note, not an alarm: the queue itself is fine
    issue(hall, "A")
    call_at(hall, 9)
    qtbot.waitUntil(lambda: window.headline() == "A001 → 9 号窗口", timeout=5_000)
    assert speaker.said == [] and not window.notice.isVisible()


def test_a_voice_lost_mid_call_leaves_the_board_silent_and_working(qtbot):
    speaker = RecordingSpeaker()
    window, hall = board_with(qtbot, speaker)
    issue(hall, "A", "A")
    call_at(hall, 1)
    call_at(hall, 2)
    qtbot.waitUntil(lambda: speaker.busy is not None, timeout=5_000)
    speaker.lose_voice()
    assert window.voice.queue.speaking is None and window.voice.queue.waiting == ()
    assert window.voice_note.isVisible()
    issue(hall, "A")
    call_at(hall, 3)
    qtbot.waitUntil(lambda: window.headline() == "A003 → 3 号窗口", timeout=5_000)
    assert speaker.said == ["请 A001 号到 1 号窗口"]


# --- the read-aloud process: announce (queued, never cutting off) and spoken_done ----------------------------

def test_read_aloud_reports_each_announcement_spoken_in_order(qtbot):
    script = ("import json, sys\n"
              "print(json.dumps({'engine': 'scripted', 'languages': ['zh'], 'error': ''}), flush=True)\n"
              "for line in sys.stdin:\n"
              "    request = json.loads(line)\n"
              "    print(json.dumps({'ack': request['id']}), flush=True)\n"
              "    if request.get('queue'):\n"
              "        print(json.dumps({'done': request['id']}), flush=True)\n")
    reader = ReadAloud(command=[sys.executable, "-c", script], retry_ms=0)
    qtbot.waitUntil(lambda: reader.state == "ready", timeout=10_000)
    done: list[int] = []
    reader.spoken_done.connect(done.append)
    first, second = reader.announce("请 A015 号到 3 号窗口", "zh"), reader.announce("请 A016 号到 4 号窗口", "zh")
    assert first is not None and second is not None and first < second
    assert reader.announce("hello", "en") is None and reader.announce("  ", "zh") is None
    qtbot.waitUntil(lambda: done == [first, second], timeout=5_000)
    assert reader.say("请选择服务事项", "zh") is True  # the kiosk's say is unchanged
    reader.close()


def test_the_speech_service_speaks_a_burst_in_order_and_says_when_each_is_done(qtbot, monkeypatch):
    """The real `ui.speech_service` on Qt's mock engine (English, silent, with speaking times)."""
    monkeypatch.setenv("ONEWINDOW_SPEECH_ENGINE", "mock")
    reader = ReadAloud(retry_ms=0)
    qtbot.waitUntil(lambda: reader.state != "starting", timeout=20_000)
    assert reader.state == "ready" and reader.engine == "mock", reader.problem
    done: list[int] = []
    reader.spoken_done.connect(done.append)
    ids = [reader.announce(f"Ticket A0{n}, please go to counter {n}", "en") for n in (15, 16, 17)]
    assert None not in ids  # three requests written at once: every one is read and answered
    qtbot.waitUntil(lambda: len(done) == 3, timeout=20_000)
    assert done == ids and reader.state == "ready" and not reader._unanswered
    reader.close()


def test_voice_note_text_is_bilingual():
    note = texts.voice_off()
    assert isinstance(note, Message) and note.en.startswith("Voice calls") and "语音" in note.zh
