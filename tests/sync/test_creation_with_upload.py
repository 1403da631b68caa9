"""POST /uploads may carry the file's first chunk, or the whole file (tus creation-with-upload).

A small scan then costs one request and one transaction: 200 with OneWindow-Upload-Complete once it is
stored. A larger one gets 201 with the offset after its first chunk. A body that is not a proper chunk is
refused with a bilingual reason and creates nothing; an upload already further on keeps its offset.
On SQLite and on PostgreSQL, over real HTTP.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.protocol import CHECKSUM_MISMATCH, UPLOAD_COMPLETE_HEADER
from sync.server import uploads
from sync.server.app import Limits
from tests.sync.servers import PlatformServer
from tests.sync.upload_session import PendingFile, assert_refused, pending_file

CHUNK = 64 * 1024


@pytest.fixture
def pending(tmp_path: Path, platform: PlatformServer) -> Iterator[PendingFile]:
    uploads.running_hashes.clear()
    yield pending_file(tmp_path, platform)


def test_a_whole_file_in_the_creating_request_is_stored_at_once(pending: PendingFile) -> None:
    f = pending
    answer = f.create(f.data)
    assert answer.status_code == 200 and answer.headers[UPLOAD_COMPLETE_HEADER] == "1"
    assert answer.headers["Upload-Offset"] == str(len(f.data)) and "Location" not in answer.headers
    assert f.stored() == f.data and f.hall_copies() == 1 and f.upload_rows() == 0 and f.case_complete()
    again = f.create(f.data)  # the answer was lost and the request sent again: the hall holds the file
    assert again.status_code == 200 and again.headers[UPLOAD_COMPLETE_HEADER] == "1"
    assert f.hall_copies() == 1


def test_the_first_chunk_in_the_creating_request_then_the_rest(pending: PendingFile) -> None:
    f = pending
    created = f.create(f.data[:CHUNK])
    assert created.status_code == 201 and created.headers["Upload-Offset"] == str(CHUNK)
    location = created.headers["Location"]
    assert f.offset(location) == CHUNK and f.upload_rows() == 1
    # sent again (its answer lost): the same upload, still at its offset; the body is not appended twice
    again = f.create(f.data[:CHUNK])
    assert again.status_code == 201 and again.headers["Location"] == location
    assert again.headers["Upload-Offset"] == str(CHUNK)
    offset = CHUNK
    while offset < len(f.data):
        answer = f.patch(location, offset, f.data[offset: offset + CHUNK])
        assert answer.status_code == 204
        offset = int(answer.headers["Upload-Offset"])
    assert answer.headers[UPLOAD_COMPLETE_HEADER] == "1"
    assert f.stored() == f.data and f.hall_copies() == 1 and f.upload_rows() == 0 and f.case_complete()


def test_a_creating_request_without_a_body_works_as_before(pending: PendingFile) -> None:
    f = pending
    created = f.create()
    assert created.status_code == 201 and created.headers["Upload-Offset"] == "0"
    # a first chunk sent later in a POST goes into that upload at offset 0
    with_body = f.create(f.data[:CHUNK])
    assert with_body.headers["Location"] == created.headers["Location"]
    assert with_body.headers["Upload-Offset"] == str(CHUNK)


def test_an_upload_left_behind_once_another_device_of_the_hall_sent_the_file_goes(pending: PendingFile) -> None:
    f = pending
    created = f.create(f.data[:CHUNK])
    assert created.status_code == 201 and f.upload_rows() == 1
    code = f.platform.enroll_code(name="kiosk-2", role="kiosk")
    token = requests.post(f.platform.url() + "/enroll", json={"code": code}, timeout=10).json()["token"]
    neighbour = dataclasses.replace(f, token=token)
    assert neighbour.create(f.data).status_code == 200 and f.hall_copies() == 1 and f.case_complete()
    assert f.upload_rows() == 1  # the first device's upload is still there, until that device asks again
    answer = f.create(f.data[:CHUNK])
    assert answer.status_code == 200 and answer.headers[UPLOAD_COMPLETE_HEADER] == "1"
    assert f.upload_rows() == 0 and not list(f.platform.store.uploads_dir.iterdir())
    assert f.request("HEAD", created.headers["Location"]).status_code == 404
    assert f.stored() == f.data


def test_a_body_that_is_not_a_proper_first_chunk_is_refused_and_creates_nothing(pending: PendingFile) -> None:
    f = pending
    first = f.data[:CHUNK]
    assert_refused(f.create(first, checksum=hashlib.sha256(b"other bytes").digest()), CHECKSUM_MISMATCH, "checksum")
    assert_refused(f.create(first, Content_Type="application/octet-stream"), 415, "content_type")
    assert_refused(f.create(first, Upload_Checksum="md5 abc"), 400, "bad_checksum")
    assert_refused(f.create(first, length=CHUNK - 1), 400, "upload")  # past the announced length
    assert f.upload_rows() == 0 and f.stored() is None
    # a file of another length than the case declares is refused before its bytes are looked at
    assert_refused(f.create(f.data + b"x", length=len(f.data) + 1), 422, "attachment_mismatch")
    assert f.upload_rows() == 0 and f.stored() is None and not f.case_complete()
    assert f.create(f.data).status_code == 200  # the proper request still works


def test_a_first_chunk_over_the_platforms_chunk_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    platform = PlatformServer(tmp_path / "platform", limits=Limits(max_chunk_bytes=CHUNK))
    try:
        f = pending_file(tmp_path, platform)
        assert_refused(f.create(f.data[: CHUNK + 1]), 413, "too_large")
        assert f.upload_rows() == 0
        created = f.create(f.data[:CHUNK])
        assert created.status_code == 201 and created.headers["Upload-Offset"] == str(CHUNK)
    finally:
        platform.stop()
