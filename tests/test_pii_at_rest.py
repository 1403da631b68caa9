"""Personal data at rest on the terminal: nothing that identifies a person is readable in the database
file or its WAL, lookups by ID number still work through the keyed index, the migration seals what an
older version stored in clear, and the files are the terminal user's alone."""
from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kiosk import drafts as draft_store
from kiosk.attachments import AttachmentStore
from kiosk.cli import main
from kiosk.data_key import KEY_ID_FILE, describe_protection, load_data_keys
from kiosk.errors import UserFacingError
from kiosk.identity import mask_id
from kiosk.receipt_numbers import mod11_2
from kiosk.settings import load_settings
from kiosk.staff import Role, add_staff
from kiosk.store import close_all
from kiosk.store.db import alembic_config, make_engine
from kiosk.store.models import Application
from kiosk.terminal import Terminal
from kiosk.usecases.cases import search_cases
from kiosk.usecases.progress import look_up_by_id_number
from kiosk import worklist
from tests.helpers.files import jpeg_bytes, write

ROOT = Path(__file__).resolve().parent.parent
MOVING_ITEM = "330106000173002002"  # 户口迁移: two addresses and the host relative's ID number in the form
NAME = "欧阳娜娜"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
ORIGIN = "浙江省杭州市西湖区文三路478号华星时代广场"
DESTINATION = "浙江省杭州市拱墅区莫干山路1418号"


def resident_id(first17: str) -> str:
    """A valid resident ID number (ISO 7064 MOD 11-2 check character) from its first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


HOST_ID = resident_id("33010619650315123")
RECEIPT = "330106001-001-261120-00001-" + mod11_2("33010600100126112000001")


def forms_of(value: str) -> list[bytes]:
    """The ways a text can sit in a file: UTF-8 as such, and JSON-escaped (\\uXXXX) as json.dumps writes it."""
    escaped = json.dumps(value)[1:-1]
    return [value.encode(), escaped.encode()] + ([escaped.lower().encode()] if escaped != value else [])


def secrets_of_the_citizen() -> dict[str, list[bytes]]:
    return {
        "name": forms_of(NAME),
        "id number": forms_of(ID_NUMBER) + [ID_NUMBER.lower().encode(), mask_id(ID_NUMBER).encode(),
                                            b"*" + ID_NUMBER[-4:].encode(), ID_NUMBER[-6:].encode(),
                                            b"110105 19491231 002X", b"19491231002"],
        "other person's id number": forms_of(HOST_ID) + [mask_id(HOST_ID).encode(), HOST_ID[-6:].encode()],
        "phone": forms_of(PHONE) + [b"139****5678", b"139 1234 5678"],
        "address": forms_of(ORIGIN) + forms_of(DESTINATION) + forms_of("华星时代广场") + forms_of("莫干山路1418号"),
    }


def leaks(raw: bytes) -> list[str]:
    return [f"{what}: {needle!r}" for what, needles in secrets_of_the_citizen().items() for needle in needles
            if needle in raw]


def submission(capsys, home: Path, tmp: Path) -> dict:
    assert main(["--home", str(home), "submit", "--example", MOVING_ITEM]) == 0
    doc = json.loads(capsys.readouterr().out)
    doc["applicant"].update({"name": NAME, "id_type": "resident", "id_number": ID_NUMBER, "phone": PHONE})
    doc["form"].update({"origin_address": ORIGIN, "destination_address": DESTINATION, "host_id_number": HOST_ID})
    for i, code in enumerate(doc["materials"]):
        doc["materials"][code] = [str(write(tmp / f"{code}.jpg", jpeg_bytes(seed=i + 1)))]
    return doc


def submit(capsys, home: Path, tmp: Path) -> dict:
    path = tmp / "app.json"
    path.write_text(json.dumps(submission(capsys, home, tmp), ensure_ascii=False), encoding="utf-8")
    rc = main(["--home", str(home), "submit", str(path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def database_files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(home.glob("onewindow.sqlite3*"))}


def test_a_submission_leaves_no_clear_personal_data_in_the_database_or_its_wal(capsys, home, tmp_path, terminal):
    result = submit(capsys, home, tmp_path)
    files = database_files(home)
    assert files.get("onewindow.sqlite3-wal"), "the WAL holds the submission's pages while the store is open"
    for name, raw in files.items():
        assert leaks(raw) == [], name
    # Nor any other file of the data dir (logs, crash log, key id); attachments are sealed files of their own.
    for path in home.rglob("*"):
        if path.is_file():
            assert leaks(path.read_bytes()) == [], path
    # The domain still reads plain values: the same application, whole.
    with terminal.store.transaction() as s:
        app = s.get(Application, result["id"])
        assert (app.applicant_name, app.applicant_id_number, app.applicant_phone) == (NAME, ID_NUMBER, PHONE)
        assert app.form["host_id_number"] == HOST_ID and app.form["origin_address"] == ORIGIN
        raw = s.execute(text("SELECT applicant_name, applicant_id_number, applicant_id_index, form FROM applications"
                             " WHERE id = :id"), {"id": result["id"]}).one()
    assert raw[0].startswith("ow1:") and raw[1].startswith("ow1:") and json.loads(raw[3]).startswith("ow1:")
    assert len(raw[2]) == 64 and ID_NUMBER not in raw[2]


def test_a_draft_leaves_no_clear_personal_data_and_reads_back(home, terminal):
    snapshot = draft_store.DraftSnapshot(draft_id=draft_store.new_draft_id(), service_item=MOVING_ITEM,
                                         catalog_version=terminal.catalog.version,
                                         applicant={"name": NAME, "id_number": ID_NUMBER, "phone": PHONE},
                                         form={"origin_address": ORIGIN, "host_id_number": HOST_ID,
                                               "destination_address": DESTINATION})
    draft_store.save_draft(terminal.store, terminal.attachments, snapshot)
    for name, raw in database_files(home).items():
        assert leaks(raw) == [], name
    assert [d.applicant_name for d in draft_store.list_drafts(terminal.store)] == [NAME]
    loaded = draft_store.load_draft(terminal.store, terminal.attachments, snapshot.draft_id)
    assert loaded is not None and loaded.applicant["id_number"] == ID_NUMBER and loaded.form["host_id_number"] == HOST_ID
    with terminal.store.transaction() as s:  # the counter's list of drafts finds it by its keyed index as well
        assert [a.id for a in s.scalars(select(Application).where(Application.applicant_id_index == ID_NUMBER))] \
            == [snapshot.draft_id]


def test_lookups_by_id_number_go_through_the_keyed_index(capsys, home, tmp_path, terminal):
    result = submit(capsys, home, tmp_path)
    with terminal.store.transaction() as s:
        clerk = add_staff(s, "li", "counter-pass-1", Role.CLERK, actor="test")
        s.flush()
        clerk_id = clerk.id
    # the counter's search, as typed (lower-case x, spaces) and as the card reader gives it
    for typed in (ID_NUMBER, ID_NUMBER.lower(), "110105 19491231 002x"):
        assert [r.receipt_no for r in search_cases(terminal, clerk_id, typed)] == [result["receipt_no"]]
    # the citizen's "my applications" by ID card, at the kiosk, offline
    assert [r.receipt_no for r in look_up_by_id_number(terminal, ID_NUMBER, online=False)] == [result["receipt_no"]]
    # another person's number finds nothing (the host relative's number sits only in the sealed form)
    assert search_cases(terminal, clerk_id, HOST_ID) == []
    with terminal.store.transaction() as s:
        assert worklist.search(s, HOST_ID, hall_code=terminal.settings.hall_code) == []
        # the index of another data dir's key differs: the index is keyed, not a bare hash of the number
        index = s.scalar(text("SELECT applicant_id_index FROM applications"))
    import hashlib

    assert index not in (hashlib.sha256(ID_NUMBER.encode()).hexdigest(), ID_NUMBER)


def _plain_rows_at_0008(home: Path, legacy_key: bytes) -> tuple[str, str]:
    """A data dir as the version before 0010 left it: clear rows, the attachment key inside the data dir."""
    key_path = home / "keys" / "device.key"
    key_path.parent.mkdir(parents=True)
    key_path.write_bytes(legacy_key)
    sha = AttachmentStore(home / "attachments", key_path).put(b"a scanned household register")
    db = home / "onewindow.sqlite3"
    # the migration needs the store's key: an engine on this data dir makes it (moving the legacy key)
    engine = make_engine(db)
    from alembic import command

    command.upgrade(alembic_config(engine), "0008")
    form = json.dumps({"origin_address": ORIGIN, "host_id_number": HOST_ID}, ensure_ascii=False)
    payload = json.dumps({"content": {"applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE},
                                      "form": {"destination_address": DESTINATION}}})  # ASCII-escaped, as json does
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO applications (id, receipt_no, service_item_code, catalog_version, status, channel, hall_code,"
            " device_no, applicant_name, applicant_id_type, applicant_id_number, applicant_phone, form, status_note,"
            " created_at, submitted_at, updated_at) VALUES ('a1', :r, :item, 'v1',"
            " 'submitted', 'kiosk', '330106001', 1, :n, 'resident', :i, :p, :f, :note, '2026-11-20 01:00:00',"
            " '2026-11-20 01:00:00', '2026-11-20 01:00:00')"),
            {"r": RECEIPT, "item": MOVING_ITEM, "n": NAME, "i": ID_NUMBER, "p": PHONE, "f": form, "note": f"{NAME}本人来电"})
        conn.execute(text("INSERT INTO attachments (sha256, size, media_type, page_count, stored_at) VALUES"
                          " (:s, 29, 'image/jpeg', 1, '2026-11-20 01:00:00')"), {"s": sha})
        conn.execute(text("INSERT INTO application_materials (id, application_id, material_code, name_zh, name_en,"
                          " required, position, review_state, review_note) VALUES (1, 'a1', 'hukou', '户口簿',"
                          " 'register', 1, 0, 'unchecked', :note)"), {"note": f"地址{DESTINATION}不清"})
        conn.execute(text("INSERT INTO material_files (material_id, attachment_sha256, position, original_name)"
                          " VALUES (1, :s, 0, :n)"), {"s": sha, "n": f"{NAME}{ID_NUMBER}.jpg"})
        conn.execute(text("INSERT INTO outbox (kind, ref_id, payload, state, attempts, created_at, last_error) VALUES"
                          " ('application', 'a1', :p, 'rejected', 1, '2026-11-20 01:00:00', :e)"),
                     {"p": payload, "e": f"id_number {ID_NUMBER} refused"})
        conn.execute(text("INSERT INTO audit_log (at, actor, action, subject, details, prev_hash, hash) VALUES"
                          " ('2026-11-20 01:00:00', 'kiosk', 'note', 'a1', :d, :z, :h)"),
                     {"d": json.dumps({"note": PHONE}), "z": "0" * 64, "h": "1" * 64})
        conn.execute(text("INSERT INTO ratings (at, score, comment, channel) VALUES ('2026-11-20 01:00:00', 1, :c,"
                          " 'kiosk')"), {"c": f"我叫{NAME}，电话{PHONE}"})
    engine.dispose()
    close_all()
    return "a1", sha


def test_the_migration_seals_rows_an_older_version_stored_in_clear(home, tmp_path):
    legacy_key = bytes(range(32))
    app_id, sha = _plain_rows_at_0008(home, legacy_key)
    # The legacy key was moved out of the data dir, unchanged, before the migration used the store's key.
    assert not (home / "keys" / "device.key").exists()
    before = database_files(home)
    assert leaks(b"".join(before.values())), "the 0008 database holds the clear rows to be sealed"

    terminal = Terminal.open(load_settings(home), parts=False)
    assert terminal.store.keys.attachments == legacy_key
    assert terminal.attachments.get(sha) == b"a scanned household register"
    with terminal.store.transaction() as s:
        app = s.get(Application, app_id)
        assert (app.applicant_name, app.applicant_id_number, app.applicant_phone) == (NAME, ID_NUMBER, PHONE)
        assert app.form == {"origin_address": ORIGIN, "host_id_number": HOST_ID}
        assert app.materials[0].files[0].original_name == f"{NAME}{ID_NUMBER}.jpg"
        assert s.scalar(text("PRAGMA freelist_count")) == 0  # VACUUM ran: no free page keeps old clear text
        assert s.scalar(text("PRAGMA secure_delete")) == 1
    assert [r.receipt_no for r in look_up_by_id_number(terminal, ID_NUMBER, online=False)] == [RECEIPT]
    after = database_files(home)
    for name, raw in after.items():
        assert leaks(raw) == [], name
    close_all()
    for path in home.rglob("*"):
        if path.is_file():
            assert leaks(path.read_bytes()) == [], path


def test_a_copied_data_dir_without_its_key_decrypts_nothing_and_says_what_is_missing(capsys, home, tmp_path,
                                                                                     terminal):
    submit(capsys, home, tmp_path)
    close_all()
    copy = tmp_path / "stolen"
    shutil.copytree(home, copy)
    empty_keys = tmp_path / "another-machine-keys"
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "ONEWINDOW_CONFIG": str(tmp_path / "none.toml"),
           "ONEWINDOW_DEVICE_NO": "1", "ONEWINDOW_KEY_DIR": str(empty_keys), "ONEWINDOW_KEY_SEALING": "file",
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(copy), "applications", "--json"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and NAME not in done.stdout + done.stderr
    key_id = (copy / KEY_ID_FILE).read_text().strip()
    assert "无法打开本机数据" in done.stderr and "Cannot open this terminal's data" in done.stderr, done.stderr
    assert key_id in done.stderr and str(empty_keys) in done.stderr and "key_dir" in done.stderr
    assert not empty_keys.exists() or not any(empty_keys.iterdir()), "no new key was made for a data dir naming one"

    # Without its key-id as well, a new key is made, and the store refuses it at once instead of failing later.
    (copy / KEY_ID_FILE).unlink()
    with pytest.raises(UserFacingError) as info:
        Terminal.open(load_settings(copy, key_dir=str(empty_keys)), parts=False)
    assert info.value.code == "data_key_mismatch"
    assert "另一把密钥" in info.value.message.zh and "another key" in info.value.message.en


def test_files_are_the_terminal_users_alone(capsys, home, tmp_path, terminal):
    submit(capsys, home, tmp_path)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        path = home / f"onewindow.sqlite3{suffix}"
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
    location = terminal.store.keys.location
    assert stat.S_IMODE(location.stat().st_mode) == 0o600 and stat.S_IMODE(location.parent.stat().st_mode) == 0o700


def test_loose_modes_of_an_existing_store_are_tightened(tmp_path):
    home = tmp_path / "old"
    Terminal.open(load_settings(home), parts=False)
    close_all()
    home.chmod(0o755)
    for path in home.glob("onewindow.sqlite3*"):
        path.chmod(0o644)
    Terminal.open(load_settings(home), parts=False)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for path in home.glob("onewindow.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_token_moved_to_another_column_does_not_open(capsys, home, tmp_path, terminal):
    """The column is the GCM associated data: copying the sealed ID number into the name column is refused."""
    result = submit(capsys, home, tmp_path)
    with terminal.store.transaction() as s:
        s.execute(text("UPDATE applications SET applicant_name = applicant_id_number WHERE id = :id"),
                  {"id": result["id"]})
    with pytest.raises(UserFacingError) as info:
        with terminal.store.transaction() as s:
            s.scalar(select(Application.applicant_name).where(Application.id == result["id"]))
    assert info.value.code == "data_key_mismatch" and "applications.applicant_name" in info.value.message.en


def test_doctor_says_how_the_key_is_protected(home, tmp_path, terminal):
    from kiosk.doctor import check_file_modes, check_key

    check = check_key(terminal.settings)
    assert (check.status, check.data["protection"]) == ("ok", "key_file")
    assert "数据目录之外" in check.detail and "outside the data dir" in check.detail

    # a key dir inside the data dir: a copy of the data dir carries the key along
    inside = tmp_path / "inside"
    settings = load_settings(inside, key_dir=str(inside / "keys"))
    Terminal.open(settings, parts=False)
    check = check_key(settings)
    assert (check.status, check.data["protection"]) == ("warn", "key_file_in_data_dir")
    assert "复制数据目录即可解密" in check.detail and "a copy of the data dir decrypts everything" in check.detail

    # a data dir naming a key this machine lacks
    check = check_key(load_settings(home, key_dir=str(tmp_path / "elsewhere")))
    assert (check.status, check.data["protection"]) == ("fail", "missing")

    # an old installation whose key still lies in the data dir (before its first start with this version)
    old = tmp_path / "old"
    (old / "keys").mkdir(parents=True)
    (old / "keys" / "device.key").write_bytes(bytes(32))
    check = check_key(load_settings(old))
    assert (check.status, check.data["protection"]) == ("warn", "legacy_in_data_dir")
    assert check_file_modes(terminal.settings).status == "ok"


def test_a_damaged_legacy_key_or_a_conflicting_one_is_never_deleted(tmp_path):
    home = tmp_path / "h"
    (home / "keys").mkdir(parents=True)
    legacy = home / "keys" / "device.key"
    legacy.write_bytes(b"short")
    with pytest.raises(UserFacingError):
        load_data_keys(home, tmp_path / "k")
    assert legacy.read_bytes() == b"short" and not (home / KEY_ID_FILE).exists()
    # a key-id written, then an old key differing from the moved one (restored from a backup): kept, refused
    legacy.write_bytes(bytes(32))
    keys = load_data_keys(home, tmp_path / "k")
    assert keys.attachments == bytes(32) and not legacy.exists()
    legacy.parent.mkdir()
    legacy.write_bytes(bytes([1]) * 32)
    from kiosk import data_key

    data_key._cache.clear()
    with pytest.raises(UserFacingError) as info:
        load_data_keys(home, tmp_path / "k")
    assert info.value.code == "data_key_conflict" and legacy.exists()
    assert describe_protection(home, tmp_path / "k").protection == "key_file"
