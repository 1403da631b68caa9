"""Files belong to halls: a SHA-256 is a key only inside the hall that uploaded the bytes.

Hall A's terminal syncs an application with real scans. A device of hall B
then knows one of those files' hashes (and even its bytes' size and type):
it must learn nothing from /attachments/missing, POST /uploads or
GET /attachments, a case it pushes naming the hash is never linked to A's
bytes, and only uploading the bytes itself makes the file its hall's.
Declared sizes and media types are checked against the stored file, and an
application id of another device's case is refused without touching it.
"""
from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from kiosk.canonical import content_hash
from kiosk.terminal import Terminal
from sync.client import PlatformClient, Refused, Timeouts
from sync.credentials import Credential, credential_from_enrollment
from sync.demo_data import submit_demo
from sync.protocol import TUS_VERSION
from sync.server.cases import list_cases
from sync.server.models import Case, CaseAttachment, Conflict
from sync.upload import ResumableUploader
from tests.sync.conftest import engine_for, enroll, make_terminal, pushed_document
from tests.sync.servers import PlatformServer

HALL, OTHER_HALL = "330106001", "330106002"


@dataclass
class Halls:
    platform: PlatformServer
    terminal: Terminal  # hall A's terminal, its application synced complete
    app_id: str
    document: dict  # that application as it was pushed
    sha: str  # one of its files
    data: bytes
    own: Credential  # hall A's terminal's device
    other: Credential  # a device of hall B
    neighbour: Credential  # a second device of hall A

    def client(self, credential: Credential) -> PlatformClient:
        return PlatformClient.for_credential(credential, Timeouts(connect=2.0, read=10.0))

    def raw(self, credential: Credential, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {credential.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.platform.url(path), headers=headers, timeout=10, **kwargs)


def device(platform: PlatformServer, hall: str, name: str) -> Credential:
    answer = PlatformClient(platform.url()).json("POST", "enroll",
                                                 json_body={"code": platform.enroll_code(hall, name)})
    return credential_from_enrollment(answer, platform.url(), None)


@pytest.fixture
def halls(tmp_path: Path, platform: PlatformServer) -> Halls:
    terminal = make_terminal(tmp_path / "a")
    (app,) = submit_demo(terminal, 1, pages=2, page_kb=20, seed=11)
    own = enroll(terminal, platform, name="a-1")
    report = engine_for(terminal, own).run_pass()
    assert report.sent == 1
    document = pushed_document(terminal, app.id)
    sha = document["attachments"][0]["sha256"]
    return Halls(platform, terminal, app.id, document, sha, terminal.attachments.get(sha), own,
                 device(platform, OTHER_HALL, "b-1"), device(platform, HALL, "a-2"))


def retargeted(document: dict, hall: str, *, device_no: int = 1) -> dict:
    """The same application content under a new id in another hall (its content hash does not cover either)."""
    doc = copy.deepcopy(document)
    doc.update(id=str(uuid.uuid4()), hall_code=hall, device_no=device_no, receipt_no=None)
    return doc


def redeclared(document: dict, sha: str, **changes: object) -> dict:
    """The document with one file declared differently (size or media type), consistent everywhere it appears."""
    doc = copy.deepcopy(document)
    for ref in doc["attachments"] + [f for m in doc["materials_detail"] for f in m["files"]]:
        if ref["sha256"] == sha:
            ref.update(changes)
    return doc


def push(h: Halls, credential: Credential, doc: dict) -> dict:
    (result,) = h.client(credential).json("POST", "applications", json_body={"applications": [doc]})["results"]
    return result


def create_upload(h: Halls, credential: Credential, sha: str, length: int) -> requests.Response:
    return h.raw(credential, "POST", "/api/v1/uploads", headers={
        "Tus-Resumable": TUS_VERSION, "Upload-Length": str(length),
        "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode()})


def comparable(resp: requests.Response) -> tuple:
    """What a prober could compare between two answers (the Location's random id aside)."""
    headers = {k.lower(): ("<id>" if k.lower() == "location" else v) for k, v in resp.headers.items()
               if k.lower() not in ("date", "content-length")}
    body = resp.content.decode()
    return resp.status_code, headers, body


def unknown_sha(n: int = 0) -> str:
    return hashlib.sha256(f"never uploaded anywhere {n}".encode()).hexdigest()


def test_attachments_missing_answers_for_the_callers_hall_only(halls: Halls) -> None:
    ask = {"sha256": [halls.sha, unknown_sha()]}
    assert halls.client(halls.other).json("POST", "attachments/missing", json_body=ask)["missing"] == \
        [halls.sha, unknown_sha()]  # another hall's file is as missing as one nobody has
    assert halls.client(halls.neighbour).json("POST", "attachments/missing", json_body=ask)["missing"] == \
        [unknown_sha()]  # inside the hall, deduplication stays


def test_post_uploads_answers_another_halls_file_like_an_unknown_one(halls: Halls) -> None:
    size = len(halls.data)
    # no case of hall B names either file: the same refusal, word for word
    known, unknown = create_upload(halls, halls.other, halls.sha, size), create_upload(halls, halls.other,
                                                                                      unknown_sha(), size)
    assert known.status_code == 409 and comparable(known) == comparable(unknown)
    # once a case of hall B names both, both are ordinary new uploads starting at 0
    doc = retargeted(halls.document, OTHER_HALL)
    extra = unknown_sha(1)
    doc_material = doc["materials_detail"][0]
    doc_material["files"].append({**doc_material["files"][0], "sha256": extra})
    doc["content"]["materials"][doc_material["code"]].append(extra)
    doc["attachments"].append({**doc["attachments"][0], "sha256": extra})
    doc["content_hash"] = content_hash(doc["content"])
    first = next(a for a in doc["attachments"] if a["sha256"] == doc_material["files"][0]["sha256"])
    assert push(halls, halls.other, doc)["result"] == "created"
    known = create_upload(halls, halls.other, first["sha256"], first["size"])
    unknown = create_upload(halls, halls.other, extra, first["size"])
    assert known.status_code == unknown.status_code == 201
    assert comparable(known) == comparable(unknown) and known.headers["Upload-Offset"] == "0"
    # within hall A the file is simply there
    assert create_upload(halls, halls.neighbour, halls.sha, size).status_code == 200


def test_a_case_naming_another_halls_hash_is_not_linked_to_its_bytes(halls: Halls) -> None:
    doc = retargeted(halls.document, OTHER_HALL)
    result = push(halls, halls.other, doc)
    assert result["result"] == "created" and not result["complete"] and result["status"] == "submitted"
    assert set(result["missing"]) == {a["sha256"] for a in doc["attachments"]}
    download = halls.raw(halls.other, "GET", f"/api/v1/attachments/{halls.sha}")
    nobody = halls.raw(halls.other, "GET", f"/api/v1/attachments/{unknown_sha()}")
    assert download.status_code == 404 and halls.data not in download.content
    assert comparable(download) == comparable(nobody)
    (case,) = [c for c in list_cases(halls.platform.store) if c["id"] == doc["id"]]
    assert not case["complete"] and not any(a["arrived"] for a in case["attachments"])
    # hall A's own devices still get the file
    mine = halls.raw(halls.neighbour, "GET", f"/api/v1/attachments/{halls.sha}")
    assert mine.status_code == 200 and mine.content == halls.data

    # hall B sending the bytes itself makes them its own, and completes its case
    client = halls.client(halls.other)
    for ref in doc["attachments"]:
        ResumableUploader(client, chunk_bytes=16 * 1024).upload(ref["sha256"], halls.terminal.attachments.get(ref["sha256"]))
    (state,) = client.json("POST", "applications/state", json_body={"ids": [doc["id"]]})["states"]
    assert state["complete"] and state["missing"] == []
    got = halls.raw(halls.other, "GET", f"/api/v1/attachments/{halls.sha}")
    assert got.status_code == 200 and got.content == halls.data
    from sync.server.models import HallBlob

    with halls.platform.store.transaction() as s:
        assert set(s.scalars(select(HallBlob.hall_code).where(HallBlob.sha256 == halls.sha))) == {HALL, OTHER_HALL}


@pytest.mark.parametrize("field", ["size", "media_type"])
def test_a_declaration_that_differs_from_the_stored_file_is_refused_at_push(halls: Halls, field: str) -> None:
    actual = next(a for a in halls.document["attachments"] if a["sha256"] == halls.sha)
    wrong = ({"size": actual["size"] + 1} if field == "size"
             else {"media_type": "image/png" if actual["media_type"] != "image/png" else "image/jpeg"})
    doc = redeclared(retargeted(halls.document, HALL, device_no=2), halls.sha, **wrong)
    with halls.platform.store.transaction() as s:
        cases_before = s.scalar(select(func.count()).select_from(Case))
    result = push(halls, halls.neighbour, doc)
    assert result["result"] == "rejected"
    assert "申报" in result["reason"]["zh"] and "declared" in result["reason"]["en"]
    with halls.platform.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == cases_before
        assert s.scalar(select(Case).where(Case.uuid == doc["id"])) is None


def test_a_declaration_that_differs_from_the_uploaded_file_is_refused_at_upload(halls: Halls) -> None:
    actual = next(a for a in halls.document["attachments"] if a["sha256"] == halls.sha)
    client = halls.client(halls.other)
    # the size: refused when the upload is created
    by_size = redeclared(retargeted(halls.document, OTHER_HALL), halls.sha, size=actual["size"] + 7)
    assert push(halls, halls.other, by_size)["result"] == "created"
    with pytest.raises(Refused) as refused:
        ResumableUploader(client).upload(halls.sha, halls.data)
    assert refused.value.status == 422 and refused.value.code == "attachment_mismatch"
    assert "字节" in refused.value.reason["zh"] and "bytes" in refused.value.reason["en"]
    # the media type: refused when the last chunk shows what the file is; hall B then holds nothing
    other_type = "image/png" if actual["media_type"] != "image/png" else "image/jpeg"
    by_type = redeclared(retargeted(halls.document, OTHER_HALL), halls.sha, media_type=other_type)
    assert push(halls, halls.other, by_type)["result"] == "created"
    with pytest.raises(Refused) as refused:
        ResumableUploader(client, chunk_bytes=16 * 1024).upload(halls.sha, halls.data)
    assert refused.value.status == 422 and other_type in refused.value.reason["en"]
    assert actual["media_type"] in refused.value.reason["en"] and "申报" in refused.value.reason["zh"]
    from sync.server.models import HallBlob

    with halls.platform.store.transaction() as s:
        assert s.scalar(select(HallBlob).where(HallBlob.hall_code == OTHER_HALL)) is None
        assert not s.scalar(select(Case.complete).where(Case.uuid == by_type["id"]))
    assert halls.raw(halls.other, "GET", f"/api/v1/attachments/{halls.sha}").status_code == 404


def _case_rows(h: Halls) -> tuple:
    with h.platform.store.transaction() as s:
        case = s.scalar(select(Case).where(Case.uuid == h.app_id))
        return (case.content_hash, case.document, case.status, case.device_id,
                s.scalar(select(func.count()).select_from(Conflict)),
                sorted(s.scalars(select(CaseAttachment.sha256).where(CaseAttachment.case_id == case.id))))


@pytest.mark.parametrize("who", ["same hall", "other hall"])
def test_another_devices_application_id_is_refused_and_its_case_untouched(halls: Halls, who: str) -> None:
    before = _case_rows(halls)
    credential, hall = (halls.neighbour, HALL) if who == "same hall" else (halls.other, OTHER_HALL)
    for doc in (dict(copy.deepcopy(halls.document), hall_code=hall, device_no=2, receipt_no=None),  # same content
                dict(copy.deepcopy(halls.document), hall_code=hall, device_no=2, receipt_no=None,
                     content=dict(halls.document["content"], form={**halls.document["content"]["form"],
                                                                    "x_planted": "planted"}))):
        doc["content_hash"] = content_hash(doc["content"])
        result = push(halls, credential, doc)
        assert result["result"] == "rejected" and result["status"] is None and result["case_no"] is None
        assert "another device" in result["reason"]["en"] and "其他设备" in result["reason"]["zh"]
    assert _case_rows(halls) == before  # no conflict row, nothing else either


def test_the_same_device_pushing_its_id_again_stays_idempotent(halls: Halls) -> None:
    before = _case_rows(halls)
    assert push(halls, halls.own, halls.document)["result"] == "duplicate"
    assert _case_rows(halls) == before
    changed = dict(copy.deepcopy(halls.document),
                   content=dict(halls.document["content"], form={**halls.document["content"]["form"], "x": "y"}))
    changed["content_hash"] = content_hash(changed["content"])
    assert push(halls, halls.own, changed)["result"] == "conflict"  # its own case: kept for staff, as before
    assert _case_rows(halls)[:4] == before[:4]


def test_an_upgrade_from_version_3_gives_each_hall_the_files_its_cases_already_have(
        halls: Halls, db_url: str | None) -> None:
    from sqlalchemy import text

    from sync.server.models import SCHEMA_VERSION, HallBlob, SchemaInfo

    platform = halls.platform
    with platform.store.transaction() as s:
        expected = {(HALL, a.sha256, a.size, a.media_type) for a in s.scalars(select(CaseAttachment))}
    assert len(expected) == len(halls.document["attachments"])
    # the database as a version-3 platform left it: no record of who uploaded what
    with platform.store.engine.begin() as conn:
        conn.execute(text("DROP TABLE hall_blobs"))
        conn.execute(text("UPDATE platform_schema SET version = 3"))
    platform.stop()
    upgraded = PlatformServer(platform.home, db_url)  # opening it runs the upgrade
    try:
        with upgraded.store.transaction() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION >= 4
            owned = {(r.hall_code, r.sha256, r.size, r.media_type) for r in s.scalars(select(HallBlob))}
        assert owned == expected
        # hall A's devices keep their files; hall B still has none of them
        for credential, status in ((halls.neighbour, 200), (halls.other, 404)):
            got = requests.get(upgraded.url(f"/api/v1/attachments/{halls.sha}"),
                               headers={"Authorization": f"Bearer {credential.token}"}, timeout=10)
            assert got.status_code == status
        moved = dataclasses.replace(halls.own, platform_url=upgraded.url())  # the same platform on a new port
        report = engine_for(halls.terminal, moved).run_pass()
        assert report.online and report.errors == [] and report.count_check["match"]
    finally:
        upgraded.stop()


def test_a_batch_mixing_new_known_refused_and_repeated_items_answers_each_as_alone(halls: Halls) -> None:
    """The batch's new applications go in together (`cases._push_new_batch`); every item still gets the answer
    it would get pushed alone, in its place, and a refused item leaves nothing behind."""
    fresh = retargeted(halls.document, HALL, device_no=2)  # names files the hall holds: complete at once
    actual = next(a for a in halls.document["attachments"] if a["sha256"] == halls.sha)
    wrong = redeclared(retargeted(halls.document, HALL, device_no=2), halls.sha, size=actual["size"] + 1)
    other = retargeted(halls.document, HALL, device_no=2)
    items = [fresh, {"id": "not-an-application"}, wrong, halls.document, fresh, other]
    answer = halls.client(halls.neighbour).json("POST", "applications", json_body={"applications": items})
    results = answer["results"]
    assert [r["result"] for r in results] == ["created", "rejected", "rejected", "rejected", "duplicate", "created"]
    assert [r["id"] for r in results] == [fresh["id"], "not-an-application", wrong["id"], halls.app_id, fresh["id"],
                                          other["id"]]
    assert results[0]["complete"] and results[0]["status"] == "received" and results[0]["case_no"]
    assert results[4]["case_no"] == results[0]["case_no"] and results[5]["case_no"] != results[0]["case_no"]
    assert "declared" in results[2]["reason"]["en"] and "another device" in results[3]["reason"]["en"]
    with halls.platform.store.transaction() as s:
        assert s.scalar(select(Case).where(Case.uuid == wrong["id"])) is None
        assert s.scalar(select(func.count()).select_from(Case).where(Case.uuid.in_([fresh["id"], other["id"]]))) == 2
    feed = halls.client(halls.neighbour).json("GET", "changes", params={"since": 0, "limit": 100})["changes"]
    received = [c["application_id"] for c in feed if c["status"] == "received"]
    assert received.count(fresh["id"]) == 1 and received.count(other["id"]) == 1
