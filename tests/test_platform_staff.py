"""Staff accounts are the platform's: `onewindow platform staff ...`, and a counter that logs staff in offline
against the list it last synced.

A real platform over HTTP (the sync tests' server), the real CLI, the real
sync engine; the counter's login is the use case the counter window calls.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.cli import main
from kiosk.errors import UserFacingError
from kiosk.staff import add_staff
from kiosk.store.models import Staff
from kiosk.usecases.staff import log_in
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.servers import PlatformServer

HALL = "330106001"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path / "platform")
    yield server
    server.stop()


def platform_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path, *argv: str,
                 password: str | None = None) -> tuple[int, str, str]:
    if password is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    rc = main(["platform", "staff", *argv[:1], "--home", str(home), *argv[1:]])
    out, err = capsys.readouterr()
    return rc, out, err


def listed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path) -> list[dict]:
    rc, out, err = platform_cli(capsys, monkeypatch, home, "list", "--hall", HALL, "--json")
    assert rc == 0, err
    return json.loads(out)


def test_platform_staff_add_list_disable_and_bad_input_changes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    home = tmp_path / "platform"
    rc, out, err = platform_cli(capsys, monkeypatch, home, "add", "--hall", HALL, "Clerk1", "--role", "clerk",
                                "--display-name", "王小明", "--password-stdin", password="password-1")
    assert rc == 0, err
    assert json.loads(out) == {"hall_code": HALL, "username": "clerk1", "display_name": "王小明", "role": "clerk",
                               "active": True}
    assert "password-1" not in out and "argon2" not in out
    before = listed(capsys, monkeypatch, home)
    assert before == [{"hall_code": HALL, "username": "clerk1", "display_name": "王小明", "role": "clerk",
                       "active": True}]
    bad = [
        (("add", "--hall", HALL, "clerk1", "--role", "clerk", "--password-stdin"), "password-1", "already has"),
        (("add", "--hall", HALL, "9bad name", "--role", "clerk", "--password-stdin"), "password-1", "user name"),
        (("add", "--hall", HALL, "clerk2", "--role", "clerk", "--password-stdin"), "short", "at least 8"),
        (("add", "--hall", "12", "clerk2", "--role", "clerk", "--password-stdin"), "password-1", "hall code"),
        (("add", "--hall", HALL, "clerk2", "--role", "clerk"), None, "--password-stdin"),  # stdin is no terminal
        (("disable", "--hall", HALL, "nobody"), None, "no user 'nobody'"),
        (("disable", "--hall", "330106002", "clerk1"), None, "no user 'clerk1'"),  # another hall's name space
    ]
    for argv, password, english in bad:
        if password is None:
            monkeypatch.setattr("sys.stdin", io.StringIO(""))
        rc, out, err = platform_cli(capsys, monkeypatch, home, *argv, password=password)
        assert rc == 2 and english in err, (argv, rc, err)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err), err  # and in Chinese
    assert listed(capsys, monkeypatch, home) == before

    rc, out, err = platform_cli(capsys, monkeypatch, home, "disable", "--hall", HALL, "clerk1")
    assert rc == 0 and "disabled" in out, err
    assert [r["active"] for r in listed(capsys, monkeypatch, home)] == [False]


def test_staff_reach_a_counter_by_sync_and_it_logs_them_in_offline(tmp_path: Path, platform, capsys,
                                                                   monkeypatch) -> None:
    counter = make_terminal(tmp_path / "counter")
    with counter.store.transaction() as s:  # set up before the counter ever synced: a local account
        add_staff(s, "local1", "password-1", "clerk", actor="test")
    assert log_in(counter, "local1", "password-1").username == "local1"
    for username, role in (("clerk1", "clerk"), ("lead1", "supervisor")):
        rc, _, err = platform_cli(capsys, monkeypatch, platform.home, "add", "--hall", HALL, username, "--role", role,
                                  "--password-stdin", password="password-1")
        assert rc == 0, err
    engine = engine_for(counter, enroll(counter, platform, name="counter", role="counter"))
    report = engine.run_pass()
    assert report.online and report.staff_updated == 2, report
    with counter.store.transaction() as s:
        rows = {m.username: (m.role, m.source, m.disabled) for m in s.scalars(select(Staff))}
    assert rows == {"local1": ("clerk", "local", False), "clerk1": ("clerk", "platform", False),
                    "lead1": ("supervisor", "platform", False)}
    assert log_in(counter, "clerk1", "password-1").role == "clerk"
    # the hall's accounts are the platform's now: a local-only account no longer logs in, none is made here
    with pytest.raises(UserFacingError) as refused:
        log_in(counter, "local1", "password-1")
    assert refused.value.code == "local_account" and "platform" in refused.value.message.en
    with pytest.raises(UserFacingError) as refused, counter.store.transaction() as s:
        add_staff(s, "local2", "password-1", "clerk", actor="test")
    assert refused.value.code == "platform_staff"

    # the platform disables one account and resets another's password: the counter follows on its next sync
    assert platform_cli(capsys, monkeypatch, platform.home, "disable", "--hall", HALL, "lead1")[0] == 0
    rc, _, err = platform_cli(capsys, monkeypatch, platform.home, "reset-password", "--hall", HALL, "clerk1",
                              "--password-stdin", password="password-2")
    assert rc == 0, err
    assert engine.run_pass().staff_updated == 2
    with pytest.raises(UserFacingError) as refused:
        log_in(counter, "lead1", "password-1")
    assert refused.value.code == "disabled"
    with pytest.raises(UserFacingError) as refused:
        log_in(counter, "clerk1", "password-1")
    assert refused.value.code == "login_failed"

    # the link is gone: the counter checks passwords against what it last synced
    platform.stop()
    offline = engine.run_pass()
    assert not offline.online
    assert log_in(counter, "clerk1", "password-2").username == "clerk1"
    with pytest.raises(UserFacingError):
        log_in(counter, "clerk1", "wrong-password")
