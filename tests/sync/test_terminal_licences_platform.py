"""The terminal's licence use cases against the reference platform's own licence library (real uvicorn,
SQLite and PostgreSQL): consent, offers, uses, the submission that names the copies reaching the platform
complete, the local audit, expired and revoked licences, offline, a changed key, one use when sent twice."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.errors import UserFacingError
from kiosk.licences.model import NEEDS_LINK, Consent
from kiosk.store.models import AuditEntry
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from kiosk.usecases import licences as uc
from sync.server.cases import list_cases
from sync.server.licence_signing import KEY_NAME, signing_key
from sync.server.licences_models import LicenceUse
from sync.server.models import Upload
from tests.sync.conftest import engine_for, enroll, make_terminal
from tests.sync.licence_fixtures import BUSINESS_CHANGE, ID_RENEWAL, person, ready_platform
from tests.sync.servers import PlatformServer

RENEWAL_FORM = {"renewal_reason": "expired", "old_card_expiry": "2004-01-01", "collection_method": "counter",
                "mailing_address": "浙江省杭州市西湖区文三路100号"}


def consent() -> Consent:
    return Consent(given_at=datetime.now(timezone.utc), by="citizen")


def uses_on_platform(platform: PlatformServer) -> int:
    with platform.store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(LicenceUse)) or 0)


@pytest.fixture
def kiosk(platform: PlatformServer, tmp_path: Path) -> Iterator[tuple[Terminal, object]]:
    ready_platform(platform)
    terminal = make_terminal(tmp_path / "kiosk")
    credential = enroll(terminal, platform, role="kiosk")
    yield terminal, credential
    terminal.close()


def test_reuse_with_consent_reaches_the_platform_complete(platform: PlatformServer, kiosk) -> None:
    terminal, credential = kiosk
    wang = person("王建国")
    app_id, yes = str(uuid.uuid4()), consent()
    found = uc.ask_offers(terminal, id_number=wang.id_number, service_item=ID_RENEWAL, application_id=app_id,
                          consent=yes)
    assert found.available and {o.material_code for o in found.offers} == {"id_card", "household_register"}
    used = uc.use_offers(terminal, found.offers, id_number=wang.id_number, service_item=ID_RENEWAL,
                         application_id=app_id, consent=yes, actor="kiosk:1")
    assert uses_on_platform(platform) == 2
    again = uc.use_offers(terminal, found.offers, id_number=wang.id_number, service_item=ID_RENEWAL,
                          application_id=app_id, consent=yes, actor="kiosk:1")
    assert [u.ref for u in again] == [u.ref for u in used] and uses_on_platform(platform) == 2  # one use each

    draft = ApplicationDraft(service_item=ID_RENEWAL, id=app_id, form=RENEWAL_FORM,
                             applicant={"name": wang.name, "id_type": "resident", "id_number": wang.id_number,
                                        "phone": "13800138000"},
                             materials={u.material_code: [u.file] for u in used},
                             licences={u.material_code: u.ref for u in used})
    terminal.submit(draft, channel="kiosk", actor="kiosk:1")
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.sent == 1, report
    case = next(c for c in list_cases(platform.store) if c["id"] == app_id)
    assert all(a["arrived"] for a in case["attachments"])
    assert {u.ref.sha256 for u in used} <= {a["sha256"] for a in case["attachments"]}
    with platform.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0  # the hall held the copies already
    with terminal.store.transaction() as s:
        actions = [a for a, in s.execute(select(AuditEntry.action).where(AuditEntry.subject == app_id)
                                         .order_by(AuditEntry.id))]
    assert actions[:4] == ["licence_consent", "licence_used", "licence_used", "submitted"]


def test_without_consent_the_platform_is_not_asked(platform: PlatformServer, kiosk) -> None:
    terminal, _ = kiosk
    wang = person("王建国")
    with pytest.raises(UserFacingError) as err:
        uc.ask_offers(terminal, id_number=wang.id_number, service_item=ID_RENEWAL,
                      application_id=str(uuid.uuid4()), consent=None)  # type: ignore[arg-type]
    assert err.value.code == "licence_no_consent"
    assert uses_on_platform(platform) == 0


def test_expired_and_revoked_licences_are_not_offered(platform: PlatformServer, kiosk) -> None:
    terminal, _ = kiosk
    chen = person("陈静")  # her ID card has expired
    found = uc.ask_offers(terminal, id_number=chen.id_number, service_item=ID_RENEWAL,
                          application_id=str(uuid.uuid4()), consent=consent())
    assert found.available and "id_card" not in {o.material_code for o in found.offers}
    zhao = person("赵磊")  # his only business licence was revoked when the shop closed
    assert any(h.type_code == "YYZZ" and h.revoked for h in zhao.holdings)
    found = uc.ask_offers(terminal, id_number=zhao.id_number, service_item=BUSINESS_CHANGE,
                          application_id=str(uuid.uuid4()), consent=consent())
    assert found.available and [o.material_code for o in found.offers] == ["id_card"]


def test_offline_the_step_says_needs_link(platform: PlatformServer, kiosk) -> None:
    terminal, _ = kiosk
    wang = person("王建国")
    app_id = str(uuid.uuid4())
    offers = uc.ask_offers(terminal, id_number=wang.id_number, service_item=ID_RENEWAL, application_id=app_id,
                           consent=consent()).offers
    platform.stop()
    found = uc.ask_offers(terminal, id_number=wang.id_number, service_item=ID_RENEWAL, application_id=app_id,
                          consent=consent())
    assert not found.available and found.note == NEEDS_LINK
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(terminal, offers, id_number=wang.id_number, service_item=ID_RENEWAL, application_id=app_id,
                      consent=consent(), actor="kiosk:1")
    assert err.value.used == [] and "需联网核验" in err.value.message.zh


def test_a_new_platform_key_is_refused_until_an_administrator_clears_the_pin(platform: PlatformServer,
                                                                           kiosk) -> None:
    from kiosk import staff as accounts

    terminal, _ = kiosk
    wang = person("王建国")
    offers = uc.ask_offers(terminal, id_number=wang.id_number, service_item=ID_RENEWAL,
                           application_id=str(uuid.uuid4()), consent=consent()).offers
    uc.use_offers(terminal, offers[:1], id_number=wang.id_number, service_item=ID_RENEWAL,
                  application_id=str(uuid.uuid4()), consent=consent(), actor="kiosk:1")
    (platform.store.home / KEY_NAME).unlink()  # the platform's key is replaced (or an impostor answers)
    signing_key.__globals__["_cache"].clear()
    with pytest.raises(uc.LicenceUseFailed) as err:
        uc.use_offers(terminal, offers[:1], id_number=wang.id_number, service_item=ID_RENEWAL,
                      application_id=str(uuid.uuid4()), consent=consent(), actor="kiosk:1")
    assert err.value.code == "licence_key_changed" and "签名密钥" in err.value.message.zh
    with terminal.store.transaction() as s:
        admin = accounts.add_staff(s, "admin1", "password-3", "administrator", actor="t").id
    assert uc.forget_signing_key(terminal, admin)
    used = uc.use_offers(terminal, offers[:1], id_number=wang.id_number, service_item=ID_RENEWAL,
                         application_id=str(uuid.uuid4()), consent=consent(), actor="kiosk:1")
    assert used[0].file.data.startswith(b"%PDF")
