"""`onewindow submit` as a real process with inputs the store cannot hold: exit 2, a bilingual message that
says nothing was stored, nothing stored and no stray file. A defect says truthfully what happened too."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.errors import SUBMISSION_NOT_STORED
from kiosk.settings import load_settings
from kiosk.store import close_all
from kiosk.store.models import Application, Attachment, AuditEntry, OutboxItem
from kiosk.terminal import Terminal
from tests.conftest import ID_CARD_ITEM
from tests.helpers.files import jpeg_bytes, write

NOTHING_STORED = ("nothing was stored", "未保存任何内容")


def onewindow(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], capture_output=True,
                          timeout=120)


@pytest.fixture
def example(tmp_path: Path, home: Path) -> dict:
    """A complete, valid submission whose material files exist."""
    done = onewindow(home, "submit", "--example", ID_CARD_ITEM)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    for i, code in enumerate(doc["materials"]):
        doc["materials"][code] = [str(write(tmp_path / f"{code}.jpg", jpeg_bytes(seed=i + 1)))]
    return doc


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def assert_nothing_stored(home: Path) -> None:
    close_all()
    terminal = Terminal.open(load_settings(home))
    with terminal.store.transaction() as s:
        for model in (Application, Attachment, OutboxItem, AuditEntry):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert files_under(terminal.settings.attachments_dir) == []


def refused(done: subprocess.CompletedProcess[bytes], *needles: str) -> str:
    err = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode == 2, err
    assert done.stdout == b""
    for needle in (*NOTHING_STORED, *needles):
        assert needle in err, (needle, err)
    assert "安全保存" not in err and "is safe" not in err
    return err


def test_a_material_file_name_that_is_not_utf8(tmp_path: Path, home: Path, example: dict) -> None:
    raw_name = os.path.join(os.fsencode(tmp_path), b"scan-\xff\xfe.jpg")  # a name from a GBK system, say
    with open(raw_name, "wb") as fh:
        fh.write(jpeg_bytes(seed=9))
    example["materials"]["id_card"] = [os.fsdecode(raw_name)]  # how Python spells that name: lone surrogates
    path = tmp_path / "app.json"
    path.write_text(json.dumps(example), encoding="utf-8")  # ensure_ascii: the surrogates as \udcff escapes
    err = refused(onewindow(home, "submit", str(path)), "materials.id_card[0]", "not valid UTF-8", "rename",
                  "不是有效的 UTF-8", r"scan-\xff\xfe.jpg")
    assert "\udcff" not in err
    assert_nothing_stored(home)


def test_the_submission_file_itself_not_utf8(tmp_path: Path, home: Path, example: dict) -> None:
    raw = json.dumps(example, ensure_ascii=False).encode("utf-8").replace("张三".encode(), "张三".encode("gbk"))
    path = tmp_path / "app.json"
    path.write_bytes(raw)
    refused(onewindow(home, "submit", str(path)), "not UTF-8 text", "UTF-8 编码")
    assert_nothing_stored(home)


def test_json_nested_200000_deep(tmp_path: Path, home: Path, example: dict) -> None:
    text = json.dumps(example)
    deep = text.replace('"form": {', '"form": {"x": ' + "[" * 200_000 + "]" * 200_000 + ", ", 1)
    assert len(deep) < 1024 * 1024  # under the size limit: depth alone must be caught
    path = tmp_path / "app.json"
    path.write_text(deep, encoding="utf-8")
    refused(onewindow(home, "submit", str(path)), "nested too deeply", "嵌套层数过多")
    # the same from standard input
    done = subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "submit", "-"], input=deep.encode(),
                          capture_output=True, timeout=120)
    refused(done, "nested too deeply")
    assert_nothing_stored(home)


@pytest.mark.parametrize(("where", "value", "needle"), [
    ("applicant.name", "\ud800张", "not valid Unicode"),  # a lone surrogate
    ("applicant.name", "张\x00三", "control characters"),  # NUL: PostgreSQL on the platform refuses it
    ("form.mailing_address", "杭州\x1b[2J", "control characters"),  # a terminal escape
    ("materials.photo_receipt", ["photo\x00.jpg"], "control characters"),
    ("applicant.name", "张" * 100_000, "at most 50 characters"),  # very long
    ("id", "x" * 100_000, "must be a UUID"),
])
def test_strings_the_store_cannot_hold(tmp_path: Path, home: Path, example: dict, where: str, value: object,
                                       needle: str) -> None:
    section, _, key = where.partition(".")
    if key:
        example[section][key] = value
    else:
        example[section] = value
    path = tmp_path / "app.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    refused(onewindow(home, "submit", str(path)), where, needle)
    assert_nothing_stored(home)


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 19, "NaN", "Infinity", "1e999"])
def test_numbers_past_any_sane_size(tmp_path: Path, home: Path, example: dict, number: str) -> None:
    text = json.dumps(example).replace('"form": {', '"form": {"n": ' + number + ", ", 1)
    path = tmp_path / "app.json"
    path.write_text(text, encoding="utf-8")
    refused(onewindow(home, "submit", str(path)), "number that cannot be accepted")
    assert_nothing_stored(home)


def test_a_defect_while_storing_says_nothing_was_stored(tmp_path: Path, home: Path, example: dict) -> None:
    """Not bad input: the attachments folder cannot be made. Exit 1, and the message is true."""
    (home / "attachments").write_bytes(b"a file where the folder should be")
    path = tmp_path / "app.json"
    path.write_text(json.dumps(example), encoding="utf-8")
    done = onewindow(home, "submit", str(path))
    err = done.stderr.decode("utf-8", errors="replace")
    assert done.returncode == 1, err
    assert SUBMISSION_NOT_STORED.zh in err and SUBMISSION_NOT_STORED.en in err
    assert "安全保存" not in err and "is safe" not in err
    (home / "attachments").unlink()
    assert_nothing_stored(home)
    log = "".join(p.read_text(errors="replace") for p in (home / "logs").glob("*"))
    assert "unexpected failure in onewindow submit" in log  # the defect itself is in the log, whole


def test_the_valid_example_still_goes_through(tmp_path: Path, home: Path, example: dict) -> None:
    path = tmp_path / "app.json"
    path.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    done = onewindow(home, "submit", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["receipt_no"].startswith("330106001-001-")
