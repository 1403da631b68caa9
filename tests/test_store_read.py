"""The store's read-only transactions: what screens poll never waits for the writer, and cannot write."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from kiosk import outbox, print_jobs
from kiosk.drafts import save_draft
from kiosk.outbox import OutboxKind, OutboxState
from kiosk.store.models import Application, OutboxItem, PrintJob
from kiosk.terminal import Terminal
from kiosk.usecases import drafts as draft_cases
from kiosk.usecases.link import link_view
from tests.test_draft_saves import snapshot


def test_a_read_proceeds_while_another_connection_holds_the_write_lock(terminal: Terminal) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    writer = sqlite3.connect(terminal.settings.db_path, isolation_level=None, timeout=0.1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE applications SET catalog_version = 'w' WHERE id = ?", (snap.draft_id,))
        other = sqlite3.connect(terminal.settings.db_path, isolation_level=None, timeout=0.1)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):  # the lock is held: a writer would wait
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        with terminal.store.read() as s:  # the store's own writers wait up to 30 s here; a read does not
            assert s.scalar(select(Application.catalog_version).where(Application.id == snap.draft_id)) == "v"
            assert draft_cases.kiosk_actor(terminal) == "kiosk:1"
        assert link_view(terminal).pending_items == 0
        writer.execute("ROLLBACK")
    finally:
        writer.close()


def test_a_write_inside_a_read_fails_and_the_next_transaction_may_write(terminal: Terminal) -> None:
    snap = snapshot()
    save_draft(terminal.store, terminal.attachments, snap)
    with pytest.raises(OperationalError, match="readonly"):
        with terminal.store.read() as s:
            s.execute(text("UPDATE applications SET catalog_version = 'x'"))
    with terminal.store.transaction() as s:
        s.execute(text("UPDATE applications SET catalog_version = 'y'"))
    with terminal.store.read() as s:
        assert s.scalar(select(Application.catalog_version)) == "y"


def test_the_link_indicator_counts_refused_items_while_the_writer_holds_the_lock(terminal: Terminal) -> None:
    with terminal.store.transaction() as s:
        for n, state in enumerate([OutboxState.PENDING, OutboxState.REJECTED, OutboxState.CONFLICT,
                                   OutboxState.SENT, OutboxState.REJECTED]):
            s.add(OutboxItem(kind=OutboxKind.APPLICATION.value, ref_id=f"app-{n}", payload={}, state=state.value))
        for state in ["pending", "printing", "printed", "unconfirmed", "failed", "failed", "pending", "pending"]:
            s.add(PrintJob(kind="ticket", state=state, payload={}))
    writer = sqlite3.connect(terminal.settings.db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM outbox")  # not committed: the indicator sees the last committed state
        view = link_view(terminal)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    with terminal.store.read() as s:
        assert view.refused_items == len(outbox.refused(s)) == 3
        assert view.pending_items == outbox.owed_count(s) == 1
        assert view.pending_prints == print_jobs.owed_count(s) == 4
        assert view.prints_need_staff == print_jobs.needs_staff_count(s) == 3
