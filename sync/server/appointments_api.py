"""The platform's HTTP routes for appointments (A1): booking, slots, the hall's 7-day feed, check-ins and no-shows reported."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kiosk.errors import UserFacingError
from sync.protocol import API_PREFIX
from sync.server import appointments
from sync.server.blocking_route import blocking_route
from sync.server.db import PlatformStore
from sync.server.deps import FORBIDDEN, CounterDep, DeviceDep, problem
from sync.wire import ProblemAnswer
from sync.wire_appointments import FEED_DAYS, AppointmentDoc, AppointmentFeed, BookingRequest, EventsAnswer, EventsPush

REFUSED = {400: {"model": ProblemAnswer, "description": "refused: bad ID number, past day, unknown item, no such "
                                                        "slot... (the reason says which)"},
           409: {"model": ProblemAnswer, "description": "the slot is full, or this person already holds it"}}


def router(store: PlatformStore) -> APIRouter:
    routes = APIRouter(prefix=API_PREFIX)

    @routes.post("/appointments", response_model=AppointmentDoc, status_code=201, responses={**FORBIDDEN, **REFUSED})
    def book(body: BookingRequest, device: CounterDep) -> Any:
        """A counter books a slot of its own hall for a citizen; the answer holds the booking code."""
        try:
            with store.transaction() as session:
                row = appointments.book(session, hall=device.hall_code, service_item=body.service_item, day=body.day,
                                        slot_start=body.slot_start, id_number=body.id_number, name=body.name,
                                        by=f"device:{device.id}")
                return appointments.document(row)
        except (appointments.SlotFull, appointments.AlreadyBooked) as exc:
            return problem(409, exc.message.zh, exc.message.en, exc.code)
        except UserFacingError as exc:
            return problem(400, exc.message.zh, exc.message.en, exc.code)

    @routes.get("/appointments", response_model=AppointmentFeed)
    @blocking_route
    def feed(device: DeviceDep, days: Annotated[int, Query(ge=1, le=31)] = FEED_DAYS) -> Any:
        """The hall's bookings from the platform's today for `days` days (every state), for check-in offline."""
        today = datetime.now().astimezone().date()
        with store.transaction() as session:
            rows = appointments.hall_bookings(session, device.hall_code, today, days)
            return {"hall_code": device.hall_code, "from_day": today.isoformat(), "days": days,
                    "appointments": [appointments.document(r) for r in rows]}

    @routes.post("/appointments/events", response_model=EventsAnswer)
    @blocking_route
    def events(body: EventsPush, device: DeviceDep) -> Any:
        """Check-ins and no-shows from a terminal of the hall; each is answered on its own, and a re-sent one
        is a duplicate, never a second event."""
        results = []
        with store.transaction() as session:
            for ev in body.events:
                result, why = appointments.record_event(
                    session, device, event_id=ev.id, appointment_id=ev.appointment_id, kind=ev.kind, at=ev.at,
                    actor=ev.actor, ticket_number=ev.ticket_number)
                results.append({"id": ev.id, "result": result,
                                "reason": {"zh": why.zh, "en": why.en} if why else None})
        return {"results": results}

    return routes
