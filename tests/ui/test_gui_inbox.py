"""The one way another thread's values reach the GUI thread (the hub's events for the board and the counter):
in order, on the GUI thread, and nothing at all once closed."""
from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from ui.gui_inbox import GuiInbox


class Window(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[int, int]] = []
        self.threads: set[int] = set()

    def take(self, value: tuple[int, int]) -> None:
        self.got.append(value)
        self.threads.add(threading.get_ident())


def test_values_from_several_threads_arrive_in_order_on_the_gui_thread(qtbot) -> None:  # noqa: ANN001
    window = Window()
    inbox = GuiInbox(window.take)

    def produce(source: int) -> None:
        for i in range(200):
            inbox.post((source, i))

    producers = [threading.Thread(target=produce, args=(n,)) for n in range(4)]
    for producer in producers:
        producer.start()
    for producer in producers:
        producer.join()
    qtbot.waitUntil(lambda: len(window.got) == 800)
    assert window.threads == {threading.get_ident()}
    for source in range(4):
        assert [i for s, i in window.got if s == source] == list(range(200))  # each thread's values in order


def test_a_closed_inbox_delivers_nothing_and_keeps_nothing_of_the_window(qtbot) -> None:  # noqa: ANN001
    window = Window()
    inbox = GuiInbox(window.take)
    inbox.post((0, 1))
    inbox.close()  # before the GUI thread had its turn: the value waiting is not delivered either
    thread = threading.Thread(target=lambda: inbox.post((0, 2)))
    thread.start()
    thread.join()
    qtbot.wait(50)
    assert window.got == [] and not inbox.open

    gone = weakref.ref(window)
    del window
    gc.collect()
    assert gone() is None  # the other thread may hold the inbox for ever: it holds nothing of the window's


def test_a_gui_inbox_is_made_on_the_gui_thread(qtbot) -> None:  # noqa: ANN001
    errors: list[BaseException] = []

    def make() -> None:
        try:
            GuiInbox(print)
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=make)
    thread.start()
    thread.join()
    assert len(errors) == 1 and "GUI thread" in str(errors[0])
