"""Uses of licences over real HTTP: the signed annotated copy (加注件) made for one application, fetched like
any file, the same use twice making one use, refusals in both languages that change nothing, and the audit."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from sync import wire_licences as wl
from sync.server.licence_signing import KEY_NAME, signing_key, verify_sha256
from sync.server.licences_models import LicenceUse
from sync.server.models import HallBlob, PlatformAuditEntry
from tests.sync.licence_fixtures import (
    BUSINESS_CHANGE,
    ID_RENEWAL,
    OTHER_HALL,
    Device,
    enroll_device,
    offers_query,
    person,
    ready_platform,
    use_request,
)


def offer_for(kiosk, citizen, item: str, material: str) -> str:
    resp = kiosk.post("licences/offers", offers_query(citizen, item))
    assert resp.status_code == 200, resp.text
    return next(o["identifier"] for o in resp.json()["offers"] if o["material_code"] == material)


def pdf_text(data: bytes, tmp_path) -> str:
    """The words of the PDF as pypdf reads them (pdftotext scatters text drawn at an angle), line breaks out."""
    import io

    import pypdf

    return "".join(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().split("\n"))


def counts(platform) -> tuple[int, int, int]:
    with platform.store.transaction() as session:
        return (session.scalar(select(func.count()).select_from(LicenceUse)),
                session.scalar(select(func.count()).select_from(HallBlob)),
                session.scalar(select(func.count()).select_from(PlatformAuditEntry)
                               .where(PlatformAuditEntry.action == "licence.use")))


def test_a_use_answers_with_a_signed_annotated_copy_the_kiosk_fetches(platform, tmp_path):
    ready_platform(platform)
    kiosk = enroll_device(platform)
    wang = person("王建国")
    identifier = offer_for(kiosk, wang, ID_RENEWAL, "household_register")
    app_id = str(uuid.uuid4())
    resp = kiosk.post("licences/uses", use_request(wang, identifier, ID_RENEWAL, "household_register", app_id))
    assert resp.status_code == 200, resp.text
    answer = wl.UseAnswer.model_validate(resp.json())
    assert answer.identifier == identifier and answer.type_code == "HKB" and answer.valid_until is None
    assert answer.media_type == "application/pdf" and answer.page_count == 1
    key = kiosk.get("licences/signing-key")
    assert key.status_code == 200
    signing = wl.SigningKey.model_validate(key.json())
    assert signing.key_id == answer.key_id
    assert verify_sha256(signing.public_key, answer.sha256, answer.signature)
    assert not verify_sha256(signing.public_key, "0" * 64, answer.signature)
    copy = kiosk.get(f"attachments/{answer.sha256}")
    assert copy.status_code == 200, copy.text
    assert hashlib.sha256(copy.content).hexdigest() == answer.sha256 and len(copy.content) == answer.size
    text = pdf_text(copy.content, tmp_path)
    assert "居民户口簿" in text and "王建国" in text and identifier in text
    assert "仅供办理“居民身份证换领”使用" in text and f"申请编号 {app_id}" in text and "加注件" in text
    assert "Renewal of Resident Identity Card" in text and f"Application {app_id}" in text
    # another kiosk of the hall learns nothing of it; a counter of the hall may read it (it reviews the case)
    other_kiosk = enroll_device(platform, name="kiosk-2")
    assert other_kiosk.get(f"attachments/{answer.sha256}").status_code == 403
    assert enroll_device(platform, name="counter-1", role="counter").get(f"attachments/{answer.sha256}").status_code == 200
    # a counter of another hall: the hash is no key there
    assert enroll_device(platform, hall=OTHER_HALL, name="c", role="counter").get(
        f"attachments/{answer.sha256}").status_code == 404


def test_the_same_use_twice_is_one_use_and_a_reused_use_id_with_other_content_is_refused(sqlite_platform):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    wang = person("王建国")
    identifier = offer_for(kiosk, wang, ID_RENEWAL, "id_card")
    body = use_request(wang, identifier, ID_RENEWAL, "id_card", str(uuid.uuid4()))
    first = kiosk.post("licences/uses", body)
    second = kiosk.post("licences/uses", body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert counts(sqlite_platform) == (1, 1, 1)
    conflict = kiosk.post("licences/uses", {**body, "reason": "another reason"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "use_conflict"
    assert conflict.json()["reason"]["zh"] and conflict.json()["reason"]["en"]
    other_device = enroll_device(sqlite_platform, name="kiosk-2")
    assert other_device.post("licences/uses", body).json()["code"] == "use_conflict"
    assert counts(sqlite_platform) == (1, 1, 1)
    # a second application of the same citizen is another use with another copy
    again = kiosk.post("licences/uses", use_request(wang, identifier, ID_RENEWAL, "id_card", str(uuid.uuid4())))
    assert again.status_code == 200 and again.json()["sha256"] != first.json()["sha256"]
    assert counts(sqlite_platform) == (2, 2, 2)


@pytest.mark.parametrize("who,owner,item,material,type_code,status,code,words", [
    ("王建国", "李秀英", ID_RENEWAL, "id_card", "SFZ", 403, "licence_not_holder", ("不属于本申请人", "not the applicant")),
    ("陈静", "陈静", ID_RENEWAL, "id_card", "SFZ", 409, "licence_expired", ("过期", "expired")),
    ("赵磊", "赵磊", BUSINESS_CHANGE, "business_licence", "YYZZ", 409, "licence_revoked", ("注销", "revoked")),
    ("王建国", "王建国", ID_RENEWAL, "household_register", "SFZ", 422, "licence_type_not_accepted",
     ("不能代替", "cannot stand for")),
    ("王建国", "王建国", ID_RENEWAL, "photo_receipt", "SFZ", 422, "licence_type_not_accepted",
     ("不能代替", "cannot stand for")),
    ("王建国", "王建国", ID_RENEWAL, "no_such_material", "SFZ", 422, "unknown_material", ("没有材料", "has no material")),
    ("王建国", "王建国", "330106999999999999", "id_card", "SFZ", 404, "unknown_item", ("没有事项", "no service item")),
])
def test_refused_uses_say_why_in_both_languages_and_change_nothing(sqlite_platform, who, owner, item, material,
                                                                    type_code, status, code, words):
    holdings = {r["name"]: r["licences"] for r in ready_platform(sqlite_platform)}
    kiosk = enroll_device(sqlite_platform)
    identifier = next(i for i in holdings[owner] if f".{type_code}." in i)
    before = counts(sqlite_platform)
    resp = kiosk.post("licences/uses", use_request(person(who), identifier, item, material, str(uuid.uuid4())))
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["code"] == code
    assert words[0] in body["reason"]["zh"] and words[1] in body["reason"]["en"]
    assert counts(sqlite_platform) == before


def test_unknown_licences_bad_identifiers_and_unknown_consent_are_refused(sqlite_platform):
    holdings = {r["name"]: r["licences"] for r in ready_platform(sqlite_platform)}
    kiosk = enroll_device(sqlite_platform)
    wang = person("王建国")
    good = holdings["王建国"][0]
    altered = good[:-1] + ("0" if good[-1] != "0" else "1")
    resp = kiosk.post("licences/uses", use_request(wang, altered, ID_RENEWAL, "id_card", str(uuid.uuid4())))
    assert resp.status_code == 422 and resp.json()["code"] == "licence_id_check"
    from kiosk.licences.identifier import make_identifier

    unknown = make_identifier("SFZ", "11330106002482146P", "999999")
    resp = kiosk.post("licences/uses", use_request(wang, unknown, ID_RENEWAL, "id_card", str(uuid.uuid4())))
    assert resp.status_code == 404 and resp.json()["code"] == "licence_unknown"
    body = use_request(wang, good, ID_RENEWAL, "id_card", str(uuid.uuid4()))
    body["consent"]["text_version"] = "made-up"
    resp = kiosk.post("licences/uses", body)
    assert resp.status_code == 422 and resp.json()["code"] == "consent_version"
    assert counts(sqlite_platform) == (0, 0, 0)


def test_every_use_is_audited_and_listed_by_the_cli(sqlite_platform, tmp_path):
    ready_platform(sqlite_platform)
    kiosk = enroll_device(sqlite_platform)
    liu = person("刘洋")
    identifier = offer_for(kiosk, liu, "330106000173002003", "birth_certificate")
    app_id = str(uuid.uuid4())
    body = use_request(liu, identifier, "330106000173002003", "birth_certificate", app_id)
    resp = kiosk.post("licences/uses", body)
    assert resp.status_code == 200, resp.text
    with sqlite_platform.store.transaction() as session:
        entry = session.scalars(select(PlatformAuditEntry).where(PlatformAuditEntry.action == "licence.use")).one()
        assert entry.subject == body["use_id"]
        assert entry.details["identifier"] == identifier and entry.details["application_id"] == app_id
        assert entry.details["reason"] == body["reason"] and entry.details["actor"] == "kiosk"
        assert entry.details["consent"]["version"] == body["consent"]["text_version"]
        assert entry.details["copy_sha256"] == resp.json()["sha256"]
    env = {**os.environ, "ONEWINDOW_CONFIG": os.devnull + ".toml"}
    home = ["--home", str(sqlite_platform.store.home), "--blob-key-file", str(sqlite_platform.store.key.path)]
    out = subprocess.run([sys.executable, "-m", "kiosk", "platform", "licences", "uses", *home, "--json",
                          "--holder", liu.id_number], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    (row,) = json.loads(out.stdout)
    assert row["use_id"] == body["use_id"] and row["application_id"] == app_id and row["reason"] == body["reason"]
    assert row["holder"] == liu.id_number[:4] + "*" * 10 + liu.id_number[-4:]
    verify = subprocess.run([sys.executable, "-m", "kiosk", "platform", "audit", "verify", *home], capture_output=True,
                            text=True, timeout=120, env=env)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_the_signing_key_is_private_and_stable_across_restarts(tmp_path):
    from tests.sync.servers import PlatformServer

    server = PlatformServer(tmp_path / "platform")
    try:
        kiosk = enroll_device(server)
        first = kiosk.get("licences/signing-key").json()
    finally:
        server.stop()
    path = tmp_path / "platform" / KEY_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    server = PlatformServer(tmp_path / "platform")
    try:
        assert enroll_device(server, name="k2").get("licences/signing-key").json() == first
    finally:
        server.stop()
    signing_key.__globals__["_cache"].clear()  # as a new process would: read back from the file
    assert signing_key(tmp_path / "platform").key_id == first["key_id"]


def test_a_kiosk_submits_the_copy_as_the_material_and_the_hall_already_holds_it(sqlite_platform, tmp_path):
    """The copy is the hall's file from the use on: the application naming it is complete without an upload."""
    import random

    from kiosk.materials.intake import check_bytes
    from sync.demo_data import make_draft
    from sync.server.cases import list_cases
    from sync.server.models import Upload
    from tests.sync.conftest import engine_for, enroll, make_terminal

    ready_platform(sqlite_platform)
    terminal = make_terminal(tmp_path / "kiosk")
    credential = enroll(terminal, sqlite_platform, role="kiosk")
    kiosk = Device(sqlite_platform, credential.token)  # the terminal's own credential asks and fetches
    wang = person("王建国")
    app_id = str(uuid.uuid4())
    identifier = offer_for(kiosk, wang, ID_RENEWAL, "household_register")
    answer = kiosk.post("licences/uses", use_request(wang, identifier, ID_RENEWAL, "household_register", app_id)).json()
    copy = kiosk.get(f"attachments/{answer['sha256']}").content
    draft = make_draft(terminal.catalog.item(ID_RENEWAL), 2, 4, random.Random(7))
    draft.id = app_id
    draft.applicant = {**draft.applicant, "name": wang.name, "id_number": wang.id_number}
    draft.materials["household_register"] = [check_bytes("户口簿加注件.pdf", copy)]
    terminal.submit(draft, channel="kiosk", actor="kiosk")
    report = engine_for(terminal, credential).run_pass()
    assert report.online and report.sent == 1, report
    case = next(c for c in list_cases(sqlite_platform.store) if c["id"] == app_id)
    assert all(a["arrived"] for a in case["attachments"])
    assert answer["sha256"] in {a["sha256"] for a in case["attachments"]}
    with sqlite_platform.store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 0
        owners = session.scalars(select(HallBlob).where(HallBlob.sha256 == answer["sha256"])).all()
        assert len(owners) == 1 and owners[0].media_type == "application/pdf" and owners[0].size == len(copy)


def test_the_same_use_racing_in_from_retries_is_recorded_once(platform):
    """Retries against a slow platform arrive together: the use_id's unique constraint, not a check, decides."""
    from concurrent.futures import ThreadPoolExecutor

    ready_platform(platform)
    kiosk = enroll_device(platform)
    wang = person("王建国")
    identifier = offer_for(kiosk, wang, ID_RENEWAL, "id_card")
    body = use_request(wang, identifier, ID_RENEWAL, "id_card", str(uuid.uuid4()))
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: kiosk.post("licences/uses", body), range(6)))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1
    assert counts(platform) == (1, 1, 1)
