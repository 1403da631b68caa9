"""A kiosk process issuing offline tickets, for the power-cut test: prints each number once it is stored.

`python -m tests.hall.offline_child HOME COUNT STOP_AT WHERE`: issue COUNT tickets of line A (kiosk slot 1);
at ticket STOP_AT it stops and waits to be killed, WHERE being "in_commit" (inside the transaction, just
before SQLite commits: the moment a power cut would hurt most) or "before_print" (stored, not yet printed).
"""
from __future__ import annotations

import sys
import time
import uuid

from sqlalchemy import event

from kiosk.queue import offline
from kiosk.queue.model import Priority
from kiosk.settings import load_settings
from kiosk.store import open_store


def main() -> None:
    home, count, stop_at, where = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    store = open_store(load_settings(home))
    issued = {"n": 0}

    @event.listens_for(store.engine, "commit")
    def _commit(conn) -> None:  # noqa: ANN001 - fires before SQLite's COMMIT runs
        if where == "in_commit" and issued["n"] + 1 == stop_at:  # the only transactions now are issues
            print("STOPPED", flush=True)
            time.sleep(600)

    for _ in range(count):
        made = offline.issue_offline(store, ticket_id=str(uuid.uuid4()), category="A", priority=Priority.NORMAL,
                                     kiosk_slot=1, issued_by="kiosk-1")
        issued["n"] += 1
        if where == "before_print" and issued["n"] == stop_at:
            print("STOPPED", flush=True)  # stored, not printed: the citizen never got it
            time.sleep(600)
        print("PRINTED", made.ticket.number, flush=True)


if __name__ == "__main__":
    main()
