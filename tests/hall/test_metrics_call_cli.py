"""`onewindow call`: the counter's queue verbs headless, with no hub (a real process) and against the
in-memory hub at the test's edge (the real hub's end-to-end runs live with the hub's tests)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import demo_hall
from kiosk.cli import main
from kiosk.queue.model import Priority, TicketState
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from tests.helpers.fake_hall import FakeHall


def test_without_a_hub_every_verb_says_so_in_both_languages(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo_hall.add_staff(Terminal.open(load_settings(home)))
    for verb in (["next"], ["finish", "0f0e7c1e-1111-4222-8333-444455556666"], ["figures", "--day", "2026-11-29"]):
        done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "call", *verb,
                               "--staff", "lead1", "--password-stdin"], input=demo_hall.PASSWORD + "\n",
                              capture_output=True, text=True, timeout=120, env=os.environ | {"ONEWINDOW_HALL_URL": ""})
        assert done.returncode == 2, done.stderr
        assert "叫号服务器" in done.stderr and "hall queue server" in done.stderr


@pytest.fixture
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Terminal, FakeHall]:
    terminal = Terminal.open(load_settings(tmp_path / "home"), parts=False)
    demo_hall.add_staff(terminal)
    hall = FakeHall(counter_no=3)
    terminal.hall = hall
    terminal.close = lambda timeout=5.0: None  # type: ignore[method-assign] # the test keeps using it
    monkeypatch.setattr("kiosk.cli.call_cmd.terminal_from_args", lambda args: terminal)
    return terminal, hall


def call(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
         staff: str = "clerk1") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(demo_hall.PASSWORD + "\n"))
    code = main(["call", *args, "--staff", staff, "--password-stdin"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_ticket_called_served_and_linked(counter, monkeypatch, capsys) -> None:
    terminal, hall = counter
    first = hall.issue("A", Priority.NORMAL).ticket
    assert call(monkeypatch, capsys, "open", "--categories", "a,b")[0] == 0
    assert hall.counter_open[3].categories == ("A", "B")
    code, out, _ = call(monkeypatch, capsys, "next", "--json")
    assert code == 0 and json.loads(out)["number"] == first.number and json.loads(out)["state"] == "called"
    assert call(monkeypatch, capsys, "start", first.number)[0] == 0  # by number: it is this counter's ticket
    code, out, _ = call(monkeypatch, capsys, "link", "--ref", "R-20261129-0001", "--json")  # the current one
    assert code == 0 and json.loads(out)["application_ref"] == "R-20261129-0001"
    code, out, _ = call(monkeypatch, capsys, "finish", first.ticket_id)
    assert code == 0 and hall.tickets[first.ticket_id].state == TicketState.DONE
    code, out, _ = call(monkeypatch, capsys, "next")
    assert code == 0 and "Nobody is waiting" in out


def test_bad_input_is_refused_and_changes_nothing(counter, monkeypatch, capsys) -> None:
    terminal, hall = counter
    ticket = hall.issue("B", Priority.ELDERLY).ticket
    call(monkeypatch, capsys, "open")
    call(monkeypatch, capsys, "next")
    before = dict(hall.tickets)
    for args, words in ((["transfer", "--to", "0"], "1 到 999"), (["transfer", "--to", "3"], "本窗口"),
                        (["link", "--ref", "has space"], "64"), (["recall", "Z999"], "Z999"),
                        (["open", "--categories", " , "], "至少")):
        code, _out, err = call(monkeypatch, capsys, *args)
        assert code == 2 and words in err, (args, err)
    assert hall.tickets == before and hall.tickets[ticket.ticket_id].state == TicketState.CALLED
    code, _out, err = call(monkeypatch, capsys, "figures", "--day", "29.11.2026", staff="lead1")
    assert code == 2 and "年-月-日" in err and "YYYY-MM-DD" in err
    code, _out, err = call(monkeypatch, capsys, "figures", "--day", hall.day)  # a clerk: not a supervisor's view
    assert code == 2 and "supervisor" in err


def test_hub_away_is_exit_4_with_nothing_changed(counter, monkeypatch, capsys) -> None:
    terminal, hall = counter
    hall.issue("A", Priority.NORMAL)
    hall.reachable = False
    code, _out, err = call(monkeypatch, capsys, "next")
    assert code == 4 and "cannot be reached" in err
    assert all(t.state == TicketState.WAITING for t in hall.tickets.values())


def test_figures_for_a_supervisor(counter, monkeypatch, capsys) -> None:
    terminal, hall = counter
    call(monkeypatch, capsys, "open")
    t = hall.issue("A", Priority.NORMAL).ticket
    call(monkeypatch, capsys, "next")
    call(monkeypatch, capsys, "no-show")
    code, out, _ = call(monkeypatch, capsys, "figures", "--day", hall.day, "--json", staff="lead1")
    data = json.loads(out)
    assert code == 0 and data["total"]["issued"] == 1 and data["total"]["no_shows"] == 1
    assert data["target_minutes"] == 30 and data["counters"][0]["counter_no"] == 3
    code, out, _ = call(monkeypatch, capsys, "figures", "--day", hall.day, staff="lead1")
    assert code == 0 and "no-shows 1" in out and t.number not in out  # figures, no ticket numbers
