"""Submitting: at a kiosk by the citizen, at a counter for a walk-in.

Local first: the application is stored (see `kiosk.submission`) and the
platform link is only poked, so a submission never waits for the network.
The draft it came from is closed afterwards; if that fails the submission
still stands and the leftover draft waits for staff.
"""
from __future__ import annotations

import logging

from kiosk import drafts as draft_store
from kiosk.staff import Permission, actor_of
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal
from kiosk.usecases.drafts import kiosk_actor
from kiosk.usecases.staff import current_staff

log = logging.getLogger("onewindow.usecases")


def _submit(t: Terminal, draft: ApplicationDraft, draft_id: str | None, *, channel: str,
            actor: str) -> SubmittedApplication:
    submitted = t.submit(draft, channel=channel, actor=actor)
    if draft_id:
        try:
            draft_store.discard_draft(t.store, draft_id, actor=actor, reason="submitted")
        except Exception:  # noqa: BLE001 - the submission stands; staff can discard the leftover draft
            log.exception("could not close draft %s after submission", draft_id)
    if t.sync is not None:
        t.sync.poke()
    return submitted


def submit_at_kiosk(t: Terminal, draft: ApplicationDraft, draft_id: str | None) -> SubmittedApplication:
    return _submit(t, draft, draft_id, channel="kiosk", actor=kiosk_actor(t))


def take_walk_in(t: Terminal, staff_id: int, draft: ApplicationDraft,
                 draft_id: str | None = None) -> SubmittedApplication:
    with t.store.transaction() as session:
        actor = actor_of(current_staff(session, staff_id, Permission.TAKE_APPLICATION))
    return _submit(t, draft, draft_id, channel="counter", actor=actor)
