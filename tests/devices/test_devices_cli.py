"""`onewindow devices` as a real subprocess: the simulator's pty, configured, shows as a reader that answers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.cli.devices_cmd import list_cameras
from kiosk.devices.idcard.simulator import ReaderSimulator


def devices(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "ONEWINDOW_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "kiosk", "devices", *args], capture_output=True, text=True,
                          env=full, timeout=120, check=False)


def test_the_configured_simulator_answers(tmp_path):
    with ReaderSimulator() as sim:
        done = devices(tmp_path, "--json", "--no-scanners", ONEWINDOW_ID_READER="serial",
                       ONEWINDOW_ID_READER_PORT=sim.path)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        configured = [r for r in report["id_card_readers"] if r["configured"]]
        assert configured == [{"port": sim.path, "description": f"serial:{sim.path}", "usb_id": "",
                               "why": "configured", "configured": True, "answers": True, "status": "ok"}]
        assert (0x11, 0xFF) in sim.commands  # it asked the SAM's status, nothing else
        assert set(sim.commands) == {(0x11, 0xFF)}
        text = devices(tmp_path, "--no-scanners", ONEWINDOW_ID_READER="serial", ONEWINDOW_ID_READER_PORT=sim.path)
        assert f"{sim.path} [已配置 / configured]" in text.stdout and "应答 / answers" in text.stdout


def test_a_configured_port_that_is_gone_shows_as_not_answering(tmp_path):
    done = devices(tmp_path, "--json", "--no-scanners", ONEWINDOW_ID_READER="serial",
                   ONEWINDOW_ID_READER_PORT="/dev/ttyUSB-gone")
    assert done.returncode == 0, done.stderr
    reader = json.loads(done.stdout)["id_card_readers"][0]
    assert reader["answers"] is False and reader["status"].startswith("no_device")


def test_a_bad_reader_setting_is_refused_in_both_languages(tmp_path):
    done = devices(tmp_path, "--json", ONEWINDOW_ID_READER="bluetooth")
    assert done.returncode == 2 and "配置有误" in done.stderr and "id_reader: none, serial, vendor or simulator" in done.stderr


def test_the_simulator_runs_for_demos_and_devices_sees_it(tmp_path):
    demo = subprocess.Popen([sys.executable, "-m", "kiosk.devices.idcard.simulator", "--card", "resident"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        path = demo.stdout.readline().strip()
        assert path.startswith("/dev/pts/")
        done = devices(tmp_path, "--json", "--no-scanners", ONEWINDOW_ID_READER="serial", ONEWINDOW_ID_READER_PORT=path)
        assert json.loads(done.stdout)["id_card_readers"][0]["answers"] is True
        demo.stdin.write("lift\nquit\n")
        demo.stdin.flush()
        assert demo.wait(30) == 0
        assert "card: -" in demo.stderr.read()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)


def test_scanners_come_from_sane(tmp_path, sane_test_backend):
    done = devices(tmp_path, "--json", SANE_CONFIG_DIR=str(sane_test_backend))
    assert done.returncode == 0, done.stderr
    names = [s["name"] for s in json.loads(done.stdout)["scanners"]]
    assert any(name.startswith("test:") for name in names)


def test_cameras_are_read_from_sysfs(tmp_path):
    sys_root = tmp_path / "video4linux"
    for n, name in ((0, "HD USB Document Camera"), (1, "HD USB Document Camera"), (10, "bcm2835-isp")):
        (sys_root / f"video{n}").mkdir(parents=True)
        (sys_root / f"video{n}" / "name").write_text(name + "\n")
    cameras = list_cameras(sys_root, tmp_path / "dev")
    assert [c["device"] for c in cameras] == [str(tmp_path / "dev" / f"video{n}") for n in (0, 1, 10)]
    assert cameras[0]["name"] == "HD USB Document Camera" and cameras[0]["capture"] is None  # no node to ask
    assert list_cameras(tmp_path / "none") == []
