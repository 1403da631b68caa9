"""Trips a citizen makes to the hall for one case ("one visit", 最多跑一次).

A visit is a row in `visits`: handing the application in at a kiosk or a counter, coming back with a
supplement, or finishing an online case at the window. Applying online is no visit. The count travels to
the platform with each counter decision (`kiosk.review.decide`), so the province sees the same figure.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.store.models import Application, Visit, utcnow

ONLINE = "online"


class VisitKind(StrEnum):
    SUBMISSION = "submission"  # handed in at a kiosk or a counter
    SUPPLEMENT = "supplement"  # came back with what a supplement notice asked for
    ONSITE = "onsite"          # an online case finished at the window (originals seen)


def record(session: Session, app: Application, kind: VisitKind, actor: str) -> Visit:
    """Inside the caller's transaction, so a visit exists exactly when what it stands for was stored."""
    visit = Visit(application_id=app.id, kind=kind.value, at=utcnow(), actor=actor[:100])
    session.add(visit)
    session.flush()
    return visit


def record_submission(session: Session, app: Application, actor: str) -> None:
    """A submission at the hall is the first visit; an online one is none."""
    if app.channel != ONLINE:
        record(session, app, VisitKind.SUBMISSION, actor)


def count(session: Session, application_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Visit)
                              .where(Visit.application_id == application_id)) or 0)


def counts(session: Session, application_ids: list[str]) -> dict[str, int]:
    """Visits per application (absent: none), for reports."""
    if not application_ids:
        return {}
    out: dict[str, int] = {}
    for start in range(0, len(application_ids), 500):  # SQLite's bound-parameter limit
        chunk = application_ids[start:start + 500]
        out.update({app_id: int(n) for app_id, n in session.execute(
            select(Visit.application_id, func.count()).where(Visit.application_id.in_(chunk))
            .group_by(Visit.application_id))})
    return out
