"""The board voice's rules on their own (kiosk.queue.announcements, no Qt): none cut off, in order, at most twice."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk.queue.announcements import AnnouncementQueue, Utterance
from kiosk.queue.model import Call

AT = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)


def call(seq: int, number: str = "", counter: int = 3, ticket: str | None = None, recall: bool = False) -> Call:
    number = number or f"A{seq:03d}"
    return Call(seq, ticket or f"t-{number}", number, number[0], counter, AT, recall=recall)


class Speaker:
    """Plays the queue the way the board does: speaks what it is given, tells it when it has finished."""

    def __init__(self, queue: AnnouncementQueue) -> None:
        self.queue = queue
        self.now = 0.0
        self.said: list[Utterance] = []
        self.busy: Utterance | None = None
        self.cut_off = 0

    def start(self, utterance: Utterance | None) -> None:
        if utterance is None:
            return
        if self.busy is not None:
            self.cut_off += 1
        self.busy = utterance
        self.said.append(utterance)

    def hear(self, c: Call) -> None:
        self.start(self.queue.add(c, self.now))

    def finish(self, seconds: float = 3.0) -> None:
        assert self.busy is not None
        self.now += seconds
        self.busy = None
        self.start(self.queue.finished(self.now))

    def run_out(self) -> None:
        while self.busy is not None:
            self.finish()

    def texts(self) -> list[str]:
        return [u.text for u in self.said]


def test_a_call_in_a_quiet_hall_is_spoken_twice_and_in_mandarin():
    speaker = Speaker(AnnouncementQueue())
    speaker.hear(call(1, "A015", 3))
    assert speaker.busy is not None and speaker.busy.text == "请 A015 号到 3 号窗口" and speaker.busy.lang == "zh"
    speaker.run_out()
    assert speaker.texts() == ["请 A015 号到 3 号窗口"] * 2
    assert [u.time for u in speaker.said] == [1, 2]
    assert speaker.queue.speaking is None and speaker.queue.waiting == ()


def test_a_new_call_waits_until_the_current_one_has_finished():
    queue = AnnouncementQueue()
    speaker = Speaker(queue)
    speaker.hear(call(1))
    speaker.hear(call(2))
    speaker.hear(call(3))
    assert speaker.texts() == [call(1).spoken_zh()]  # nothing started while the first is being said
    assert queue.waiting == (call(2), call(3))
    speaker.run_out()
    assert speaker.cut_off == 0


def test_calls_that_pile_up_are_spoken_once_each_in_order_and_the_last_twice():
    speaker = Speaker(AnnouncementQueue())
    for seq in range(1, 6):
        speaker.hear(call(seq))
    speaker.run_out()
    numbers = [u.call.seq for u in speaker.said]
    assert numbers == [1, 2, 3, 4, 5, 5]  # each once while others wait; the last again, the hall being quiet
    assert speaker.cut_off == 0


def test_a_call_arriving_during_the_first_speaking_takes_the_place_of_the_repetition():
    speaker = Speaker(AnnouncementQueue())
    speaker.hear(call(1))
    speaker.hear(call(2))  # arrives while 1 is said for the first time
    speaker.finish()
    assert speaker.busy is not None and speaker.busy.call.seq == 2
    speaker.run_out()
    assert [u.call.seq for u in speaker.said] == [1, 2, 2]


def test_a_call_arriving_during_the_repetition_waits_for_it():
    speaker = Speaker(AnnouncementQueue())
    speaker.hear(call(1))
    speaker.finish()
    assert speaker.busy is not None and speaker.busy.time == 2
    speaker.hear(call(2))
    assert speaker.busy.call.seq == 1  # the repetition goes on
    speaker.run_out()
    assert [(u.call.seq, u.time) for u in speaker.said] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert speaker.cut_off == 0


def test_never_more_than_twice_and_a_recall_is_a_new_call():
    speaker = Speaker(AnnouncementQueue())
    speaker.hear(call(1, "B007", 5, ticket="x"))
    speaker.run_out()
    speaker.hear(call(2, "B007", 5, ticket="x", recall=True))  # the clerk recalls: spoken again
    speaker.run_out()
    assert [(u.call.seq, u.time) for u in speaker.said] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    counts: dict[int, int] = {}
    for u in speaker.said:
        counts[u.call.seq] = counts.get(u.call.seq, 0) + 1
    assert max(counts.values()) == 2


def test_the_same_event_received_twice_is_spoken_as_one_call():
    queue = AnnouncementQueue()
    speaker = Speaker(queue)
    speaker.hear(call(1))
    speaker.hear(call(1))  # a reconnect replayed it
    speaker.run_out()
    assert [u.call.seq for u in speaker.said] == [1, 1] and queue.log.duplicates == 1


def test_a_recall_while_the_first_call_still_waits_replaces_it():
    queue = AnnouncementQueue()
    speaker = Speaker(queue)
    speaker.hear(call(1))
    speaker.hear(call(2, "A020", 4, ticket="y"))
    speaker.hear(call(3, "A021", 6))
    speaker.hear(call(4, "A020", 4, ticket="y", recall=True))
    assert [c.seq for c in queue.waiting] == [3, 4]  # the ticket is called once, as the recall, in its place
    speaker.run_out()
    assert [u.call.seq for u in speaker.said] == [1, 3, 4, 4] and queue.log.merged == 1


def test_a_late_event_is_spoken_in_the_hubs_order():
    queue = AnnouncementQueue()
    speaker = Speaker(queue)
    speaker.hear(call(1))
    speaker.hear(call(3))
    speaker.hear(call(2))  # came by the slower path
    speaker.run_out()
    assert [u.call.seq for u in speaker.said] == [1, 2, 3, 3]


def test_calls_too_old_when_their_turn_comes_are_dropped_and_counted():
    queue = AnnouncementQueue(max_age_s=10)
    speaker = Speaker(queue)
    for seq in range(1, 6):
        speaker.hear(call(seq))
    speaker.finish(4)  # 1 said (t=4)
    speaker.finish(4)  # 2 said (t=8)
    speaker.finish(4)  # 3 said (t=12): 4 and 5 arrived at t=0 and are too old now
    assert [c.seq for c in queue.log.dropped_stale] == [4, 5]
    assert speaker.busy is not None and (speaker.busy.call.seq, speaker.busy.time) == (3, 2)  # nothing fresh waits
    speaker.finish()
    assert speaker.busy is None and [u.call.seq for u in speaker.said] == [1, 2, 3, 3]
    speaker.hear(call(6))  # a fresh one is spoken as usual
    speaker.run_out()
    assert [u.call.seq for u in speaker.said][-2:] == [6, 6]


def test_finished_with_nothing_being_said_changes_nothing():
    queue = AnnouncementQueue()
    assert queue.finished(1.0) is None and queue.log.finished == []


def test_max_times_of_one_and_bad_settings():
    speaker = Speaker(AnnouncementQueue(max_times=1))
    speaker.hear(call(1))
    speaker.run_out()
    assert [u.call.seq for u in speaker.said] == [1]
    with pytest.raises(ValueError):
        AnnouncementQueue(max_times=0)
