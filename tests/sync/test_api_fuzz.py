"""schemathesis against the platform's own OpenAPI document: whatever it sends, never a 5xx.

Operations are driven through Hypothesis directly (schemathesis's pytest
plugin does not load with this pytest); each gets a bounded number of examples
so the whole run stays well under a minute.
"""
from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from sync.server.app import create_app
from sync.server.db import open_platform
from sync.server.enrollment import create_code, redeem

EXAMPLES = 30


def _header(response, name: str) -> str | None:  # type: ignore[no-untyped-def]
    """schemathesis 4 gives headers as lists of values."""
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return None


def test_no_server_errors_for_any_operation(tmp_path: Path) -> None:
    store = open_platform(tmp_path / "platform")
    code = create_code(store, "330106001", "fuzz")
    with store.transaction() as session:
        auth = {"Authorization": f"Bearer {redeem(session, code).token}"}
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
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.path} -> {response.status_code}: {response.text[:200]}")
                elif response.status_code < 400 and _header(response, "onewindow-protocol") != "1":
                    failures.append(f"{case.method} {case.path}: success without the protocol header")

        check()
    store.close()
    assert operations >= 10
    assert failures == [], failures[:5]
