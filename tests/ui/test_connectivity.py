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
