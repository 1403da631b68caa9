"""What the screens say about the link to the platform and about the print queue."""
from __future__ import annotations

from sqlalchemy import ScalarSelect, func, select

from kiosk import outbox, print_jobs
from kiosk.store.models import OutboxItem, PrintJob
from kiosk.terminal import Terminal
from kiosk.usecases.views import LinkView


def _count(model: type[OutboxItem] | type[PrintJob], states: tuple[str, ...]) -> ScalarSelect[int]:
    return select(func.count()).select_from(model).where(model.state.in_(states)).scalar_subquery()


#: the four counts in one statement, built once: polled every second, four ORM queries were most of its cost
_COUNTS = select(_count(OutboxItem, outbox.OWED), _count(OutboxItem, outbox.REFUSED),
                 _count(PrintJob, print_jobs.OWED), _count(PrintJob, print_jobs.NEEDS_STAFF))


def link_view(t: Terminal) -> LinkView:
    """Polled every second by each window: counts only, in a read-only transaction that never waits for a writer."""
    with t.store.read() as session:
        pending, refused, prints, need_staff = (int(n or 0) for n in session.execute(_COUNTS).one())
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
