"""Device numbers come from the platform: per hall, lowest free, never reused; old databases are upgraded.

The real platform over HTTP (SQLite and PostgreSQL), the real `onewindow enroll`,
`onewindow submit` and `onewindow doctor` commands.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import requests
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from kiosk.cli import main
from kiosk.device_identity import (
    HallMismatch,
    NoDeviceNumber,
    assigned_device_no,
    device_no_for_receipts,
    forget_assigned_device_no,
)
from kiosk.receipt_numbers import ReceiptNo, parse_receipt_no
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from sync.client import PlatformClient
from sync.server.db import open_platform
from sync.server.models import SCHEMA_VERSION, Case, Device, ReceiptCollision, SchemaInfo
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, write
from tests.sync.servers import PlatformServer

HALL, OTHER_HALL = "330106001", "330106002"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def enroll_http(platform: PlatformServer, hall: str, name: str) -> dict:
    return PlatformClient(platform.url()).json("POST", "enroll", json_body={"code": platform.enroll_code(hall, name)})


def cli_enroll(capsys: pytest.CaptureFixture[str], platform: PlatformServer, home: Path, hall: str = HALL) -> dict:
    rc, out, _ = cli(capsys, "platform", "enroll-code", "--home", str(platform.home), "--hall", hall,
                     "--device-name", home.name)
    assert rc == 0
    rc, out, err = cli(capsys, "--home", str(home), "enroll", "--platform", platform.url(), "--code", out.strip())
    assert rc == 0, err
    return json.loads(out)


def submission_file(capsys: pytest.CaptureFixture[str], home: Path, folder: Path) -> Path:
    rc, out, err = cli(capsys, "--home", str(home), "submit", "--example", ID_CARD_ITEM)
    assert rc == 0, err
    doc = json.loads(out)
    folder.mkdir(parents=True, exist_ok=True)
    for i, code in enumerate(doc["materials"]):
        doc["materials"][code] = [str(write(folder / f"{code}.jpg", jpeg_bytes(seed=i + 1)))]
    path = folder / "app.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_two_terminals_of_a_hall_get_1_and_2_and_number_their_receipts_with_them(
        tmp_path: Path, platform: PlatformServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")  # no number of their own: exactly the default that used to be 1
    one, two, other = tmp_path / "one", tmp_path / "two", tmp_path / "other"
    app_file = submission_file(capsys, one, tmp_path / "files")
    # before enrolling, a terminal with no number refuses to issue a receipt, and says so
    rc, out, err = cli(capsys, "--home", str(one), "submit", str(app_file))
    assert rc == 2 and out == ""
    assert "no device number" in err and "nothing was saved" in err and "设备编号" in err

    assert cli_enroll(capsys, platform, one)["device_no"] == 1
    assert cli_enroll(capsys, platform, two)["device_no"] == 2
    other.mkdir()
    (other / "onewindow.toml").write_text(f'hall_code = "{OTHER_HALL}"\n', encoding="utf-8")
    monkeypatch.delenv("ONEWINDOW_CONFIG")  # read the hall from the data dir's own settings file
    assert cli_enroll(capsys, platform, other, hall=OTHER_HALL)["device_no"] == 1  # another hall starts at 1

    receipts = {}
    for home in (one, two, other):
        rc, out, err = cli(capsys, "--home", str(home), "submit", str(app_file))
        assert rc == 0, err
        receipts[home.name] = parse_receipt_no(json.loads(out)["receipt_no"])
    assert (receipts["one"].hall_code, receipts["one"].device_no) == (HALL, 1)
    assert (receipts["two"].hall_code, receipts["two"].device_no) == (HALL, 2)
    assert (receipts["other"].hall_code, receipts["other"].device_no) == (OTHER_HALL, 1)

    rc, out, _ = cli(capsys, "--home", str(two), "doctor", "--json")
    check = next(c for c in json.loads(out)["checks"] if c["name"] == "device_number")
    assert check["status"] == "ok" and check["data"]["device_no"] == 2 and check["data"]["source"] == "platform"
    assert "assigned by the platform" in check["detail"]
    with platform.store.transaction() as s:
        numbers = {(d.hall_code, d.name): d.device_no for d in s.scalars(select(Device))}
    assert numbers == {(HALL, "one"): 1, (HALL, "two"): 2, (OTHER_HALL, "other"): 1}


def test_the_platforms_number_wins_over_a_setting_and_a_hall_mismatch_is_refused(
        tmp_path: Path, sqlite_platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first"
    cli_enroll(capsys, sqlite_platform, first)  # takes number 1
    home = tmp_path / "t"
    assert cli_enroll(capsys, sqlite_platform, home)["device_no"] == 2
    terminal = Terminal.open(load_settings(home, device_no=7))  # an operator's number left over from before
    with terminal.store.transaction() as s:
        assert device_no_for_receipts(s, terminal.settings) == 2
    rc, out, _ = cli(capsys, "--home", str(home), "doctor", "--json")  # conftest's device_no=1 differs from 2
    check = next(c for c in json.loads(out)["checks"] if c["name"] == "device_number")
    assert check["status"] == "warn" and "is ignored" in check["detail"]
    moved = Terminal.open(load_settings(home, hall_code="330106009"))
    with moved.store.transaction() as s, pytest.raises(HallMismatch) as err:
        device_no_for_receipts(s, moved.settings)
    assert "enrolled for hall 330106001" in str(err.value) and "330106009" in str(err.value)


def test_an_unset_number_without_a_platform_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")
    terminal = Terminal.open(load_settings(tmp_path / "h"))
    assert terminal.settings.device_no == 0
    with terminal.store.transaction() as s, pytest.raises(NoDeviceNumber):
        device_no_for_receipts(s, terminal.settings)
    with terminal.store.transaction() as s:
        assert assigned_device_no(s) is None


def test_revoked_numbers_are_never_handed_out_again(platform: PlatformServer, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = enroll_http(platform, HALL, "a"), enroll_http(platform, HALL, "b")
    assert (a["device_no"], b["device_no"]) == (1, 2)
    for device in (a, b):
        rc, _, err = cli(capsys, "platform", "revoke-device", "--home", str(platform.home), str(device["device_id"]))
        assert rc == 0, err
    c = enroll_http(platform, HALL, "c")
    assert c["device_no"] == 3  # receipts numbered 001 and 002 still exist: those numbers stay taken
    # a gap (a number no device holds) is filled: lowest free number
    with platform.store.transaction() as s:
        s.get(Device, c["device_id"]).device_no = 5
    assert enroll_http(platform, HALL, "d")["device_no"] == 3
    assert enroll_http(platform, HALL, "e")["device_no"] == 4
    assert enroll_http(platform, HALL, "f")["device_no"] == 6


def test_enrollments_racing_in_one_hall_get_distinct_numbers(platform: PlatformServer) -> None:
    codes = [platform.enroll_code(HALL, f"k{i}") for i in range(8)]
    answers: list[dict] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(codes))

    def go(code: str) -> None:
        try:
            start.wait()
            answers.append(PlatformClient(platform.url()).json("POST", "enroll", json_body={"code": code}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(a["device_no"] for a in answers) == list(range(1, 9))


def test_a_hall_with_every_number_taken_refuses_enrollment_with_a_reason(sqlite_platform: PlatformServer) -> None:
    with sqlite_platform.store.transaction() as s:
        s.execute(insert(Device), [{"hall_code": HALL, "name": f"d{n}", "token_hash": f"x{n}", "device_no": n}
                                   for n in range(1, 1000)])
    resp = requests.post(sqlite_platform.url("/api/v1/enroll"), json={"code": sqlite_platform.enroll_code(HALL, "z")},
                         timeout=10)
    assert resp.status_code == 409
    reason = resp.json()["reason"]
    assert "999" in reason["zh"] and "never reused" in reason["en"]


# --- the upgrade of a platform database made before device numbers -------------------------------

def receipt(device_no: int, seq: int) -> str:
    from datetime import date

    return str(ReceiptNo(HALL, device_no, date(2026, 11, 2), seq))


def make_version_1_database(home: Path, db_url: str | None) -> None:
    """The schema as version 1 of the platform made it: no device numbers, receipt numbers not unique."""
    store = open_platform(home, db_url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP INDEX uq_devices_hall_device_no"))
        conn.execute(text("ALTER TABLE devices DROP COLUMN device_no"))
        conn.execute(text("DROP INDEX uq_cases_hall_receipt_no"))
        conn.execute(text("DROP TABLE receipt_collisions"))
        conn.execute(text("UPDATE platform_schema SET version = 1"))
        devices = [("a", HALL, None), ("portal", HALL, "portal:" + HALL), ("b", HALL, None), ("c", OTHER_HALL, None),
                   ("d", HALL, None)]
        for i, (name, hall, marker) in enumerate(devices, start=1):
            conn.execute(text("INSERT INTO devices (id, hall_code, name, token_hash, enrolled_at) "
                              "VALUES (:id, :hall, :name, :token, CURRENT_TIMESTAMP)"),
                         {"id": i, "hall": hall, "name": name, "token": marker or f"hash-{i}"})
        conn.execute(text("UPDATE devices SET revoked_at = CURRENT_TIMESTAMP WHERE name = 'b'"))
        shared = receipt(1, 1)  # two terminals on the default number 1 issued the same receipt number
        cases = [(1, shared), (3, shared), (1, receipt(1, 2)), (2, None), (3, shared)]
        for i, (device_id, receipt_no) in enumerate(cases, start=1):
            conn.execute(insert(Case.__table__).values(
                id=i, uuid=f"00000000-0000-4000-8000-{i:012d}", hall_code=HALL, device_id=device_id, device_no=1,
                receipt_no=receipt_no, service_item=ID_CARD_ITEM, catalog_version="v", content_hash="0" * 64,
                document={"receipt_no": receipt_no}, status="submitted", complete=False))
    store.close()


def test_a_version_1_platform_database_is_upgraded_not_refused(tmp_path: Path, db_url: str | None) -> None:
    home = tmp_path / "platform"
    make_version_1_database(home, db_url)
    server = PlatformServer(home, db_url)  # opening it runs the upgrade
    try:
        with server.store.transaction() as s:
            assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION
            numbers = {d.name: (d.hall_code, d.device_no) for d in s.scalars(select(Device))}
            holders = {c.id: c.receipt_no for c in s.scalars(select(Case))}
            collisions = [(r.receipt_no, r.case_uuid) for r in s.scalars(select(ReceiptCollision).order_by(ReceiptCollision.id))]
        # numbered per hall in enrollment order, the revoked one included; the online portal gets none
        assert numbers == {"a": (HALL, 1), "portal": (HALL, None), "b": (HALL, 2), "c": (OTHER_HALL, 1),
                           "d": (HALL, 3)}
        shared = receipt(1, 1)
        assert holders == {1: shared, 2: None, 3: receipt(1, 2), 4: None, 5: None}
        assert collisions == [(shared, "00000000-0000-4000-8000-000000000002"),
                              (shared, "00000000-0000-4000-8000-000000000005")]
        # the constraints exist now
        with pytest.raises(IntegrityError), server.store.transaction() as s:
            s.add(Device(hall_code=HALL, name="dup", token_hash="dup", device_no=1))
        with pytest.raises(IntegrityError), server.store.transaction() as s:
            s.add(Case(uuid="00000000-0000-4000-8000-000000000099", hall_code=HALL, device_id=1, device_no=1,
                       receipt_no=receipt(1, 2), service_item=ID_CARD_ITEM, catalog_version="v",
                       content_hash="0" * 64, document={}, status="submitted"))
        # the next device of the hall takes the next number
        answer = enroll_http(server, HALL, "new")
        assert answer["device_no"] == 4
        # a lookup by the shared number answers neither citizen; one by a unique number still works
        headers = {"Authorization": f"Bearer {answer['token']}"}
        resp = requests.get(server.url("/api/v1/lookup"), params={"number": shared}, headers=headers, timeout=10)
        assert resp.status_code == 400 and resp.json()["code"] == "ambiguous_receipt"
        assert "neither is shown" in resp.json()["reason"]["en"]
        resp = requests.get(server.url("/api/v1/lookup"), params={"number": receipt(1, 2)}, headers=headers, timeout=10)
        assert resp.status_code == 200 and resp.json()["id"] == "00000000-0000-4000-8000-000000000003"
    finally:
        server.stop()
    again = open_platform(home, db_url)  # a second start changes nothing
    with again.transaction() as s:
        assert s.scalar(select(SchemaInfo.version)) == SCHEMA_VERSION
        assert len(list(s.scalars(select(ReceiptCollision)))) == 2
    again.close()


def test_embedded_enrollment_records_the_platforms_number(tmp_path: Path, sqlite_platform: PlatformServer,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.embedded import _enroll_if_needed

    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")
    enroll_http(sqlite_platform, HALL, "someone else")  # number 1 is taken
    terminal = Terminal.open(load_settings(tmp_path / "t"))
    _enroll_if_needed(terminal, sqlite_platform.home, sqlite_platform.url())
    with terminal.store.transaction() as s:
        assert device_no_for_receipts(s, terminal.settings) == 2
    # a terminal enrolled before numbers existed learns its number from the local platform
    with terminal.store.transaction() as s:
        forget_assigned_device_no(s)
    _enroll_if_needed(terminal, sqlite_platform.home, sqlite_platform.url())
    with terminal.store.transaction() as s:
        assert assigned_device_no(s) == 2
    with sqlite_platform.store.transaction() as s:
        assert len(list(s.scalars(select(Device)))) == 2  # not enrolled a second time
