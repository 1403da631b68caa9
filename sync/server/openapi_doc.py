"""The platform's OpenAPI document describes every status, header and body a client meets.

FastAPI documents what the endpoints declare; the answers the layers around
them give (the protocol middleware's 400/411/413/415/422/500, the
authentication's 401, the per-device cap's 429) and the tus headers the
upload endpoints read and write by hand are added here, each error with the
platform's error model (`ProblemAnswer`) as its body and every answer with
the protocol header. Links tie a created upload to its HEAD and PATCH, so a
stateful client (schemathesis) reaches them.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sync import wire
from sync.protocol import (
    API_PREFIX,
    CHECKSUM_MISMATCH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    UPLOAD_BATCH_HEADER,
    UPLOAD_BATCH_MAX_FILES,
    UPLOAD_COMPLETE_HEADER,
)

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemAnswer"}
DESCRIPTIONS = {
    400: "malformed request (a header such as Content-Length, Upload-Length or Upload-Metadata)",
    401: "no device token, or an unknown or revoked one",
    403: "refused", 404: "not found", 409: "conflict with the current state",
    411: "a body without Content-Length (chunked)", 413: "body or file over the platform's limit",
    415: "the body is not of the media type this operation takes",
    422: "the body or a parameter does not fit the model (also lone surrogates, NaN, integers past 2^63)",
    429: "too many requests of this device in flight", CHECKSUM_MISMATCH: "the chunk failed its checksum",
    500: "the platform failed (still in the error format, with the protocol header)",
}
TUS = {"schema": {"type": "string", "enum": ["1.0.0"]}, "description": "tus protocol version"}
OFFSET = {"schema": {"type": "string", "pattern": "^[0-9]+$"}, "description": "bytes the platform holds"}
LENGTH = {"schema": {"type": "string", "pattern": "^[0-9]+$"}, "description": "the file's whole length"}


def _header_param(name: str, required: bool, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": description}


_BATCH_ENTRY = "[0-9a-f]{64}:[0-9]{1,15}"
BATCH_PATTERN = f"^{_BATCH_ENTRY}(,{_BATCH_ENTRY}){{0,{UPLOAD_BATCH_MAX_FILES - 1}}}$"

#: what the upload endpoints read and write by hand, per (path, method)
TUS_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    (f"{API_PREFIX}/uploads", "post"): {
        "parameters": [
            _header_param("Upload-Length", True, {"type": "string", "pattern": "^[0-9]{1,15}$"}, "the file's length"),
            _header_param("Upload-Metadata", True, {"type": "string", "pattern": "^sha256 [A-Za-z0-9+/=]{1,200}$"},
                          "tus metadata: `sha256 <base64 of the file's hex SHA-256>`"),
            _header_param("Tus-Resumable", False, {"type": "string", "enum": ["1.0.0"]}, "tus protocol version"),
            _header_param("Upload-Checksum", False, {"type": "string", "pattern": "^sha256 [A-Za-z0-9+/=]{1,100}$"},
                          "with a body: `sha256 <base64 of the first chunk's SHA-256 digest>`")],
        "requestBody": {"required": False, "description": "optionally the file's first chunk, or the whole file "
                                                          "(tus creation-with-upload)", "content": {
            "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "headers": {200: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET, "Upload-Length": LENGTH,
                          UPLOAD_COMPLETE_HEADER: {"schema": {"type": "string", "enum": ["1"]},
                                                   "description": "the hall holds the whole, verified file"}},
                    201: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET, "Upload-Length": LENGTH,
                          "Location": {"schema": {"type": "string"}, "description": "the upload's address"}},
                    409: {"Tus-Resumable": TUS}, 413: {"Tus-Resumable": TUS},
                    CHECKSUM_MISMATCH: {"Tus-Resumable": TUS}},
        "links": {201: {
            "UploadHead": {"operationId": "head", "parameters": {
                "upload_id": "$response.header.Location#regex:/uploads/([0-9a-f]+)$"}},
            "UploadPatch": {"operationId": "patch", "parameters": {
                "upload_id": "$response.header.Location#regex:/uploads/([0-9a-f]+)$",
                "Upload-Offset": "0"}}}},
    },
    (f"{API_PREFIX}/uploads/batch", "post"): {
        "parameters": [
            _header_param(UPLOAD_BATCH_HEADER, True, {"type": "string", "pattern": BATCH_PATTERN},
                          "each file's hex SHA-256 and length, in body order: `<sha256>:<length>,...`"),
            _header_param("Tus-Resumable", False, {"type": "string", "enum": ["1.0.0"]}, "tus protocol version")],
        "requestBody": {"required": True, "description": "the files named, one after another", "content": {
            "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "headers": {},
    },
    (f"{API_PREFIX}/uploads/{{upload_id}}", "head"): {
        "parameters": [_header_param("Tus-Resumable", False, {"type": "string", "enum": ["1.0.0"]}, "tus version")],
        "headers": {200: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET, "Upload-Length": LENGTH},
                    404: {"Tus-Resumable": TUS}},
    },
    (f"{API_PREFIX}/uploads/{{upload_id}}", "patch"): {
        "parameters": [
            _header_param("Upload-Offset", True, {"type": "string", "pattern": "^[0-9]{1,15}$"}, "where this chunk goes"),
            _header_param("Upload-Checksum", True, {"type": "string", "pattern": "^sha256 [A-Za-z0-9+/=]{1,100}$"},
                          "`sha256 <base64 of the chunk's SHA-256 digest>`"),
            _header_param("Tus-Resumable", False, {"type": "string", "enum": ["1.0.0"]}, "tus protocol version")],
        "requestBody": {"required": True, "content": {
            "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "headers": {204: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET, "Upload-Length": LENGTH,
                          UPLOAD_COMPLETE_HEADER: {"schema": {"type": "string", "enum": ["1"]},
                                                   "description": "present once the whole file arrived and verified"}},
                    409: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET},
                    CHECKSUM_MISMATCH: {"Tus-Resumable": TUS, "Upload-Offset": OFFSET}},
    },
}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    found = {400, 411, 413, 500}
    if operation.get("security"):
        found |= {401, 429}
    if operation.get("requestBody") or operation.get("parameters"):
        found.add(422)
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        found.add(415)
    return found


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add to a FastAPI-made document what the layers around the endpoints answer."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ProblemAnswer"] = _problem_schema(schemas)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    protocol = {PROTOCOL_HEADER: {"required": True, "schema": {"type": "string", "enum": [PROTOCOL_VERSION]},
                                  "description": "marks the platform's own answers (never a proxy's or portal's)"}}
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            extra = TUS_OPERATIONS.get((path, method), {})
            if extra.get("parameters"):
                operation["parameters"] = [*operation.get("parameters", []), *extra["parameters"]]
            if extra.get("requestBody"):
                operation["requestBody"] = extra["requestBody"]
            if extra:  # the upload endpoints' successes carry headers only, no body
                for status, response in operation.get("responses", {}).items():
                    if int(status) < 300:
                        response.pop("content", None)
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                responses.setdefault(str(status), {})
            for status, response in responses.items():
                code = int(status)
                response.setdefault("description", DESCRIPTIONS.get(code, "answer"))
                if code >= 400:
                    response["content"] = {} if method == "head" else {"application/json": {"schema": PROBLEM_REF}}
                    if not response["description"] or response["description"] == "Validation Error":
                        response["description"] = DESCRIPTIONS.get(code, "error")
                if method == "head":
                    response.pop("content", None)
                headers = response.setdefault("headers", {})
                headers.update(protocol)
                headers.update(extra.get("headers", {}).get(code, {}))
                if code == 401:
                    headers["WWW-Authenticate"] = {"schema": {"type": "string"}, "required": True}
                if code == 429:
                    headers["Retry-After"] = {"schema": {"type": "string"}}
                if code in extra.get("links", {}):
                    response["links"] = {name: {**link, "operationId": _operation_id(document, link["operationId"])}
                                         for name, link in extra["links"][code].items()}
    return document


def _operation_id(document: dict[str, Any], method: str) -> str:
    """The operationId FastAPI gave the upload's own `method` operation."""
    return str(document["paths"][f"{API_PREFIX}/uploads/{{upload_id}}"][method]["operationId"])


def _problem_schema(schemas: dict[str, Any]) -> dict[str, Any]:
    schema = wire.ProblemAnswer.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    return schema


def install(app: FastAPI) -> None:
    """Make `app.openapi()` return the completed document (built once, as FastAPI does)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(get_openapi(title=app.title, version=app.version, routes=app.routes,
                                                      description=app.description))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
