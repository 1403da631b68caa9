"""Offers from the licence library over real HTTP: only the holder's valid licences, and only for materials
whose catalog entry accepts the licence's type; a bad query is refused in both languages."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync import wire_licences as wl
from sync.server.licences import NewLicence, issue, today
from sync.server.models import PlatformAuditEntry
from tests.sync.licence_fixtures import (
    BIRTH,
    BUSINESS_CHANGE,
    ID_RENEWAL,
    MEDICAL,
    enroll_device,
    offers_query,
    person,
    publish_demo_catalog,
    ready_platform,
)


def offered(resp) -> dict[str, str]:
    assert resp.status_code == 200, resp.text
    answer = wl.OffersAnswer.model_validate(resp.json())
    return {o.material_code: o.type_code for o in answer.offers}


def refused(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text)
    body = resp.json()
    assert body["code"] == code and body["reason"]["zh"] and body["reason"]["en"], body
    return body


def test_a_holders_valid_licences_are_offered_for_the_materials_they_stand_for(platform):
    ready_platform(platform)
    kiosk = enroll_device(platform)
    wang = person("王建国")
    resp = kiosk.post("licences/offers", offers_query(wang, ID_RENEWAL))
    assert offered(resp) == {"id_card": "SFZ", "household_register": "HKB"}  # photo_receipt has no licence type
    first = wl.OffersAnswer.model_validate(resp.json()).offers[0]
    assert first.holder_name == "王建国" and first.valid_until is None  # issued at 58: long-term
    assert first.type_name.zh == "居民身份证" and first.issuer_name == "杭州市公安局西湖区分局"
    # a counter may ask too; the birth registration takes the parent's birth certificate, register and marriage
    counter = enroll_device(platform, name="counter-1", role="counter")
    assert offered(counter.post("licences/offers", offers_query(person("刘洋"), BIRTH))) == {
        "birth_certificate": "CSYXZM", "household_register": "HKB", "marriage_certificate": "JHZ"}


def test_expired_and_revoked_licences_are_never_offered(sqlite_platform):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    # 陈静's ID card expired 200 days ago: only her household register is offered
    assert offered(kiosk.post("licences/offers", offers_query(person("陈静"), ID_RENEWAL))) == {
        "household_register": "HKB"}
    # 赵磊's business was closed and its licence revoked; his ID card is still offered
    assert offered(kiosk.post("licences/offers", offers_query(person("赵磊"), BUSINESS_CHANGE))) == {"id_card": "SFZ"}
    # 徐强's residence permit has expired; 杨帆's is valid; neither holds this province's household register
    assert offered(kiosk.post("licences/offers", offers_query(person("徐强"), MEDICAL))) == {"id_card": "SFZ"}
    assert offered(kiosk.post("licences/offers", offers_query(person("杨帆"), MEDICAL))) == {
        "id_card": "SFZ", "residence_permit": "JZZ"}
    assert offered(kiosk.post("licences/offers", offers_query(person("杨帆"), ID_RENEWAL))) == {"id_card": "SFZ"}


def test_a_licence_not_yet_valid_is_not_offered_and_the_best_of_two_is(sqlite_platform):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    zhou = person("周杰")
    d = today()
    issue(sqlite_platform.store, NewLicence("SFZ", zhou.id_number, zhou.name, "杭州市公安局西湖区分局",
                                            "11330106002482146P", "NEXT0001", d + timedelta(days=3),
                                            d + timedelta(days=3), d.replace(year=d.year + 13), {}))
    resp = kiosk.post("licences/offers", offers_query(zhou, ID_RENEWAL))
    assert offered(resp) == {"id_card": "SFZ", "household_register": "HKB"}
    card = next(o for o in resp.json()["offers"] if o["material_code"] == "id_card")
    assert card["valid_until"] == date(2029, 5, 10).isoformat()  # the card in force, not the future one
    longer = issue(sqlite_platform.store, NewLicence("SFZ", zhou.id_number, zhou.name, "杭州市公安局西湖区分局",
                                                     "11330106002482146P", "NOW0002", d - timedelta(days=1),
                                                     d - timedelta(days=1), date(2035, 1, 1), {}))
    resp = kiosk.post("licences/offers", offers_query(zhou, ID_RENEWAL))
    card = next(o for o in resp.json()["offers"] if o["material_code"] == "id_card")
    assert card["identifier"] == longer.identifier


def test_someone_with_no_holdings_gets_no_offers_and_each_query_is_audited(sqlite_platform):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    from tests.sync.licence_fixtures import DemoCitizen
    from sync.server.licence_demo import resident_id

    stranger = DemoCitizen("路人", resident_id("11010519491231002"))
    query = offers_query(stranger, ID_RENEWAL)
    assert offered(kiosk.post("licences/offers", query)) == {}
    from sqlalchemy import select

    with sqlite_platform.store.transaction() as session:
        entry = session.scalars(select(PlatformAuditEntry).where(PlatformAuditEntry.action == "licence.offers")
                                .order_by(PlatformAuditEntry.id.desc())).first()
        assert entry is not None and entry.subject == query["application_id"]
        assert entry.details["holder"] == "1101**********002X" and entry.details["offered"] == []
        assert entry.details["consent"]["version"] == query["consent"]["text_version"]


@pytest.mark.parametrize("change,status,code", [
    ({"service_item": "330106999999999999"}, 404, "unknown_item"),
    ({"consent": {"given_at": "2026-11-30T01:00:00+00:00", "by": "citizen", "text_version": "1999-old"}}, 422,
     "consent_version"),
    ({"id_number": "33010619580312001"}, 422, "invalid"),
    ({"consent": None}, 422, "invalid"),
    ({"application_id": "not-a-uuid"}, 422, "invalid"),
])
def test_bad_queries_are_refused_in_both_languages(sqlite_platform, change, status, code):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    body = {**offers_query(person("王建国"), ID_RENEWAL), **change}
    refused(kiosk.post("licences/offers", body), status, code)


def test_without_a_published_catalog_or_a_device_token_nothing_is_offered(sqlite_platform):
    from sync.server.licence_demo import seed

    seed(sqlite_platform.store)
    kiosk = enroll_device(sqlite_platform)
    refused(kiosk.post("licences/offers", offers_query(person("王建国"), ID_RENEWAL)), 404, "no_catalog")
    publish_demo_catalog(sqlite_platform)
    kiosk.token = "not-a-token"
    refused(kiosk.post("licences/offers", offers_query(person("王建国"), ID_RENEWAL)), 401, "enrollment_required")
