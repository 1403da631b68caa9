"""A hall with work to do, for the screenshots, the tests and a demonstration: staff, cases, a draft, ratings.

Nothing here is a real person. Files are real JPEG, PDF and multi-page
G4-compressed TIFF, the three kinds a counter sees from kiosks and the platform.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from kiosk.materials.intake import MaterialFile
from kiosk.submission import ApplicationDraft, SubmittedApplication
from kiosk.terminal import Terminal

ID_CARD_ITEM = "330106000173002001"
SOCIAL_CARD_ITEM = "330106000177001001"
PASSWORD = "counter-pass-1"
#: the demo hall's staff (user name, role, display name), all with PASSWORD: made on the terminal by `add_staff`
#: for a hall that never syncs, and registered on the embedded platform by `sync.embedded` for `./dev.sh app`
DEMO_STAFF = (("clerk1", "clerk", "王小明"), ("lead1", "supervisor", "李主任"))


def _page(seed: int, mode: str = "L"):  # noqa: ANN202 - a PIL image
    from kiosk.materials.samples import text_page

    image, _ = text_page(dpi=100, seed=seed, lines=14)
    return image.convert(mode)


@lru_cache(maxsize=None)
def jpeg_file(seed: int = 1) -> MaterialFile:
    buf = io.BytesIO()
    _page(seed, "RGB").save(buf, "JPEG", quality=70)
    return MaterialFile(f"scan-{seed}.jpg", buf.getvalue(), "image/jpeg", 1)


@lru_cache(maxsize=None)
def pdf_file(pages: int = 2, seed: int = 5) -> MaterialFile:
    import img2pdf

    jpegs = [jpeg_file(seed + n).data for n in range(pages)]
    return MaterialFile(f"document-{seed}.pdf", img2pdf.convert(jpegs), "application/pdf", pages)


@lru_cache(maxsize=None)
def tiff_g4_file(pages: int = 2, seed: int = 9) -> MaterialFile:
    frames = [_page(seed + n).point(lambda v: 255 if v > 160 else 0).convert("1") for n in range(pages)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", compression="group4", save_all=True, append_images=frames[1:], dpi=(100, 100))
    return MaterialFile(f"fax-{seed}.tif", buf.getvalue(), "image/tiff", pages)


def applicant(n: int) -> dict[str, str]:
    from kiosk.demo import valid_id

    names = ["张三", "李四", "王芳", "赵敏", "陈晨", "刘洋", "周杰", "吴雪", "郑凯", "孙丽"]
    return {"name": names[n % len(names)], "id_type": "resident",
            "id_number": valid_id(f"11010519491231{(n + 10) % 1000:03d}"), "phone": f"1380013{8000 + n:04d}"}


def id_card_draft(n: int = 0, *, tiff: bool = True) -> ApplicationDraft:
    from kiosk.demo import sample_form

    return ApplicationDraft(service_item=ID_CARD_ITEM, applicant=applicant(n), form=sample_form(ID_CARD_ITEM),
                            materials={"id_card": [jpeg_file(1 + n)],
                                       "household_register": [pdf_file()] + ([tiff_g4_file()] if tiff else [])})


def submit_at(terminal: Terminal, draft: ApplicationDraft, *, channel: str = "kiosk", actor: str = "kiosk:1",
              when: datetime | None = None) -> SubmittedApplication:
    from kiosk.submission import submit

    return submit(terminal.store, terminal.attachments, terminal.catalog, draft, channel=channel, actor=actor,
                  now=when)


def add_online_case(terminal: Terminal, n: int, case_no: str) -> str:
    """What sync brings in: a case submitted online, assigned to this hall for checking originals."""
    from kiosk.lifecycle import Status, move
    from kiosk.store.models import Application, OnlinePreReview, utcnow

    submitted = submit_at(terminal, id_card_draft(n, tiff=False), channel="online", actor="platform")
    with terminal.store.transaction() as session:
        app = session.get(Application, submitted.id)
        app.case_no = case_no
        move(session, app, Status.RECEIVED, actor="platform")
        for material in app.materials:  # the platform's pre-review, as the feed brings it (sync.assigned)
            if material.files:
                material.prereview = "original" if material.material_code == "household_register" else "passed"
        session.add(OnlinePreReview(application_id=app.id, by="王芳", at=utcnow(), note="户口簿请核验原件"))
    return submitted.id


@dataclass
class DemoHall:
    clerk_id: int
    supervisor_id: int
    kiosk_ids: list[str] = field(default_factory=list)
    online_id: str = ""
    draft_id: str = ""


def add_staff(terminal: Terminal) -> tuple[int, int]:
    from kiosk.staff import add_staff as add

    with terminal.store.transaction() as session:
        (clerk, lead) = [add(session, username, PASSWORD, role, display_name=display_name, actor="admin:cli")
                         for username, role, display_name in DEMO_STAFF]
        return clerk.id, lead.id


def add_draft(terminal: Terminal, n: int = 7) -> str:
    from kiosk.drafts import DraftSnapshot, new_draft_id, save_draft
    from kiosk.demo import sample_form

    draft_id = new_draft_id()
    person = applicant(n)
    snapshot = DraftSnapshot(draft_id, ID_CARD_ITEM, terminal.catalog.version,
                             applicant={k: person[k] for k in ("name", "id_number", "phone")},
                             form=sample_form(ID_CARD_ITEM), materials={"id_card": [jpeg_file(3)]})
    save_draft(terminal.store, terminal.attachments, snapshot, actor="kiosk:2")
    return draft_id


def add_unconfirmed_receipt(terminal: Terminal, application_id: str) -> int:
    """A receipt a silent printer took without a word: it waits for staff in the counter's print queue."""
    from kiosk.print_jobs import PrintState, enqueue_receipt

    with terminal.store.transaction() as session:
        job = enqueue_receipt(session, application_id, printer="tcp://192.0.2.10:9100", actor="kiosk:1")
        job.state, job.attempts = PrintState.UNCONFIRMED.value, 1
        return job.id


def populate(terminal: Terminal, *, today: date, history_days: int = 14) -> DemoHall:
    """Staff, a fortnight of history (decided, late, rated), today's kiosk cases, an online case and a draft."""
    from kiosk.lifecycle import Status, move
    from kiosk.ratings import record_rating
    from kiosk.store.models import Application, Rating

    clerk_id, lead_id = add_staff(terminal)
    hall = DemoHall(clerk_id, lead_id)
    local = datetime.now().astimezone().tzinfo
    for day in range(history_days, 0, -1):
        moment = datetime.combine(today - timedelta(days=day), time(9 + day % 6, 15), local).astimezone(timezone.utc)
        for k in range(1 + (day * 7) % 4):
            n = day * 4 + k
            submitted = submit_at(terminal, id_card_draft(n, tiff=False), when=moment + timedelta(minutes=17 * k))
            with terminal.store.transaction() as session:
                app = session.get(Application, submitted.id)
                if day > 3 and (n % 3):
                    move(session, app, Status.ACCEPTED, actor=f"staff:{clerk_id}")
                    move(session, app, Status.APPROVED, actor="platform")
                    late = n % 5 == 0
                    done = app.promised_date + timedelta(days=2) if late else submitted.promised_date - timedelta(days=3)
                    app.completed_at = datetime.combine(max(done, moment.date()), time(15), local)
                elif n % 3 == 0:
                    move(session, app, Status.ACCEPTED, actor=f"staff:{clerk_id}")
                    app.promised_date = today - timedelta(days=1) if n % 2 else today + timedelta(days=1)
                session.add(Rating(score=5 - (n % 7 == 0) - (n % 4 == 0) - 2 * (n % 11 == 0),
                                   service_item_code=ID_CARD_ITEM, channel="kiosk",
                                   reason_code="waiting_time" if n % 11 == 0 else None,
                                   at=moment + timedelta(minutes=30)))
    for n in range(3):
        hall.kiosk_ids.append(submit_at(terminal, id_card_draft(60 + n)).id)
    hall.online_id = add_online_case(terminal, 70, "ZJ3301062026000123")
    add_unconfirmed_receipt(terminal, hall.kiosk_ids[0])
    hall.draft_id = add_draft(terminal)
    _ = record_rating  # the domain function checks levels; the history above writes past timestamps directly
    return hall
