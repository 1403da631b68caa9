"""`onewindow queue ...` as separate processes against a real hub process: exit codes and messages."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.hall.hub_process import hub  # noqa: F401 - the fixture


def queue(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), "queue", *args],
                          capture_output=True, text=True, timeout=60)


def test_pair_take_status_handover_state_events_help(hub, tmp_path):  # noqa: F811
    home = tmp_path / "kiosk"
    r = queue(home, "status", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["configured"] is False
    r = queue(home, "take", "--category", "A")
    assert r.returncode == 4 and "hall_url" in r.stderr and "未设置" in r.stderr

    r = queue(home, "pair", hub.pair_code("kiosk", name="kiosk-cli"), "--url", hub.base_url, "--json")
    assert r.returncode == 0, r.stderr
    paired = json.loads(r.stdout)
    assert paired["role"] == "kiosk" and paired["device_name"] == "kiosk-cli" and paired["kiosk_slot"] == 1
    line = paired["categories"][0]

    r = queue(home, "take", "--category", line, "--priority", "elderly", "--json")
    assert r.returncode == 0, r.stderr
    ticket = json.loads(r.stdout)
    assert ticket["offline"] is False and ticket["ticket"]["number"] == f"{line}001"
    assert ticket["ticket"]["priority"] == "elderly"
    r = queue(home, "take", "--category", "ZZ")
    assert r.returncode == 2 and "ZZ" in r.stderr  # the hub's refusal: no such line
    r = queue(home, "take", "--category", line, "--priority", "vip")
    assert r.returncode == 2  # argparse: not a priority

    hub.kill()
    r = queue(home, "take", "--category", line)
    assert r.returncode == 3, r.stderr  # issued from the kiosk's own block; handed over later
    offline_number = r.stdout.split()[0]
    assert offline_number != f"{line}001" and "交接" in r.stdout
    r = queue(home, "status", "--json")
    assert json.loads(r.stdout)["offline_tickets_pending"] == 1
    r = queue(home, "handover")
    assert r.returncode == 4 and "无法连接" in r.stderr and "cannot be reached" in r.stderr
    r = queue(home, "state")
    assert r.returncode == 4

    hub.start()
    r = queue(home, "handover", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"accepted": 1, "pending": 0}
    r = queue(home, "state", "--json")
    state = json.loads(r.stdout)
    assert r.returncode == 0 and state["waiting"][line] == 2
    r = queue(home, "events", "--since", "0")
    events = [json.loads(x) for x in r.stdout.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert {e["ticket"]["number"] for e in events if e["kind"] == "issued"} == {f"{line}001", offline_number}
    r = queue(home, "events", "--since", "-1")
    assert r.returncode == 2

    r = queue(home, "help", "--step", "materials", "--label-zh", "上传材料", "--label-en", "Materials", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["step_label"] == {"zh": "上传材料", "en": "Materials"}
    r = queue(home, "help", "--step", "")
    assert r.returncode == 2
