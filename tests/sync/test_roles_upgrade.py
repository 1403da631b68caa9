"""A version-2 platform database (before roles and platform staff) is upgraded in place, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import inspect, select, text

from sync.client import PlatformClient
from sync.server.db import open_platform
from sync.server.enrollment import create_code, redeem
from sync.server.models import SCHEMA_VERSION, Device, EnrollmentCode, SchemaInfo
from tests.sync.servers import PlatformServer

HALL = "330106001"


def make_version_2_database(home: Path, db_url: str | None) -> tuple[str, str]:
    """The schema as version 2 made it, with an enrolled device and a code not yet used: (token, code)."""
    store = open_platform(home, db_url)
    code_used, code_open = create_code(store, HALL, "old kiosk"), create_code(store, HALL, "not yet enrolled")
    with store.transaction() as session:
        token = redeem(session, code_used).token
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE staff_accounts"))
        conn.execute(text("ALTER TABLE devices DROP COLUMN role"))
        conn.execute(text("ALTER TABLE enrollment_codes DROP COLUMN role"))
        conn.execute(text("UPDATE platform_schema SET version = 2"))
    store.close()
    return token, code_open


def test_a_version_2_database_gets_roles_and_keeps_every_device_working(tmp_path: Path, db_url: str | None) -> None:
    home = tmp_path / "platform"
    token, code = make_version_2_database(home, db_url)
    server = PlatformServer(home, db_url)  # opening it runs the upgrade
    try:
        with server.store.transaction() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION >= 3
            assert [(d.name, d.role) for d in s.scalars(select(Device))] == [("old kiosk", "counter")]
            assert {c.device_name: c.role for c in s.scalars(select(EnrollmentCode))} == \
                {"old kiosk": "counter", "not yet enrolled": "counter"}
        assert "staff_accounts" in inspect(server.store.engine).get_table_names()
        # the device enrolled before roles goes on as before: it may read the hall's staff list, as a counter
        r = requests.get(server.url("/api/v1/staff"), headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 200 and r.json() == {"hall_code": HALL, "staff": []}
        # a code handed out before the upgrade enrolls a counter, and says so
        answer = PlatformClient(server.url()).json("POST", "enroll", json_body={"code": code})
        assert answer["role"] == "counter"
        server.add_staff(HALL, "clerk1", "password-1", "clerk")  # the new table works
    finally:
        server.stop()
    again = open_platform(home, db_url)  # a second start changes nothing
    with again.transaction() as s:
        assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION
        assert sorted(d.role for d in s.scalars(select(Device))) == ["counter", "counter"]
    again.close()
