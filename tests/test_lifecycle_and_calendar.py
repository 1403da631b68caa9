from datetime import date

import pytest
from sqlalchemy import select

from kiosk.audit import verify_chain
from kiosk.lifecycle import TERMINAL, IllegalTransition, Status, can_move, move
from kiosk.store.models import Application, AuditEntry
from kiosk.workdays import default_calendar


def _app(session, status="submitted"):
    app = Application(id="00000000-0000-4000-8000-000000000001", receipt_no=None, service_item_code="X",
                      catalog_version="v", status=status, channel="cli", hall_code="330106001", device_no=1, form={})
    session.add(app)
    session.flush()
    return app


def test_legal_path_is_audited(terminal):
    with terminal.store.transaction() as s:
        app = _app(s)
        for target in (Status.RECEIVED, Status.NEEDS_SUPPLEMENT, Status.RECEIVED, Status.ACCEPTED, Status.APPROVED):
            move(s, app, target, actor="clerk:1", note="ok")
    with terminal.store.transaction() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert [e.details["to"] for e in entries] == ["received", "needs_supplement", "received", "accepted", "approved"]
        assert all(e.actor == "clerk:1" for e in entries)
        assert verify_chain(s) == []


@pytest.mark.parametrize("current,target", [
    ("approved", "rejected"), ("withdrawn", "submitted"), ("draft", "approved"), ("rejected", "accepted"),
    ("submitted", "draft"), ("accepted", "withdrawn"),
])
def test_illegal_transitions_raise_and_change_nothing(terminal, current, target):
    with terminal.store.transaction() as s:
        app = _app(s, current)
        with pytest.raises(IllegalTransition) as err:
            move(s, app, target, actor="clerk:1")
        assert app.status == current
        assert err.value.message.zh and err.value.message.en
    assert not can_move(current, target)


def test_terminal_states_have_no_exit():
    assert TERMINAL == {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}


def test_audit_chain_detects_edit_and_deletion(terminal):
    with terminal.store.transaction() as s:
        app = _app(s)
        move(s, app, "received", actor="a")
        move(s, app, "accepted", actor="a")
        move(s, app, "approved", actor="a")
    with terminal.store.transaction() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
        entry.actor = "someone-else"
    with terminal.store.transaction() as s:
        breaks = verify_chain(s)
        assert breaks and breaks[0].entry_id == entry.id
    with terminal.store.transaction() as s:
        s.get(AuditEntry, entry.id).actor = "a"
    with terminal.store.transaction() as s:
        assert verify_chain(s) == []
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        s.delete(last)
    with terminal.store.transaction() as s:
        assert any("newest rows" in b.problem for b in verify_chain(s))


def test_working_days_skip_weekends_and_2026_holidays():
    cal = default_calendar()
    # National Day 2026: Oct 1-7 off, Sat Oct 10 worked.
    assert not cal.is_working_day(date(2026, 10, 5))
    assert cal.is_working_day(date(2026, 10, 10))
    assert cal.is_working_day(date(2026, 9, 20))        # Sunday worked
    assert not cal.is_working_day(date(2026, 9, 19))    # ordinary Saturday
    # Submitted Wed 30 Sep 2026, 5 working days: Oct 8, 9, 10 (Sat, worked), 12, 13.
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    # Spring Festival: Feb 14 (Sat) worked, Feb 15-23 off.
    assert cal.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert cal.add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert cal.working_days_between(date(2026, 10, 13), date(2026, 9, 30)) == -5


def test_calendar_knows_2026_and_2027():
    cal = default_calendar()
    assert cal.years[2026] == "official"
    assert 2027 in cal.years
    assert not cal.is_working_day(date(2027, 2, 8))  # Spring Festival 2027
    assert not cal.is_working_day(date(2027, 10, 1))
