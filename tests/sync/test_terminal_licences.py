"""Electronic licences in the terminal, over real HTTP against a real licence library (`licence_library`):
consent, offers, uses with verified copies, the local audit, offline, tampering, the pinned key, idempotency,
and what a submission and a draft keep of them."""
from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from kiosk import drafts as draft_store
from kiosk import staff as accounts
from kiosk.catalog import demo_catalog_path, parse_catalog
from kiosk.catalog_store import install_catalog
from kiosk.errors import UserFacingError, ValidationFailed
from kiosk.identity import resident_id_check_char
from kiosk.licences.model import NEEDS_LINK, Consent, LicenceUnavailable
from kiosk.materials.intake import MaterialFile
from kiosk.settings import load_settings
from kiosk.store.models import Application, AuditEntry, KeyValue, OutboxItem
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from kiosk.usecases import cases
from kiosk.usecases import licences as uc
from sync.credentials import Credential, save_enrollment
from kiosk.licences.pin import PIN_KEY
from tests.sync.licence_library import TOKEN, Library, LibraryServer, holding

ITEM = "330106000177002001"  # 城乡居民基本养老保险参保登记: id_card, household_register (required), bank_card
ID_TYPE, HOUSEHOLD_TYPE = "SFZ", "HKB"
CITIZEN = "11010519491231002" + resident_id_check_char("11010519491231002")
FORM = {"contribution_level": "level_500", "registered_address": "浙江省杭州市西湖区文三路1号",
        "bank_account": "6222020000000000000", "first_contribution_year": date.today().year}
PAPER_ONLY = "330106000186002001"  # left without licence types
OTHER = "33010619800101001" + resident_id_check_char("33010619800101001")


def catalog_with_licence_types():
    document = copy.deepcopy(json.loads(demo_catalog_path().read_text(encoding="utf-8")))
    document["version"] = document["version"] + "-licences"
    for item in document["items"]:
        for material in item["materials"]:
            material.pop("licence_types", None)  # only this test's types, whatever the demo catalog says
            if item["code"] == PAPER_ONLY:
                continue
            if material["code"] == "id_card":
                material["licence_types"] = [ID_TYPE]
            elif material["code"] == "household_register":
                material["licence_types"] = [HOUSEHOLD_TYPE]
    return parse_catalog(document)


@pytest.fixture
def library() -> Iterator[LibraryServer]:
    lib = Library(holdings=[
        holding(ID_TYPE, "0000001", CITIZEN, "张三", ("id_card",)),
        holding(HOUSEHOLD_TYPE, "0000002", CITIZEN, "张三", ("household_register",),
                valid_until=date.today() + timedelta(days=400), name=("居民户口簿", "Household register")),
        holding(ID_TYPE, "0000003", OTHER, "李四", ("id_card",)),
    ])
    server = LibraryServer(lib)
    yield server
    server.stop()


def open_terminal(path: Path, url: str | None) -> Terminal:
    path.mkdir(parents=True, exist_ok=True)
    t = Terminal.open(load_settings(path, device_no=1))
    with t.store.transaction() as s:
        install_catalog(s, catalog_with_licence_types(), source="test")
    t.reload_catalog()
    if url is not None:
        save_enrollment(t.store, Credential(platform_url=url, device_id=7, hall_code=t.settings.hall_code,
                                            device_name="kiosk-1", token=TOKEN, device_no=1, role="kiosk"))
    return t


@pytest.fixture
def term(tmp_path: Path, library: LibraryServer) -> Iterator[Terminal]:
    t = open_terminal(tmp_path / "kiosk", library.url())
    yield t
    t.close()


def consent() -> Consent:
    return Consent(given_at=datetime.now(timezone.utc), by="citizen")


def audit_rows(t: Terminal, action: str) -> list[AuditEntry]:
    with t.store.transaction() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        s.expunge_all()
        return list(rows)


def test_consent_offers_use_and_submit(term: Terminal, library: LibraryServer) -> None:
    app_id = str(uuid.uuid4())
    found = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=consent())
    assert found.available and found.note is None
    assert [o.material_code for o in found.offers] == ["id_card", "household_register"]
    assert {o.holder_name for o in found.offers} == {"张三"}

    used = uc.use_offers(term, found.offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                         consent=consent(), actor="kiosk:1")
    assert [u.material_code for u in used] == ["id_card", "household_register"]
    for u, offer in zip(used, found.offers):
        assert u.file.media_type == "application/pdf" and u.file.page_count == 1
        assert u.file.data.startswith(b"%PDF") and u.ref.identifier == offer.identifier
        assert library.lib.blobs[u.ref.sha256] == u.file.data
        assert library.lib.uses[u.ref.use_id]["identifier"] == offer.identifier
    assert used[1].ref.valid_until == date.today() + timedelta(days=400) and used[0].ref.valid_until is None
    assert {u.ref.application_id for u in used} == {app_id}

    consent_row, = audit_rows(term, "licence_consent")
    assert consent_row.subject == app_id and consent_row.actor == "citizen"
    assert consent_row.details["offers"] == [o.identifier for o in found.offers]
    assert CITIZEN not in json.dumps(consent_row.details)  # the audit names licences, not ID numbers
    uses = audit_rows(term, "licence_used")
    assert [(r.actor, r.subject, r.details["material"], r.details["identifier"]) for r in uses] == [
        ("kiosk:1", app_id, u.material_code, u.ref.identifier) for u in used]
    assert all(r.details["reason"] and r.details["consent_text"] == "2026-11-v1" for r in uses)
    with term.store.transaction() as s:
        assert s.get(KeyValue, PIN_KEY) is not None

    draft = ApplicationDraft(service_item=ITEM, id=app_id,
                             applicant={"name": "张三", "id_type": "resident", "id_number": CITIZEN,
                                        "phone": "13800000000"},
                             form=FORM, materials={u.material_code: [u.file] for u in used},
                             licences={u.material_code: u.ref for u in used})
    done = term.submit(draft, channel="kiosk", actor="kiosk:1")
    with term.store.transaction() as s:
        app = s.get(Application, done.id)
        stored = {m.material_code: m.licence for m in app.materials}
        payload = s.scalars(select(OutboxItem.payload).where(OutboxItem.ref_id == done.id)).one()
    assert stored["id_card"]["identifier"] == used[0].ref.identifier and stored["bank_card"] is None
    details = {d["code"]: d for d in payload["materials_detail"]}
    assert details["id_card"]["licence"]["use_id"] == used[0].ref.use_id
    assert details["household_register"]["licence"]["valid_until"] == used[1].ref.valid_until.isoformat()
    assert "licence" not in details["bank_card"]
    assert details["id_card"]["files"][0]["sha256"] == used[0].ref.sha256

    with term.store.transaction() as s:
        clerk = accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")
        clerk_id = clerk.id
    views = {m.code: m for m in cases.case_detail(term, clerk_id, done.id).materials}
    assert views["id_card"].licence == used[0].ref and views["bank_card"].licence is None


def test_without_consent_nothing_is_asked(term: Terminal, library: LibraryServer) -> None:
    app_id = str(uuid.uuid4())
    with pytest.raises(UserFacingError) as err:
        uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=None)  # type: ignore[arg-type]
    assert err.value.code == "licence_no_consent" and "同意" in err.value.message.zh and err.value.message.en
    offer = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                          consent=consent()).offers[0]
    library.lib.calls.clear()
    with pytest.raises(UserFacingError) as err:
        uc.use_offers(term, [offer], id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=None, actor="kiosk")  # type: ignore[arg-type]
    assert err.value.code == "licence_no_consent"
    assert library.lib.calls == [] and library.lib.uses == {} and audit_rows(term, "licence_used") == []


@pytest.mark.parametrize("bad, code", [
    ({"id_number": "110105194912310021"}, "licence_bad_id_number"),
    ({"id_number": ""}, "licence_bad_id_number"),
    ({"service_item": "no-such-item"}, "no_item"),
    ({"application_id": "not-a-uuid"}, "licence_bad_application_id"),
])
def test_bad_input_is_refused_before_anything_is_asked(term: Terminal, library: LibraryServer, bad: dict,
                                                       code: str) -> None:
    args = {"id_number": CITIZEN, "service_item": ITEM, "application_id": str(uuid.uuid4()), **bad}
    with pytest.raises(UserFacingError) as err:
        uc.ask_offers(term, consent=consent(), **args)
    assert err.value.code == code and err.value.message.zh and err.value.message.en
    assert library.lib.calls == [] and audit_rows(term, "licence_consent") == []


def test_expired_revoked_and_unaccepted_licences_are_not_offered(term: Terminal, library: LibraryServer) -> None:
    lib = library.lib
    lib.holdings[0].revoked = True
    lib.holdings[1].valid_until = date.today() - timedelta(days=1)
    # a licence the library offers for a material whose catalog entry does not list its type
    lib.holdings.append(holding("JHZ", "0000009", CITIZEN, "张三", ("bank_card",), name=("结婚证", "Marriage")))
    found = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=str(uuid.uuid4()),
                          consent=consent())
    assert found.available and found.offers == ()
    lib.holdings[0].revoked = False
    lib.holdings[1].valid_until = date.today()  # valid through today
    assert len(uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=str(uuid.uuid4()),
                             consent=consent()).offers) == 2


def test_item_without_licence_materials_asks_nobody(term: Terminal, library: LibraryServer) -> None:
    item = term.catalog.item(PAPER_ONLY)
    assert item is not None and not any(m.licence_types for m in item.materials)
    found = uc.ask_offers(term, id_number=CITIZEN, service_item=item.code, application_id=str(uuid.uuid4()),
                          consent=consent())
    assert found.available and found.offers == () and library.lib.calls == []


def test_offline_means_paper(term: Terminal, library: LibraryServer, tmp_path: Path) -> None:
    app_id = str(uuid.uuid4())
    offers = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                           consent=consent()).offers
    library.lib.down = True  # the platform answers 503
    found = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=consent())
    assert not found.available and found.offers == () and found.note == NEEDS_LINK
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=consent(), actor="kiosk")
    assert err.value.material_code == "id_card" and err.value.used == [] and "纸质" in err.value.message.zh
    library.stop()  # nothing listens any more
    found = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=consent())
    assert not found.available and found.note == NEEDS_LINK
    lonely = open_terminal(tmp_path / "unenrolled", None)
    found = uc.ask_offers(lonely, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=consent())
    assert not found.available and found.note == NEEDS_LINK
    assert [r.details["available"] for r in audit_rows(term, "licence_consent")] == [True, False, False]


def test_not_the_holder_is_refused_with_the_platforms_reason(term: Terminal, library: LibraryServer) -> None:
    app_id = str(uuid.uuid4())
    theirs = uc.ask_offers(term, id_number=OTHER, service_item=ITEM, application_id=app_id,
                           consent=consent()).offers
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(term, theirs, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=consent(), actor="kiosk")
    assert err.value.code == "not_holder" and "不属于申请人" in err.value.message.zh
    failed, = audit_rows(term, "licence_use_failed")
    assert failed.details["code"] == "not_holder" and library.lib.uses == {}


def test_a_tampered_copy_is_refused_and_the_materials_before_it_stay_used(term: Terminal,
                                                                          library: LibraryServer) -> None:
    app_id, yes = str(uuid.uuid4()), consent()
    offers = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=yes).offers
    first = uc.use_offers(term, offers[:1], id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                          consent=yes, actor="kiosk")
    library.lib.tamper = True
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=yes, actor="kiosk")
    # the id card's copy was served tampered too, on its second (same) use: nothing is attached
    assert err.value.code == "licence_copy_refused" and err.value.material_code == "id_card"
    assert "校验" in err.value.message.zh and err.value.used == []
    library.lib.tamper = False
    library.lib.tamper_only = {offers[1].identifier}  # the household register's copy only, this time
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                      consent=yes, actor="kiosk")
    assert err.value.material_code == "household_register"
    assert [u.ref for u in err.value.used] == [first[0].ref]  # the id card stays used
    library.lib.tamper_only = set()
    again = uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                          consent=yes, actor="kiosk")
    assert again[0].ref == first[0].ref and again[0].file.data == first[0].file.data
    assert len(audit_rows(term, "licence_use_failed")) == 2


def test_the_same_use_twice_is_one_use(term: Terminal, library: LibraryServer) -> None:
    app_id, yes = str(uuid.uuid4()), consent()
    offers = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id, consent=yes).offers
    one = uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                        consent=yes, actor="kiosk")
    two = uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                        consent=yes, actor="kiosk")
    assert [u.ref for u in one] == [u.ref for u in two] and len(library.lib.uses) == 2
    assert len(audit_rows(term, "licence_used")) == 2
    other_app = uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=str(uuid.uuid4()),
                              consent=yes, actor="kiosk")
    assert len(library.lib.uses) == 4 and {u.ref.use_id for u in other_app}.isdisjoint(u.ref.use_id for u in one)
    # a new consent (the citizen said yes again) or another actor is another use, recorded as such
    uc.use_offers(term, offers[:1], id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                  consent=consent(), actor="kiosk")
    uc.use_offers(term, offers[:1], id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                  consent=yes, actor="staff:1")
    assert len(library.lib.uses) == 6


def test_a_different_signing_key_later_is_refused(term: Terminal, library: LibraryServer) -> None:
    app_id = str(uuid.uuid4())
    offers = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                           consent=consent()).offers
    uc.use_offers(term, offers[:1], id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                  consent=consent(), actor="kiosk")
    for key_id in ("key-1", "key-2"):  # the same key id with another key, then a new key id
        library.lib.key, library.lib.key_id = Ed25519PrivateKey.generate(), key_id
        with pytest.raises(uc.LicenceUseFailed) as err:
            uc.use_offers(term, offers[1:], id_number=CITIZEN, service_item=ITEM,
                          application_id=str(uuid.uuid4()), consent=consent(), actor="kiosk")
        assert err.value.code in ("licence_copy_refused", "licence_key_changed")
    assert err.value.code == "licence_key_changed" and "forget-key" in err.value.message.en
    with term.store.transaction() as s:
        clerk = accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t").id
        admin = accounts.add_staff(s, "admin1", "password-3", "administrator", actor="t").id
    with pytest.raises(accounts.NotAllowed):
        uc.forget_signing_key(term, clerk)
    assert uc.forget_signing_key(term, admin) and not uc.forget_signing_key(term, admin)
    forgotten, = audit_rows(term, "licence_key_forgotten")
    assert forgotten.subject == "key-1" and forgotten.actor.startswith("staff:")
    used = uc.use_offers(term, offers[1:], id_number=CITIZEN, service_item=ITEM, application_id=str(uuid.uuid4()),
                         consent=consent(), actor="staff:3")
    assert used[0].material_code == "household_register"


def test_use_offers_refuses_offers_the_item_does_not_take(term: Terminal, library: LibraryServer) -> None:
    app_id = str(uuid.uuid4())
    offer = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                          consent=consent()).offers[0]
    library.lib.calls.clear()
    for offers, code in (([offer, offer], "licence_twice"),
                         ([replace(offer, material_code="bank_card")], "licence_not_accepted"),
                         ([replace(offer, type_code=HOUSEHOLD_TYPE)], "licence_not_accepted")):
        with pytest.raises(UserFacingError) as err:
            uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                          consent=consent(), actor="kiosk")
        assert err.value.code == code and err.value.message.zh and err.value.message.en
    assert library.lib.calls == []


def _used(term: Terminal) -> tuple[str, list[uc.ReusedMaterial]]:
    app_id = str(uuid.uuid4())
    offers = uc.ask_offers(term, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                           consent=consent()).offers
    return app_id, uc.use_offers(term, offers, id_number=CITIZEN, service_item=ITEM, application_id=app_id,
                                 consent=consent(), actor="kiosk")


def test_a_licence_material_must_hold_exactly_its_copy(term: Terminal, library: LibraryServer) -> None:
    app_id, used = _used(term)
    scan = MaterialFile("scan.pdf", used[1].file.data + b"\n% another", "application/pdf", 1)
    applicant = {"name": "张三", "id_type": "resident", "id_number": CITIZEN, "phone": "13800000000"}
    base = {u.material_code: [u.file] for u in used}
    refs = {u.material_code: u.ref for u in used}
    cases_ = [
        ({**base, "id_card": [used[0].file, scan]}, refs, [], "licences.id_card"),
        ({**base, "id_card": [scan]}, refs, [], "licences.id_card"),
        (base, {**refs, "id_card": replace(refs["id_card"], sha256="")}, [], "licences.id_card"),
        (base, {**refs, "id_card": replace(refs["id_card"], type_code=HOUSEHOLD_TYPE)}, [], "licences.id_card"),
        (base, {**refs, "id_card": replace(refs["id_card"], identifier=refs["id_card"].identifier[:-1] + "0"
                                                if not refs["id_card"].identifier.endswith("0")
                                                else refs["id_card"].identifier[:-1] + "1")},
         [], "licences.id_card"),
        (base, {**refs, "id_card": replace(refs["id_card"], use_id="nope")}, [], "licences.id_card"),
        (base, {**refs, "photo": refs["id_card"]}, [], "licences.photo"),
        (base, {**refs, "id_card": replace(refs["id_card"], application_id=str(uuid.uuid4()))}, [], "licences"),
        ({**base, "id_card": []}, refs, ["id_card"], "licences.id_card"),
    ]
    for materials, licences, at_counter, field in cases_:
        draft = ApplicationDraft(service_item=ITEM, applicant=applicant, form=FORM, materials=materials,
                                 licences=licences, at_counter=at_counter)
        with pytest.raises(ValidationFailed) as err:
            term.submit(draft, channel="kiosk", actor="kiosk")
        assert field in [p.field for p in err.value.problems], (field, err.value.problems)
        assert all(p.message.zh and p.message.en for p in err.value.problems)
    with term.store.transaction() as s:
        assert s.scalars(select(Application).where(Application.status != "draft")).all() == []
    other_id = ApplicationDraft(service_item=ITEM, applicant=applicant, form=FORM, materials=base, licences=refs,
                                id=str(uuid.uuid4()))
    with pytest.raises(ValidationFailed) as err:  # the copies are made out to another application
        term.submit(other_id, channel="kiosk", actor="kiosk")
    assert [p.field for p in err.value.problems] == ["licences"]
    done = term.submit(ApplicationDraft(service_item=ITEM, applicant=applicant, form=FORM, materials=base,
                                        licences=refs), channel="kiosk", actor="kiosk")
    assert done.id == app_id  # no id given: the one the licences were used for


def test_drafts_keep_licences_across_a_resume(term: Terminal, library: LibraryServer) -> None:
    app_id, used = _used(term)
    snapshot = draft_store.snapshot_for(term.catalog, draft_store.new_draft_id(), ITEM)
    snapshot.applicant = {"name": "张三", "id_number": CITIZEN}
    snapshot.form = dict(FORM)
    snapshot.materials = {u.material_code: [u.file] for u in used}
    snapshot.licences = {u.material_code: u.ref for u in used}
    snapshot.licences["bank_card"] = used[0].ref  # a licence with no file is dropped, never kept alone
    snapshot.materials["photo"] = [MaterialFile("scan.pdf", b"%PDF-1.4 not the copy", "application/pdf", 1)]
    snapshot.licences["photo"] = used[0].ref  # ...and so is one beside a file that is not its copy
    draft_store.save_draft(term.store, term.attachments, snapshot)
    draft_store.save_draft(term.store, term.attachments, snapshot)  # saved again as the citizen goes on
    resumed = draft_store.load_draft(term.store, term.attachments, snapshot.draft_id)
    assert resumed is not None
    assert resumed.licences == {u.material_code: u.ref for u in used}
    assert resumed.materials["id_card"][0].data == used[0].file.data
    resumed.applicant.update(id_type="resident", phone="13800000000")
    del resumed.materials["photo"]  # not a material of this item (the draft keeps what the screen had)
    done = term.submit(resumed, channel="counter", actor="staff:1")
    with term.store.transaction() as s:
        kept = {m.material_code: m.licence for m in s.get(Application, done.id).materials}
    assert kept["id_card"]["use_id"] == used[0].ref.use_id and kept["bank_card"] is None
    assert resumed.id is None and done.id == app_id == kept["id_card"]["application_id"]
