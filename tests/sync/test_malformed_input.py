"""Well-formed HTTP with contents no endpoint can store answers 4xx in the platform's error format, with the
protocol header: before, a lone surrogate (also on /enroll, without a token), NaN, or an unexpected failure
answered a bare 500 without the header, and body-parse errors came as `{"detail": ...}`."""
from __future__ import annotations

import requests

from tests.sync.servers import PlatformServer


def _is_problem(r: requests.Response, status: int, code: str | None = None) -> None:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers.get("OneWindow-Protocol") == "1"
    body = r.json()
    assert body["reason"]["zh"] and body["reason"]["en"], body
    if code is not None:
        assert body["code"] == code, body


def _token(platform: PlatformServer) -> dict[str, str]:
    r = requests.post(platform.url("/api/v1/enroll"), json={"code": platform.enroll_code()}, timeout=5)
    return {"Authorization": f"Bearer {r.json()['token']}"}


JSON = {"Content-Type": "application/json"}


def test_lone_surrogates_nan_huge_integers_and_bad_bodies_get_4xx(sqlite_platform: PlatformServer) -> None:
    auth = _token(sqlite_platform)
    url = sqlite_platform.url
    bodies = {
        "/api/v1/enroll": [(b'{"code": "\\ud800"}', "bad_text"), (b'{"code": NaN}', "bad_json"),
                           (b'{"code": Infinity}', "bad_json"), (b'{"code": "\xff"}', "bad_json"),
                           (b'{"code": ' + b"9" * 30 + b"}", "number_out_of_range"), (b'{"code":', "bad_json")],
        "/api/v1/applications": [(b'{"applications": [{"id": "\\udc80x"}]}', "bad_text"),
                                 (b'{"applications": [{"device_no": 9223372036854775808}]}', "number_out_of_range"),
                                 (b'{"applications": ' + b"[" * 5000 + b"]" * 5000 + b"}", None)],
        "/api/v1/applications/state": [(b'{"ids": ["\\ud800"]}', "bad_text")],
        "/api/v1/decisions": [(b'{"decided_by": "\\udfff"}', "bad_text")],
        "/api/v1/attachments/missing": [(b'{"sha256": [-1e999]}', None)],
    }
    for path, cases in bodies.items():
        for body, code in cases:
            for headers in ({**JSON}, {**JSON, **auth}):  # /enroll needs no token: the same answer either way
                r = requests.post(url(path), data=body, headers=headers, timeout=10)
                if path != "/api/v1/enroll" and "Authorization" not in headers and r.status_code == 401:
                    continue
                _is_problem(r, 422, code)
    # a body that is not JSON at all
    r = requests.post(url("/api/v1/enroll"), data=b"code=x", headers={"Content-Type": "application/x-www-form-urlencoded"},
                      timeout=5)
    _is_problem(r, 415, "content_type")
    # the surrogate pair for one character is fine: only a lone half is refused
    r = requests.post(url("/api/v1/enroll"), data=b'{"code": "\\ud83d\\ude00"}', headers=JSON, timeout=5)
    _is_problem(r, 403)


def test_negative_and_oversized_numbers_in_fields_and_headers(sqlite_platform: PlatformServer) -> None:
    auth = _token(sqlite_platform)
    url = sqlite_platform.url
    r = requests.get(url("/api/v1/changes"), params={"since": -1}, headers=auth, timeout=5)
    _is_problem(r, 422, "invalid")
    r = requests.get(url("/api/v1/changes"), params={"since": 2**64}, headers=auth, timeout=5)
    _is_problem(r, 422, "invalid")
    for length in ("-1", "99999999999999999999", "\u00b2".encode("latin-1")):  # ² passes str.isdigit()
        r = requests.post(url("/api/v1/uploads"), headers={**auth, "Upload-Length": length,
                                                           "Upload-Metadata": "sha256 YWJj"}, timeout=5)
        _is_problem(r, 400)


def test_unknown_addresses_and_methods_answer_in_the_error_format(sqlite_platform: PlatformServer) -> None:
    _is_problem(requests.get(sqlite_platform.url("/api/v1/nowhere"), timeout=5), 404, "not_found")
    _is_problem(requests.delete(sqlite_platform.url("/api/v1/summary"), timeout=5), 405, "method_not_allowed")


def test_an_unexpected_failure_is_a_500_in_the_error_format_with_the_protocol_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def broken(app):  # type: ignore[no-untyped-def]
        @app.get("/api/v1/broken")
        def _broken() -> None:
            raise RuntimeError("a defect")
        return app

    platform = PlatformServer(tmp_path / "platform", wrap=broken)
    try:
        _is_problem(requests.get(platform.url("/api/v1/broken"), timeout=5), 500, "internal")
    finally:
        platform.stop()


def _document(data: bytes, media_type: str) -> dict:  # type: ignore[type-arg]
    import hashlib
    import uuid

    from kiosk.application_document import ApplicationContent
    from kiosk.canonical import content_hash

    sha = hashlib.sha256(data).hexdigest()
    content = ApplicationContent(service_item="330106000173002001", catalog_version="2026.1",
                                 applicant={"name": "张三"}, form={}, materials={"id_card": [sha]})
    return {"id": str(uuid.uuid4()), "hall_code": "330106001", "device_no": 1, "receipt_no": None, "channel": "kiosk",
            "submitted_at": "2026-11-29T10:00:00+08:00", "content": content.model_dump(mode="json"),
            "content_hash": content_hash(content.model_dump(mode="json")),
            "attachments": [{"sha256": sha, "size": len(data), "media_type": media_type}]}


def test_media_types_outside_the_token_grammar_are_refused_and_never_reach_a_header(
        sqlite_platform: PlatformServer) -> None:
    import base64
    import hashlib

    from sqlalchemy import update

    from sync.server.models import CaseAttachment, HallBlob

    auth = _token(sqlite_platform)
    url = sqlite_platform.url
    for bad in ("image/jpeg\r\nX-Evil: 1", "image/jpeg\n", "image/jpé", "图片/jpeg", "image/jp\x00eg", "image/jpeg; a=b"):
        r = requests.post(url("/api/v1/applications"), json={"applications": [_document(b"x", bad)]}, headers=auth,
                          timeout=5)
        assert r.status_code == 200 and r.headers["OneWindow-Protocol"] == "1"
        (result,) = r.json()["results"]
        assert result["result"] == "rejected" and "attachments" in result["reason"]["en"], (bad, result)
    # a file stored with a good media type, whose row is then damaged: the download still answers, as octets
    data = b"\xff\xd8\xff\xe0 scan of an ID card"  # a JPEG's first bytes: the platform checks the declared type
    sha = hashlib.sha256(data).hexdigest()
    r = requests.post(url("/api/v1/applications"), json={"applications": [_document(data, "image/jpeg")]},
                      headers=auth, timeout=5)
    assert r.json()["results"][0]["result"] == "created"
    r = requests.post(url("/api/v1/uploads"), headers={**auth, "Upload-Length": str(len(data)),
                                                       "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode()},
                      timeout=5)
    r = requests.patch(url(r.headers["Location"]), data=data, timeout=5, headers={
        **auth, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
        "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()})
    assert r.status_code == 204
    with sqlite_platform.store.transaction() as session:
        for table in (CaseAttachment, HallBlob):  # the case's declaration, and the hall's record the download reads
            session.execute(update(table).where(table.sha256 == sha).values(media_type="image/jpeg\r\nX-Evil: 1"))
    for _ in range(2):  # every later download too
        r = requests.get(url(f"/api/v1/attachments/{sha}"), headers=auth, timeout=5)
        assert r.status_code == 200 and r.content == data
        assert r.headers["Content-Type"] == "application/octet-stream" and "X-Evil" not in r.headers
