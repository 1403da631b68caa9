"""`onewindow setup` as a technician runs it: the real platform, a TCP printer recording ESC/POS bytes, SANE's
test backend and the ID card reader simulator on a pty, in a real `onewindow` process; then `doctor --json`
gives the same list."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.printing.escpos_decoder import decode
from tests.printing.printer_server import PAPER_OUT, PrinterServer
from tests.setup.conftest import write_config
from tests.sync.servers import PlatformServer


def onewindow(home: Path, config: Path, *args: str, extra_env: dict[str, str] | None = None,
              ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ONEWINDOW_CONFIG": str(config), **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "kiosk", "--home", str(home), *args], capture_output=True, text=True,
                          timeout=180, env=env)


def test_setup_enrolls_tests_every_device_and_doctor_gives_the_same_list(
        tmp_path: Path, platform: PlatformServer, printer: PrinterServer, sane_test_backend: Path) -> None:
    home, config = tmp_path / "home", tmp_path / "etc" / "onewindow.toml"
    write_config(config, device_kind="counter", printer=printer.uri, scanner="test:0", id_reader="simulator",
                 camera="none")
    code = platform.enroll_code("330106002", "counter-7", role="counter")
    env = {"SANE_CONFIG_DIR": str(sane_test_backend)}
    result = onewindow(home, config, "setup", "--hall", "330106002", "--platform", platform.url(), "--code", code,
                       "--yes", "--json", extra_env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    by_device = {r["device"]: r for r in report["results"]}
    assert list(by_device) == ["printer", "scanner", "camera", "id_reader", "speech"]
    assert {d: r["status"] for d, r in by_device.items()} == {
        "printer": "pass", "scanner": "pass", "camera": "absent", "id_reader": "pass", "speech": "absent"}
    assert by_device["printer"]["detail"]["delivery"] == "confirmed_by_printer"
    assert "打印机确认" in by_device["printer"]["reason"]["zh"] and "confirmed" in by_device["printer"]["reason"]["en"]
    assert by_device["id_reader"]["detail"]["id_number"] == "1101**********002X"
    scanned = Path(by_device["scanner"]["detail"]["image"])
    assert scanned.is_file() and scanned.stat().st_size > 0
    assert report["enrollment"]["hall_code"] == "330106002" and report["enrollment"]["device_no"] == 1

    # the test receipt reached the printer as ESC/POS: Chinese in GB18030, a QR code, a cut
    printed = decode(printer.printed_jobs()[-1])
    assert "打印机测试 / Printer test" in printed.text and "中文打印测试" in printed.text
    assert printed.qr and printed.qr[0].payload.startswith(b"onewindow-printer-test:330106002")
    assert printed.cuts == 1 and printed.inline_images()  # the rare character went as a small raster

    # the settings now name the hall and the platform; the rest of the file is as IT left it
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    assert settings["hall_code"] == "330106002" and settings["platform_url"] == platform.url()
    assert settings["printer"] == printer.uri and config.read_text(encoding="utf-8").startswith("# set by the hall")
    credential = json.loads((home / "sync" / "credential.json").read_text(encoding="utf-8"))
    assert credential["hall_code"] == "330106002" and credential["settings_key"]
    # as with `onewindow enroll`, the platform's update root is pinned at enrollment (sync.updates)
    assert report["enrollment"]["update_root"] == "pinned"
    assert json.loads((home / "updates" / "trusted-root.json").read_text(encoding="utf-8"))["signed"]["_type"] == "root"

    doctor = onewindow(home, config, "doctor", "--json", "--only", "setup", extra_env=env)
    assert doctor.returncode == 0, doctor.stderr
    (check,) = json.loads(doctor.stdout)["checks"]
    assert check["name"] == "setup" and check["status"] == "ok"
    assert check["data"]["results"] == report["results"]
    live = {r["device"]: r["status"] for r in check["data"]["live"]}
    assert live == {"printer": "pass", "camera": "absent", "id_reader": "pass"}

    # the paper runs out: doctor's live look fails the printer and says what to do, without printing
    jobs_before = len(printer.printed_jobs())
    printer.answers = dict(PAPER_OUT)
    doctor = onewindow(home, config, "doctor", "--json", "--only", "setup", extra_env=env)
    assert doctor.returncode == 1
    (check,) = json.loads(doctor.stdout)["checks"]
    printer_now = next(r for r in check["data"]["live"] if r["device"] == "printer")
    assert printer_now["status"] == "fail" and "out of paper" in printer_now["reason"]["en"]
    assert "纸" in printer_now["action"]["zh"] and len(printer.printed_jobs()) == jobs_before

    # after a fix, the devices alone are tested again; the enrollment stays recorded
    printer.answers = {1: 0x12, 2: 0x12, 4: 0x12}
    again = onewindow(home, config, "setup", "--devices-only", "--yes", extra_env=env)
    assert again.returncode == 0, again.stderr
    assert "✔ 小票打印机 / Receipt printer" in again.stdout and "– 高拍仪" in again.stdout
    kept = json.loads((home / "setup-results.json").read_text(encoding="utf-8"))
    assert kept["enrollment"]["hall_code"] == "330106002"


def test_doctor_on_a_terminal_never_set_up_warns(tmp_path: Path) -> None:
    home, config = tmp_path / "home", write_config(tmp_path / "onewindow.toml", camera="none", device_kind="counter")
    doctor = onewindow(home, config, "doctor", "--json", "--only", "setup")
    assert doctor.returncode == 0, doctor.stderr
    (check,) = json.loads(doctor.stdout)["checks"]
    assert check["status"] == "warn" and "has not been run" in check["detail"]
    assert check["data"]["results"] == [] and check["data"]["last_setup"] is None


def test_without_flags_and_without_a_terminal_it_names_what_is_missing(tmp_path: Path) -> None:
    home, config = tmp_path / "home", write_config(tmp_path / "onewindow.toml")
    result = onewindow(home, config, "setup", "--hall", "330106001")
    assert result.returncode == 2
    assert "缺少 平台地址" in result.stderr and "Missing platform address" in result.stderr
    assert "--platform --code" in result.stderr
    assert not (home / "setup-results.json").exists() and not (home / "sync" / "credential.json").exists()
