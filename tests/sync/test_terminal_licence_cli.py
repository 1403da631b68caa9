"""`onewindow licence offers`, `onewindow submit --use-licences` and `onewindow licence forget-key`, run as
real subprocesses against a real licence library."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk import staff as accounts
from kiosk.licences.pin import pinned_key
from kiosk.store.models import Application, AuditEntry
from kiosk.terminal import Terminal
from tests.sync.licence_library import LibraryServer
from tests.sync.test_terminal_licences import CITIZEN, FORM, ITEM, library, open_terminal  # noqa: F401

pytestmark = pytest.mark.usefixtures("library")


def onewindow(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def home(tmp_path: Path, library: LibraryServer) -> Iterator[Path]:  # noqa: F811
    path = tmp_path / "kiosk"
    open_terminal(path, library.url()).close()
    yield path


def applications(home: Path) -> list[Application]:
    t = Terminal.open(home=home, parts=False)
    try:
        with t.store.transaction() as s:
            rows = s.scalars(select(Application).where(Application.status != "draft")).all()
            for row in rows:
                _ = [m.licence for m in row.materials]
            s.expunge_all()
            return list(rows)
    finally:
        t.close()


def test_offers_needs_consent_and_lists_the_citizens_licences(home: Path, library: LibraryServer) -> None:
    r = onewindow(home, "licence", "offers", "--id-number", CITIZEN, "--item", ITEM)
    assert r.returncode == 2 and "--consent" in r.stderr and "同意" in r.stderr
    assert library.lib.calls == []
    r = onewindow(home, "licence", "offers", "--id-number", CITIZEN, "--item", ITEM, "--consent", "--json")
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["available"] and [o["material"] for o in answer["offers"]] == ["id_card", "household_register"]
    r = onewindow(home, "licence", "offers", "--id-number", CITIZEN, "--item", ITEM, "--consent")
    assert r.returncode == 0 and "长期有效" in r.stdout and answer["offers"][0]["identifier"] in r.stdout
    r = onewindow(home, "licence", "offers", "--id-number", "123", "--item", ITEM, "--consent")
    assert r.returncode == 2 and "18" in r.stderr
    library.lib.down = True
    r = onewindow(home, "licence", "offers", "--id-number", CITIZEN, "--item", ITEM, "--consent")
    assert r.returncode == 4 and "需联网核验" in r.stderr and "Needs the network" in r.stderr


def _submission(tmp: Path, **extra: object) -> Path:
    doc = {"service_item": ITEM, "form": FORM, "materials": {"id_card": [], "household_register": []},
           "applicant": {"name": "张三", "id_type": "resident", "id_number": CITIZEN, "phone": "13800138000"},
           **extra}
    path = tmp / "app.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_submit_uses_licences_for_the_empty_materials(home: Path, tmp_path: Path, library: LibraryServer) -> None:
    path = _submission(tmp_path)
    r = onewindow(home, "submit", str(path), "--use-licences")
    assert r.returncode == 2 and "--consent" in r.stderr and library.lib.calls == [] and applications(home) == []
    r = onewindow(home, "submit", str(path))  # without licences the required materials are missing
    assert r.returncode == 2 and "id_card" in r.stderr and applications(home) == []
    r = onewindow(home, "submit", str(path), "--use-licences", "--consent")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out["licences"]) == {"id_card", "household_register"}
    app, = applications(home)
    assert app.id == out["id"] and len(library.lib.uses) == 2
    licence = {m.material_code: m.licence for m in app.materials}
    assert licence["id_card"]["identifier"] == out["licences"]["id_card"] and licence["bank_card"] is None


def test_submit_with_other_problems_uses_nothing(home: Path, tmp_path: Path, library: LibraryServer) -> None:
    path = _submission(tmp_path, form={**FORM, "bank_account": ""})
    r = onewindow(home, "submit", str(path), "--use-licences", "--consent")
    assert r.returncode == 2 and "bank_account" in r.stderr
    assert library.lib.uses == {} and applications(home) == []


def test_submit_offline_goes_on_paper(home: Path, tmp_path: Path, library: LibraryServer) -> None:
    library.lib.down = True
    r = onewindow(home, "submit", str(_submission(tmp_path)), "--use-licences", "--consent")
    assert r.returncode == 2 and "需联网核验" in r.stderr and "id_card" in r.stderr and applications(home) == []


def test_forget_key_is_for_administrators(home: Path, tmp_path: Path, library: LibraryServer) -> None:
    assert onewindow(home, "submit", str(_submission(tmp_path)), "--use-licences", "--consent").returncode == 0
    t = Terminal.open(home=home, parts=False)
    with t.store.transaction() as s:
        accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")
        accounts.add_staff(s, "admin1", "password-3", "administrator", actor="t")
    assert pinned_key(t.store) is not None
    r = onewindow(home, "licence", "forget-key", "--staff", "clerk1", "--password-stdin", stdin="password-1\n")
    assert r.returncode == 2 and pinned_key(t.store) is not None
    r = onewindow(home, "licence", "forget-key", "--staff", "admin1", "--password-stdin", stdin="password-3\n")
    assert r.returncode == 0 and "cleared" in r.stdout and pinned_key(t.store) is None
    with t.store.transaction() as s:
        assert s.scalars(select(AuditEntry.action).where(AuditEntry.action == "licence_key_forgotten")).all()
    t.close()


def test_case_show_names_the_licences(home: Path, tmp_path: Path, library: LibraryServer) -> None:
    r = onewindow(home, "submit", str(_submission(tmp_path)), "--use-licences", "--consent")
    assert r.returncode == 0, r.stderr
    receipt, identifiers = json.loads(r.stdout)["receipt_no"], json.loads(r.stdout)["licences"]
    t = Terminal.open(home=home, parts=False)
    with t.store.transaction() as s:
        accounts.add_staff(s, "clerk1", "password-1", "clerk", actor="t")
    t.close()
    shown = onewindow(home, "case", "show", receipt, "--staff", "clerk1", "--password-stdin", stdin="password-1\n")
    assert shown.returncode == 0, shown.stderr
    assert "已调用电子证照，免提交" in shown.stdout and identifiers["id_card"] in shown.stdout
    assert "长期有效 / valid long-term" in shown.stdout
    as_json = onewindow(home, "case", "show", receipt, "--json", "--staff", "clerk1", "--password-stdin",
                        stdin="password-1\n")
    materials = {m["code"]: m for m in json.loads(as_json.stdout)["materials"]}
    assert materials["id_card"]["licence"]["identifier"] == identifiers["id_card"]
    assert materials["bank_card"]["licence"] is None
