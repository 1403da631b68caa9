"""schemathesis against the platform's own OpenAPI document: never a 5xx, and every answer as documented.

Each operation is driven through Hypothesis directly (schemathesis's pytest
plugin does not load with this pytest), as an enrolled device and with
whatever headers the fuzzer makes up, and every response is checked for
conformance: status documented, content type, headers (the protocol header,
the tus headers) and body schema (the error model for every 4xx). The
platform holds a real case and an upload in progress, so lookups and uploads
meet real rows too; the document's links are followed, with their own expressions, from a
created upload to its HEAD and PATCH.
"""
from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kiosk.application_document import ApplicationContent
from kiosk.canonical import content_hash
from sync.server.app import create_app
from sync.server.cases import push_batch
from sync.server.db import PlatformStore, open_platform
from sync.server.enrollment import create_code, redeem
from sync.server.models import Device
from sync.server.uploads import create as create_upload

EXAMPLES = 25
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")  # tus chunks
SCAN = b"\xff\xd8\xff\xe0 scan of an ID card"  # a JPEG's first bytes: the platform checks the declared type
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _seed(store, device_id: int) -> None:  # type: ignore[no-untyped-def]
    """A case waiting for one file, and that file's upload begun, so lookups and uploads meet real rows."""
    data = SCAN
    sha = hashlib.sha256(data).hexdigest()
    content = ApplicationContent(service_item="330106000173002001", catalog_version="2026.1", applicant={"name": "张三"},
                                 form={}, materials={"id_card": [sha]})
    doc = {"id": str(uuid.uuid4()), "hall_code": "330106001", "device_no": 1, "receipt_no": None, "channel": "kiosk",
           "submitted_at": "2026-11-29T10:00:00+08:00", "content": content.model_dump(mode="json"),
           "content_hash": content_hash(content.model_dump(mode="json")),
           "attachments": [{"sha256": sha, "size": len(data), "media_type": "image/jpeg"}]}
    with store.transaction() as session:
        device = session.get(Device, device_id)
        session.expunge(device)
    (result,) = push_batch(store, device, [doc])
    assert result.result == "created", result
    create_upload(store, device, sha, len(data), 1024 * 1024)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[PlatformStore, dict[str, str]]]:
    """A platform with an enrolled device (its bearer header) and `_seed`'s case and upload."""
    store = open_platform(tmp_path / "platform")
    code = create_code(store, "330106001", "fuzz")
    with store.transaction() as session:
        enrolled = redeem(session, code)
    _seed(store, enrolled.device_id)
    yield store, {"Authorization": f"Bearer {enrolled.token}"}
    store.close()


def _conformance(case, response, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    try:
        case.validate_response(response, checks=CHECKS)
    except (AssertionError, BaseExceptionGroup) as exc:  # one failure, or a FailureGroup of several
        failures.append(f"{case.method} {case.path} -> {response.status_code}: {str(exc)[:400]}")


def test_every_operation_answers_as_documented(seeded: tuple[PlatformStore, dict[str, str]]) -> None:
    store, auth = seeded
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(store))
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            for headers in (auth, None):  # as an enrolled device, and with whatever the fuzzer made up
                response = case.call(headers=headers)
                _conformance(case, response, failures)

        check()
    assert operations >= 12
    assert failures == [], failures[:5]


def test_links_lead_from_a_created_upload_to_its_head_and_patch(seeded: tuple[PlatformStore, dict[str, str]]) -> None:
    """A created upload's Location, through the links' expressions, leads to its HEAD and a real PATCH (204)."""
    store, auth = seeded
    sha = hashlib.sha256(SCAN).hexdigest()
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(store))
    post = schema["/api/v1/uploads"]["POST"]
    case = post.Case(headers={**auth, "Upload-Length": str(len(SCAN)), "Tus-Resumable": "1.0.0",
                              "Upload-Metadata": "sha256 " + base64.b64encode(sha.encode()).decode()})
    response = case.call()
    failures: list[str] = []
    _conformance(case, response, failures)
    assert response.status_code == 201, response.text
    document = schema.raw_schema
    links = document["paths"]["/api/v1/uploads"]["post"]["responses"]["201"]["links"]
    by_id = {op["operationId"]: (path, method) for path, ops in document["paths"].items() for method, op in ops.items()}
    data = SCAN
    for link in links.values():  # follow each link as a stateful client does: its expressions on this response
        path, method = by_id[link["operationId"]]
        expression = link["parameters"]["upload_id"]
        pattern = expression.split("#regex:", 1)[1]
        assert expression.startswith("$response.header.Location")
        upload_id = re.search(pattern, response.headers["location"][0] if isinstance(
            response.headers["location"], list) else response.headers["location"]).group(1)
        headers = dict(auth)
        body = None
        if method == "patch":
            headers.update({"Upload-Offset": link["parameters"]["Upload-Offset"], "Tus-Resumable": "1.0.0",
                            "Content-Type": "application/offset+octet-stream",
                            "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()})
            body = data
        kwargs = {"body": body, "media_type": "application/offset+octet-stream"} if body is not None else {}
        follow = schema[path][method.upper()].Case(path_parameters={"upload_id": upload_id}, headers=headers,
                                                   **kwargs)
        answer = follow.call()
        _conformance(follow, answer, failures)
        assert answer.status_code == (204 if method == "patch" else 200), (method, answer.status_code, answer.text)
    assert failures == [], failures


def test_a_stateful_run_follows_the_links_into_uploads(seeded: tuple[PlatformStore, dict[str, str]]) -> None:
    """schemathesis's state machine, built from the document's links, as an enrolled device.

    The test's copy of the document narrows POST /uploads to the seeded file's
    metadata and no body, so the machine meets 201s and follows their links to HEAD and
    PATCH with the upload's real id; every answer is checked for conformance.
    """
    import copy
    from collections import Counter

    from hypothesis import settings as hsettings

    store, auth = seeded
    sha = hashlib.sha256(SCAN).hexdigest()
    app = create_app(store)
    document = copy.deepcopy(app.openapi())
    # without the optional first chunk (creation-with-upload): random bodies would rarely carry their checksum,
    # and the machine would seldom meet a 201 to follow (the stateless run sends POST /uploads bodies)
    document["paths"]["/api/v1/uploads"]["post"].pop("requestBody")
    for param in document["paths"]["/api/v1/uploads"]["post"]["parameters"]:
        if param["name"] == "Upload-Metadata":
            param["schema"] = {"type": "string", "enum": ["sha256 " + base64.b64encode(sha.encode()).decode()]}
        if param["name"] == "Upload-Length":
            param["schema"] = {"type": "string", "enum": [str(len(SCAN))]}
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    schema.location = "/api/v1/openapi.json"
    seen: Counter[tuple[str, str, int]] = Counter()
    failures: list[str] = []

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            return {"headers": auth}

        def after_call(self, response, case):  # type: ignore[no-untyped-def]
            seen[(case.method, case.path, response.status_code)] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # type: ignore[no-untyped-def]
            _conformance(case, response, failures)

    Machine.run(settings=hsettings(max_examples=60, stateful_step_count=4, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck)))
    assert failures == [], failures[:5]
    reached = {(method, status) for (method, path, status) in seen if path == "/api/v1/uploads/{upload_id}"}
    print(f"\nstateful run: {sum(seen.values())} calls; on /uploads/{{upload_id}}: {sorted(reached)}")
    assert any(method == "HEAD" and status == 200 for method, status in reached), seen
    assert any(method == "PATCH" for method, _ in reached), seen
    assert not any(status >= 500 for (_, _, status) in seen), seen
