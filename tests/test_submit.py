"""`onewindow submit` end to end, in-process: valid input stored whole, bad input stores nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.cli import main
from kiosk.store.models import Application, Attachment, AuditEntry, OutboxItem
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes, png_bytes, write

VALID_ID = "11010519491231002X"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def example(capsys, home: Path, code: str = ID_CARD_ITEM) -> dict:
    rc, out, _ = run_cli(capsys, "--home", str(home), "submit", "--example", code)
    assert rc == 0
    return json.loads(out)


def with_files(doc: dict, tmp: Path) -> dict:
    for i, code in enumerate(doc["materials"]):
        doc["materials"][code] = [str(write(tmp / f"{code}.jpg", jpeg_bytes(seed=i + 1)))]
    return doc


def counts(terminal) -> tuple[int, int, int]:
    with terminal.store.transaction() as s:
        return (s.scalar(select(func.count()).select_from(Application)),
                s.scalar(select(func.count()).select_from(Attachment)),
                s.scalar(select(func.count()).select_from(OutboxItem)))


def submit_doc(capsys, home: Path, tmp: Path, doc: dict) -> tuple[int, str, str]:
    path = tmp / "app.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return run_cli(capsys, "--home", str(home), "submit", str(path))


def test_valid_submission_is_stored_whole(capsys, home, tmp_path, terminal):
    doc = with_files(example(capsys, home), tmp_path)
    doc["applicant"]["name"] = "张𠮷"
    doc["materials"]["photo_receipt"] = [str(write(tmp_path / "scan.pdf", pdf_bytes(3))),
                                         str(write(tmp_path / "p.png", png_bytes()))]
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 0, err
    result = json.loads(out)
    assert result["receipt_no"].startswith("330106001-001-")
    apps, atts, outbox = counts(terminal)
    assert (apps, atts, outbox) == (1, 4, 1)

    rc, out, _ = run_cli(capsys, "--home", str(home), "applications", "--json")
    listed = json.loads(out)
    assert len(listed) == 1
    app = listed[0]
    assert app["id"] == result["id"]
    assert app["applicant"]["name"] == "张𠮷"
    assert app["applicant"]["id_number"] == "1101**********002X"
    photo = next(m for m in app["materials"] if m["code"] == "photo_receipt")
    # the scanned image went through the page pipeline; the PDF is kept as it came
    assert [a["media_type"] for a in photo["attachments"]][1] == "application/pdf"
    assert photo["attachments"][0]["media_type"] in ("image/tiff", "image/jpeg", "application/pdf")
    assert [a["page_count"] for a in photo["attachments"]] == [1, 3]
    for m in app["materials"]:
        for a in m["attachments"]:
            assert terminal.attachments.verify(a["sha256"]) is None
    with terminal.store.transaction() as s:
        stored = s.get(Application, result["id"])
        assert stored.applicant_id_number == VALID_ID
        assert stored.applicant_name == "张𠮷"
        assert stored.status == "submitted"
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.subject == result["id"])) == "submitted"


def test_same_id_same_content_is_not_duplicated_and_different_content_conflicts(capsys, home, tmp_path, terminal):
    doc = with_files(example(capsys, home), tmp_path)
    doc["id"] = "6f1c1d3e-8b0a-4c55-9a59-1f3f0f0d2a11"
    rc, out, _ = submit_doc(capsys, home, tmp_path, doc)
    first = json.loads(out)
    rc, out, _ = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 0 and json.loads(out)["receipt_no"] == first["receipt_no"] and json.loads(out)["duplicate"]
    doc["applicant"]["phone"] = "13900139000"
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 2 and "conflict" not in out and "不同" in err
    assert counts(terminal)[0] == 1


def test_bad_input_lists_every_problem_and_stores_nothing(capsys, home, tmp_path, terminal):
    doc = example(capsys, home)
    doc["applicant"] = {"name": "<script>alert(1)</script>", "id_type": "resident",
                        "id_number": "110105194912310021", "phone": "12345"}
    doc["form"]["old_card_expiry"] = "2026-02-30"
    doc["form"]["collection_method"] = "teleport"
    doc["form"]["mailing_address"] = "x" * 5000
    doc["form"]["bogus"] = "1"
    doc["materials"] = {"id_card": [str(write(tmp_path / "evil.jpg", b"\x7fELF\x02\x01\x01" + b"\0" * 100))],
                        "household_register": [str(tmp_path / "missing.jpg")],
                        "not_a_material": []}
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 2
    assert out == ""
    for needle in ("applicant.name", "applicant.id_number", "applicant.phone", "form.old_card_expiry",
                   "form.collection_method", "form.mailing_address", "form.bogus", "evil.jpg", "missing.jpg",
                   "materials.not_a_material", "materials.household_register", "校验位", "check character"):
        assert needle in err, needle
    assert counts(terminal) == (0, 0, 0)
    assert terminal.attachments.stored_hashes() == []


@pytest.mark.parametrize("payload,needle", [
    ("{not json", "JSON"),
    ("[1,2]", "JSON"),
    ('{"service_item": "NOPE", "applicant": {}, "form": {}, "materials": {}}', "NOPE"),
    ('{"service_item": null, "applicant": null, "form": null, "materials": null}', "service_item"),
])
def test_malformed_files(capsys, home, tmp_path, terminal, payload, needle):
    path = tmp_path / "a.json"
    path.write_text(payload, encoding="utf-8")
    rc, out, err = run_cli(capsys, "--home", str(home), "submit", str(path))
    assert rc == 2 and needle in err
    assert counts(terminal) == (0, 0, 0)


def test_oversized_input_file_and_empty_material(capsys, home, tmp_path, terminal):
    big = tmp_path / "big.json"
    big.write_text('{"x": "' + "a" * 1_100_000 + '"}', encoding="utf-8")
    rc, _, err = run_cli(capsys, "--home", str(home), "submit", str(big))
    assert rc == 2 and "1MB" in err
    doc = with_files(example(capsys, home), tmp_path)
    doc["materials"]["id_card"] = [str(write(tmp_path / "empty.png", b""))]
    rc, _, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 2 and "empty.png" in err and "空" in err
    assert counts(terminal) == (0, 0, 0)


def test_hostile_strings_in_free_text_are_stored_exactly(capsys, home, tmp_path, terminal):
    doc = with_files(example(capsys, home), tmp_path)
    hostile = "'); DROP TABLE applications;-- <b>粗</b> %s {0} \\x00"
    doc["form"]["mailing_address"] = hostile
    rc, out, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 0, err
    with terminal.store.transaction() as s:
        assert s.get(Application, json.loads(out)["id"]).form["mailing_address"] == hostile
    doc["form"]["mailing_address"] = "abc\u202eevil"  # right-to-left override
    rc, _, err = submit_doc(capsys, home, tmp_path, doc)
    assert rc == 2 and "控制字符" in err


def test_every_demo_item_example_validates_with_files(capsys, home, tmp_path, terminal):
    for item in terminal.catalog.items:
        doc = with_files(example(capsys, home, item.code), tmp_path / item.code)
        rc, out, err = submit_doc(capsys, home, tmp_path, doc)
        assert rc == 0, (item.code, err)
    assert counts(terminal)[0] == len(terminal.catalog.items)


def test_catalog_json_and_receipt_verify(capsys, home):
    rc, out, _ = run_cli(capsys, "--home", str(home), "catalog", "--json")
    doc = json.loads(out)
    assert rc == 0 and len(doc["items"]) >= 15 and doc["etag"]
    from kiosk.receipt_numbers import ReceiptNo
    from datetime import date
    good = str(ReceiptNo("330106001", 7, date(2026, 11, 23), 42))
    rc, out, _ = run_cli(capsys, "--home", str(home), "receipt", "verify", good)
    assert rc == 0 and json.loads(out)["sequence"] == 42
    rc, out, err = run_cli(capsys, "--home", str(home), "receipt", "verify", good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert rc == 2 and "回执编号不正确" in err



def test_one_file_under_two_materials_and_a_purged_file_given_again(tmp_path):
    """The attachment rows are looked up in one query and flushed with the rest (`submission._add_materials`):
    the same bytes under two materials are one attachment with two file rows, and bytes whose attachment was
    purged before are stored again and the row no longer says purged."""
    from kiosk.materials.intake import MaterialFile as File
    from kiosk.settings import load_settings
    from kiosk.store.models import MaterialFile, utcnow
    from kiosk.submission import ApplicationDraft
    from kiosk.terminal import Terminal

    terminal = Terminal.open(load_settings(tmp_path / "home", device_no=1))
    scan = File("scan.jpg", jpeg_bytes(seed=42), "image/jpeg", 1)

    def draft(materials: dict) -> ApplicationDraft:
        return ApplicationDraft(
            service_item=ID_CARD_ITEM,
            applicant={"name": "张三", "id_type": "resident", "id_number": VALID_ID, "phone": "13800138000"},
            form={"renewal_reason": "expired", "old_card_expiry": "2004-01-01", "collection_method": "counter"},
            materials=materials)

    first = terminal.submit(draft({"id_card": [scan], "household_register": [scan],
                                   "photo_receipt": [File("p.pdf", pdf_bytes(1), "application/pdf", 1)]}),
                            channel="kiosk", actor="kiosk:device1")
    with terminal.store.transaction() as s:
        shas = s.scalars(select(MaterialFile.attachment_sha256).join(MaterialFile.material)
                         .where(Application.id == first.id).join(Application)).all()
        assert len(shas) == 3 and len(set(shas)) == 2
        shared = max(set(shas), key=shas.count)
        s.get(Attachment, shared).purged_at = utcnow()
    terminal.attachments.path_for(shared).unlink()  # as the retention purge leaves it

    terminal.submit(draft({"id_card": [scan], "household_register": [File("h.pdf", pdf_bytes(2), "application/pdf",
                                                                          2)]}),
                    channel="kiosk", actor="kiosk:device1")
    with terminal.store.transaction() as s:
        assert s.get(Attachment, shared).purged_at is None
        assert s.scalar(select(func.count()).select_from(Attachment)) == 3
    assert terminal.attachments.get(shared) == scan.data
