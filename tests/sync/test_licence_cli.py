"""`onewindow platform licences ...`: issue, list, revoke, uses and the demo holdings; bad input is refused
with a bilingual message (exit 2) and stores nothing."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.cli import main
from kiosk.licences.identifier import parse_identifier
from sync.server.db import open_platform
from sync.server.licence_demo import citizens, resident_id
from sync.server.licences_models import Licence

HOLDER = resident_id("33010619800101001")


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["platform", "licences", *args[:1], "--home", str(home), "--blob-key-file",
                 str(home.parent / "blob.key"), *args[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def issue_args(**over: str) -> list[str]:
    base = {"--type": "SFZ", "--holder-id": HOLDER, "--holder-name": "测试人", "--issuer-name": "杭州市公安局西湖区分局",
            "--issuer-code": "11330106002482146P", "--serial": "T0001", "--issued-on": "2020-01-02",
            "--valid-until": "2040-01-02"}
    base.update(over)
    out = ["issue"]
    for k, v in base.items():
        if v is not None:
            out += [k, v]
    return out


def licence_count(home: Path) -> int:
    store = open_platform(home, blob_key_file=home.parent / "blob.key")
    try:
        with store.transaction() as session:
            return session.scalar(select(func.count()).select_from(Licence))
    finally:
        store.close()


def test_issue_list_and_revoke(capsys, tmp_path):
    home = tmp_path / "platform"
    code, out, err = run(capsys, home, *issue_args(), "--face", "address=浙江省杭州市西湖区文三路1号", "--face", "sex=男")
    assert code == 0, err
    ident = out.strip()
    assert str(parse_identifier(ident)) == ident and ".SFZ.11330106002482146P.T0001.001." in ident
    code, out, _ = run(capsys, home, "list", "--holder", HOLDER, "--json")
    (row,) = json.loads(out)
    assert code == 0 and row["identifier"] == ident and row["state"] == "valid" and row["valid_until"] == "2040-01-02"
    assert row["holder_id_number"] == HOLDER[:4] + "*" * 10 + HOLDER[-4:]
    code, out, _ = run(capsys, home, "revoke", ident, "--reason", "证件挂失 / reported lost")
    assert code == 0 and ident in out
    code, out, _ = run(capsys, home, "list", "--holder", HOLDER)
    assert code == 0 and "revoked" in out and "居民身份证" in out
    code, _, err = run(capsys, home, *issue_args(**{"--valid-until": None}), "--long-term", "--serial", "T0002")
    assert code == 0, err


@pytest.mark.parametrize("change,zh,en", [
    ({"--holder-id": "33010619800101001X"}, "身份证号码", "ID number"),
    ({"--issued-on": "2020-02-30"}, "不是有效日期", "not a valid date"),
    ({"--valid-until": "2019-01-01"}, "早于起始日期", "ends before it begins"),
    ({"--type": "NOPE"}, "没有证照类型", "no licence type"),
    ({"--serial": "t-1"}, "只能含数字和大写字母", "digits and capital letters"),
    ({"--holder-name": " "}, "姓名为空", "name is empty"),
])
def test_bad_input_is_refused_bilingually_and_stores_nothing(capsys, tmp_path, change, zh, en):
    home = tmp_path / "platform"
    code, out, err = run(capsys, home, *issue_args(**change))
    assert code == 2 and out == ""
    assert zh in err and en in err
    assert licence_count(home) == 0


def test_unknown_face_items_and_a_second_issue_of_the_same_licence_are_refused(capsys, tmp_path):
    home = tmp_path / "platform"
    code, _, err = run(capsys, home, *issue_args(), "--face", "colour=red")
    assert code == 2 and "没有照面项" in err and "no face item" in err
    code, _, err = run(capsys, home, *issue_args(), "--face", "no-equals-sign")
    assert code == 2 and "键=值" in err and "KEY=VALUE" in err
    assert run(capsys, home, *issue_args())[0] == 0
    code, _, err = run(capsys, home, *issue_args())
    assert code == 2 and "已在库中" in err and "already in the library" in err
    assert licence_count(home) == 1
    code, _, err = run(capsys, home, "revoke", "1.2.156.3005.2.SFZ.X.1.001.0", "--reason", "x")
    assert code == 2 and "校验位不符" in err
    code, _, err = run(capsys, home, "list", "--holder", "123")
    assert code == 2 and "18" in err


def test_seed_demo_twice_issues_once_and_uses_start_empty(tmp_path):
    home = tmp_path / "platform"
    env = {**os.environ, "ONEWINDOW_CONFIG": os.devnull + ".toml"}
    cmd = [sys.executable, "-m", "kiosk", "platform", "licences", "seed-demo", "--home", str(home),
           "--blob-key-file", str(tmp_path / "blob.key"), "--json"]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    assert second.returncode == 0, second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    people = json.loads(first.stdout)
    assert [p["id_number"] for p in people] == [c.id_number for c in citizens()]
    assert licence_count(home) == sum(len(c.holdings) for c in citizens()) == sum(len(p["licences"]) for p in people)
    uses = subprocess.run([sys.executable, "-m", "kiosk", "platform", "licences", "uses", "--home", str(home),
                           "--blob-key-file", str(tmp_path / "blob.key")], capture_output=True, text=True, timeout=180,
                          env=env)
    assert uses.returncode == 0 and "No licence has been used yet" in uses.stdout
