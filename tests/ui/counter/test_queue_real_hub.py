"""The hall's windows against a real hub process: a kiosk window takes a number by taps, a counter window
calls it, the kiosk's help request reaches the counter and its acknowledgement comes back to the kiosk.

The window tests elsewhere put `FakeHall` at their edge; here nothing stands in between the windows and
`onewindow hall serve`: the kiosk and the counter are Terminals paired with the hub through the real link.
"""
from __future__ import annotations

from typing import Any

from kiosk.queue.model import Priority, TicketState
from kiosk.usecases.queue import pair_with_hub
from tests.hall.hub_process import HubProcess, hub  # noqa: F401 - the real hub fixture
from tests.ui.counter.conftest import click, log_in, waiting_card
from tests.ui.kiosk_helpers import make_terminal, screen, tap
from tests.ui.kiosk_helpers import make_window as make_kiosk_window
from tests.ui.kiosk_ticket_helpers import take_number
from ui.kiosk.help import HelpState


def test_a_number_taken_at_the_kiosk_window_is_called_at_the_counter_window_and_help_goes_both_ways(
        qtbot: Any, tmp_path: Any, hub: HubProcess, hall: Any, make_window: Any) -> None:  # noqa: F811
    kiosk_t = make_terminal(tmp_path / "kiosk", printer="")
    pair_with_hub(kiosk_t, hub.pair_code("kiosk", name="kiosk-1", cli=False), hub.base_url)
    pair_with_hub(hall.terminal, hub.pair_code("counter", counter_no=4, name="counter-4", cli=False), hub.base_url)
    kiosk = make_kiosk_window(qtbot, kiosk_t)

    lines = [c.code for c in kiosk_t.hall.categories()]
    result = take_number(qtbot, kiosk, lines[0], Priority.ELDERLY)
    number = result.number.text()
    assert number == f"{lines[0]}001" and not result.issued.offline
    assert result.issued.status_url.startswith(hub.base_url + "/t/")

    counter = make_window()
    log_in(qtbot, counter, "clerk1")
    click(qtbot, counter.nav_buttons["queue"])
    queue = counter.screens["queue"]  # built in a turn after login, or now: its lines arrive from a job
    qtbot.waitUntil(lambda: "1" in waiting_card(queue, lines[0]), timeout=15_000)
    click(qtbot, queue.open_button)
    click(qtbot, queue.next_button)
    qtbot.waitUntil(lambda: queue.current is not None, timeout=15_000)
    assert queue.current.number == number and queue.card.number.text() == number
    click(qtbot, queue.start_button)
    qtbot.waitUntil(lambda: queue.current is not None and queue.current.state == TicketState.SERVING,
                    timeout=15_000)

    # the citizen at the kiosk asks for help; the counter sees which kiosk and which step, and goes
    tap(qtbot, result.next_button)
    screen(kiosk, "welcome")
    kiosk.help.timer.setInterval(200)
    tap(qtbot, kiosk.top.help_button)
    qtbot.waitUntil(lambda: kiosk.help.state is HelpState.WAITING, timeout=15_000)
    qtbot.waitUntil(lambda: len(queue.help_rows) == 1, timeout=15_000)  # through the hub's events
    row = next(iter(queue.help_rows.values()))
    assert "kiosk-1" in row.words.text()
    click(qtbot, row.button)
    qtbot.waitUntil(lambda: kiosk.help.state is HelpState.COMING, timeout=15_000)
    assert "工作人员马上就到" in kiosk.help_banner.label.text()

    click(qtbot, queue.finish_button)
    qtbot.waitUntil(lambda: queue.current is None, timeout=15_000)
    [ticket] = [t for t in hall.terminal.hall.tickets(result.issued.ticket.service_day) if t.number == number]
    assert ticket.state == TicketState.DONE and ticket.first_called_at and ticket.started_at and ticket.finished_at

