"""The terminal is told when the operating system reports the link back."""
from PySide6.QtNetwork import QNetworkInformation

from ui.connectivity import reachability_handler, watch_connectivity

R = QNetworkInformation.Reachability


class RecordingWorker:
    def __init__(self) -> None:
        self.calls: list[bool] = []

    def connectivity_changed(self, online: bool) -> None:
        self.calls.append(online)


def test_only_a_return_to_online_pokes_the_worker():
    worker = RecordingWorker()
    handle = reachability_handler(worker.connectivity_changed)
    handle(R.Disconnected)
    handle(R.Online)        # back: poke
    handle(R.Online)        # still online: nothing new
    handle(R.Local)
    handle(R.Site)          # back on the site network: poke
    assert worker.calls == [True, True]


def test_nothing_to_notify_nothing_to_watch(qtbot):
    assert watch_connectivity(None) is False


class Terminalish:
    """Stands for what a window's notify holds: its terminal, with the store and the devices behind it."""


def test_the_watch_ends_with_its_window(qtbot):
    """The reachability signal belongs to one process-wide object: a window's watch must not outlive the window
    (it held the window's terminal, some 60 MB with a test's scanner, for the rest of the process)."""
    import gc
    import weakref

    import shiboken6
    from PySide6.QtCore import QObject

    window = QObject()
    held = Terminalish()
    gone = weakref.ref(held)
    calls: list[bool] = []
    assert watch_connectivity(lambda online, terminal=held: calls.append(online), window) is True
    del held
    info = QNetworkInformation.instance()
    info.reachabilityChanged.emit(R.Disconnected)
    info.reachabilityChanged.emit(R.Online)
    assert calls == [True]
    shiboken6.delete(window)  # as Qt deletes a closed window
    gc.collect()
    assert gone() is None
    info.reachabilityChanged.emit(R.Disconnected)
    info.reachabilityChanged.emit(R.Online)
    assert calls == [True]


def test_no_window_no_watch(qtbot):
    assert watch_connectivity(lambda online: None) is False
