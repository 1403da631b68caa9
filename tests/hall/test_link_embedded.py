"""The one-PC office: `ensure_local_hub` starts `onewindow hall serve` as a child process and pairs the
terminal with it; a second start finds it running and paired; stopping ends the child."""
from __future__ import annotations

from kiosk.queue.model import Priority, Role
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.queue import hall_status, queue_categories, take_ticket
from sync.hall.embedded import ensure_local_hub
from sync.hall.pairing import load_pairing
from tests.hall.hub_process import free_port


def test_local_hub_started_paired_and_stopped(home, monkeypatch):
    monkeypatch.setenv("ONEWINDOW_HALL_URL", f"http://127.0.0.1:{free_port()}")
    t = Terminal.open(load_settings(home))
    assert t.hall is not None and not hall_status(t).configured
    local = ensure_local_hub(t, background=False)
    try:
        assert local.process is not None and local.process.poll() is None
        assert load_pairing(t.settings).pairing.role == Role.KIOSK
        issued = take_ticket(t, queue_categories(t)[0].code, Priority.NORMAL)
        assert not issued.offline and issued.status_url.startswith(local.url)
        token = load_pairing(t.settings).pairing.token
        again = ensure_local_hub(t, background=False)  # already running and paired: nothing new
        assert again.process is None and load_pairing(t.settings).pairing.token == token
    finally:
        local.stop()
        t.close()
    assert local.process.poll() is not None
