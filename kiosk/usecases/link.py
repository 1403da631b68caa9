"""What the screens say about the link to the platform and about the print queue."""
from __future__ import annotations

from kiosk import outbox, print_jobs
from kiosk.terminal import Terminal
from kiosk.usecases.views import LinkView


def link_view(t: Terminal) -> LinkView:
    """Polled every second by each window: counts only, in a read-only transaction that never waits for a writer."""
    with t.store.read() as session:
        pending = outbox.owed_count(session)
        refused = outbox.refused_count(session)
        prints = print_jobs.owed_count(session)
        need_staff = print_jobs.needs_staff_count(session)
    if t.sync is None:
        return LinkView(None, pending, prints, need_staff, refused, enrolled=False)
    state = t.sync.state()
    return LinkView(state.online, pending, prints, need_staff, refused, enrolled=not state.enrollment_required,
                    last_error=state.last_error)


def connectivity_changed(t: Terminal, online: bool) -> None:
    """The operating system reports the network up or down: the link retries at once when it is back."""
    if t.sync is not None:
        t.sync.connectivity_changed(online)
    if online and t.printing is not None:
        t.printing.poke()  # a network printer may be reachable again too
