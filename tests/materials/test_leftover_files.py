"""Attachment files no row names (interrupted submissions) are reported by `onewindow doctor` and removed by
`onewindow purge`; files a row names, young files and files this software did not write are kept."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.device_identity import NoDeviceNumber
from kiosk.materials.intake import MaterialFile
from kiosk.retention import find_leftovers
from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.submission import ApplicationDraft
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, pdf_bytes

TWO_HOURS_AGO = time.time() - 2 * 3600
FORM = {"renewal_reason": "expired", "old_card_expiry": "2026-10-24", "collection_method": "counter",
        "mailing_address": "浙江省杭州市西湖区文三路100号"}


def draft(seed: int) -> ApplicationDraft:
    return ApplicationDraft(
        service_item=ID_CARD_ITEM,
        applicant={"name": "张三", "id_type": "resident", "id_number": "11010519491231002X", "phone": "13800138000"},
        form=dict(FORM),
        materials={"id_card": [MaterialFile("id.jpg", jpeg_bytes(64, 40, seed=seed), "image/jpeg", 1)],
                   "household_register": [MaterialFile("hukou.pdf", pdf_bytes(1 + seed % 3), "application/pdf", 1)]})


def age(path: Path) -> None:
    os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def doctor_check(capsys: pytest.CaptureFixture[str], home: Path) -> dict:
    main(["--home", str(home), "doctor", "--json"])
    return next(c for c in json.loads(capsys.readouterr().out)["checks"] if c["name"] == "leftover_files")


def purge_json(capsys: pytest.CaptureFixture[str], home: Path, *extra: str) -> dict:
    assert main(["--home", str(home), "purge", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_doctor_reports_and_purge_removes_files_of_interrupted_submissions(
        home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A terminal with no device number refuses before writing anything (no stray file at all) ...
    monkeypatch.delenv("ONEWINDOW_DEVICE_NO")
    unnumbered = Terminal.open(load_settings(home))
    with pytest.raises(NoDeviceNumber):
        unnumbered.submit(draft(seed=1), channel="kiosk", actor="test")
    assert unnumbered.attachments.stored_hashes() == []
    monkeypatch.setenv("ONEWINDOW_DEVICE_NO", "1")
    close_all()  # the store keeps the settings it was opened with
    terminal = Terminal.open(load_settings(home))
    # ... but a power cut between writing a submission's files and committing it leaves files no row names
    strays = [terminal.attachments.put(f.data) for files in draft(seed=1).materials.values() for f in files]
    assert len(strays) == 2
    kept_app = terminal.submit(draft(seed=2), channel="kiosk", actor="test")
    referenced = sorted(set(terminal.attachments.stored_hashes()) - set(strays))
    assert len(referenced) == 2
    root = terminal.attachments.root
    for sha in strays + referenced:
        age(terminal.attachments.path_for(sha))  # everything is old now, referenced files too
    interrupted_write = root / "ab" / "cd" / ".tmp-k3j2h1"  # kiosk.fsutil.write_atomic cut short
    interrupted_write.parent.mkdir(parents=True, exist_ok=True)
    interrupted_write.write_bytes(b"half a file")
    age(interrupted_write)
    not_ours = root / "ab" / "cd" / "README"
    not_ours.write_text("an operator's note")
    age(not_ours)
    young = terminal.attachments.put(b"written a moment ago by a submission still in progress")

    check = doctor_check(capsys, home)
    assert check["status"] == "warn" and "`onewindow purge` removes them" in check["detail"]
    listed = {f["path"] for f in check["data"]["files"]}
    assert listed == {str(terminal.attachments.path_for(s).relative_to(root)) for s in strays} | \
        {"ab/cd/.tmp-k3j2h1"}
    assert check["data"]["young"] == 1 and check["data"]["bytes"] > 0

    shown = purge_json(capsys, home, "--dry-run")
    assert {f["path"] for f in shown["leftover_files"]} == listed and shown["leftover_files_young_kept"] == 1
    assert all(terminal.attachments.exists(s) for s in strays) and interrupted_write.exists()

    done = purge_json(capsys, home)
    assert {f["path"] for f in done["leftover_files"]} == listed
    assert not any(terminal.attachments.exists(s) for s in strays) and not interrupted_write.exists()
    for sha in referenced + [young]:
        assert terminal.attachments.verify(sha) is None  # kept, intact
    assert not_ours.read_text() == "an operator's note"
    assert doctor_check(capsys, home)["status"] == "ok"
    assert main(["--home", str(home), "print", "receipt", "--application", kept_app.receipt_no, "--pdf",
                 str(home / "r.pdf")]) == 0  # the kept application is whole


def test_a_file_reused_by_a_submission_in_progress_is_young_again(terminal: Terminal) -> None:
    data = jpeg_bytes(64, 40, seed=7)
    sha = terminal.attachments.put(data)  # an interrupted submission left it
    path = terminal.attachments.path_for(sha)
    age(path)
    assert [f.path for f in find_leftovers(terminal.store, terminal.attachments).stale] == \
        [str(path.relative_to(terminal.attachments.root))]
    # another process is submitting the same scan right now: put() reuses the file and touches it
    assert terminal.attachments.put(data) == sha
    assert find_leftovers(terminal.store, terminal.attachments).stale == []
    assert not terminal.attachments.retire(sha, 3600)  # renamed away, seen young, put back
    assert terminal.attachments.verify(sha) is None


def test_a_removal_cut_short_is_undone_when_a_row_names_the_file(home: Path, terminal: Terminal,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    terminal.submit(draft(seed=3), channel="kiosk", actor="test")
    sha = terminal.attachments.stored_hashes()[0]
    # a purge renamed the file away, then the power went (a submission had named it meanwhile)
    os.rename(terminal.attachments.path_for(sha), terminal.attachments.retiring_path(sha))
    assert terminal.attachments.verify(sha) == "missing"
    purge_json(capsys, home)
    assert terminal.attachments.verify(sha) is None
    assert not terminal.attachments.retiring_path(sha).exists()
