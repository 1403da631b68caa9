"""Each device test on its own: real parts where they exist here (a TCP printer, SANE's test backend, the
reader simulator on a pty, Qt's voice process), the doubles at the camera's and reader's edges."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kiosk.devices.base import ScannerError
from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
from kiosk.settings import Settings, load_settings
from kiosk.setup.device_checks import CameraTest, IdCardTest, ScannerTest
from kiosk.setup.results import ABSENT, FAIL, PASS, DeviceResult, load_report
from kiosk.setup.settings_file import set_values
from kiosk.terminal import Terminal
from kiosk.usecases.setup import device_tests, record_results, run_device_test
from printing.self_test import PrinterTest
from tests.printing.printer_server import COVER_OPEN, PAPER_OUT, PrinterServer


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home)


def test_the_installed_tests_cover_every_device_in_order() -> None:
    assert [t.device for t in device_tests()] == ["printer", "scanner", "camera", "id_reader", "speech"]
    assert all(t.prompt is not None and t.prompt.zh and t.prompt.en for t in device_tests())


# --- printer ----------------------------------------------------------------------------------------

def test_printer_out_of_paper_fails_with_what_to_do_and_prints_nothing(settings: Settings,
                                                                         printer: PrinterServer) -> None:
    printer.answers = dict(PAPER_OUT)
    result = PrinterTest().run(replace(settings, printer=printer.uri), wait_seconds=1)
    assert result.outcome == FAIL
    assert "打印纸已用完" in result.reason.zh and "out of paper" in result.reason.en
    assert "纸卷" in result.action.zh and "paper roll" in result.action.en
    assert printer.printed_jobs() == []
    printer.answers = dict(COVER_OPEN)
    assert "cover is open" in PrinterTest().live(replace(settings, printer=printer.uri)).reason.en  # type: ignore[union-attr]


def test_an_unreachable_printer_fails_and_an_unset_one_is_absent(settings: Settings, printer: PrinterServer) -> None:
    uri = printer.uri
    printer.stop()
    result = PrinterTest(timeout=2).run(replace(settings, printer=uri), wait_seconds=1)
    assert result.outcome == FAIL and "无法连接打印机" in result.reason.zh and "power" in result.action.en
    assert PrinterTest().run(settings, wait_seconds=1).outcome == ABSENT
    bad = PrinterTest().run(replace(settings, printer="lpt:1"), wait_seconds=1)
    assert bad.outcome == FAIL and "tcp://" in bad.action.en


def test_a_mute_printer_that_never_confirms_is_named(settings: Settings, printer: PrinterServer) -> None:
    printer.answers = None  # it takes bytes, never answers DLE EOT
    result = PrinterTest().run(replace(settings, printer=printer.uri), wait_seconds=1)
    assert result.outcome == FAIL and "status=none" in result.action.en
    written = PrinterTest().run(replace(settings, printer=printer.uri + "&status=none"), wait_seconds=1)
    assert written.outcome == PASS and written.detail["delivery"] == "written_to_device"


# --- scanner ----------------------------------------------------------------------------------------

def test_the_first_sane_scanner_is_used_when_none_is_set(settings: Settings, sane_test_backend: Path) -> None:
    result = ScannerTest().run(settings, wait_seconds=1)
    assert result.outcome == PASS and result.detail["scanner"] == "test:0"
    assert 'scanner = "test:0"' in result.action.en  # tells the technician to keep it
    assert Path(result.detail["image"]).is_file()


def test_scanner_absent_and_jammed(settings: Settings) -> None:
    assert ScannerTest(find=lambda: []).run(settings, wait_seconds=1).outcome == ABSENT

    class Jammed:
        def scan_now(self, *_a: object, **_k: object) -> list[object]:
            raise ScannerError("jammed", "SANE_STATUS_JAMMED")

        def close(self) -> object:
            from concurrent.futures import Future

            done: Future[None] = Future()
            done.set_result(None)
            return done

    result = ScannerTest(open_scanner=lambda _name: Jammed()).run(replace(settings, scanner="fi-7160"),  # type: ignore[arg-type, return-value]
                                                                   wait_seconds=1)
    assert result.outcome == FAIL and "卡纸" in result.reason.zh and "jammed paper" in result.action.en


# --- camera -----------------------------------------------------------------------------------------

CAMERAS = [{"device": "/dev/video0", "name": "USB Document Camera", "capture": True},
           {"device": "/dev/video1", "name": "USB Document Camera", "capture": False}]


def test_a_camera_frame_is_taken_and_kept_for_the_technician(settings: Settings) -> None:
    rng = np.random.default_rng(1)
    page = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    asked: list[str] = []
    result = CameraTest(cameras=lambda: CAMERAS, grab=lambda d: asked.append(d) or page).run(settings, wait_seconds=1)
    assert result.outcome == PASS and asked == ["/dev/video0"]
    assert "640×480" in result.reason.en and Path(result.detail["image"]).is_file()


def test_camera_failures_say_what_to_do(settings: Settings) -> None:
    black = np.zeros((480, 640, 3), dtype=np.uint8)
    covered = CameraTest(cameras=lambda: CAMERAS, grab=lambda _d: black).run(settings, wait_seconds=1)
    assert covered.outcome == FAIL and "镜头被遮住" in covered.reason.zh and "lens cap" in covered.action.en
    silent = CameraTest(cameras=lambda: CAMERAS, grab=lambda _d: None).run(settings, wait_seconds=1)
    assert silent.outcome == FAIL and "gave no picture" in silent.reason.en
    named = CameraTest(cameras=lambda: CAMERAS, grab=lambda _d: black).run(replace(settings, camera="Logitech"),
                                                                          wait_seconds=1)
    assert named.outcome == FAIL and '"Logitech"' in named.reason.en
    assert CameraTest(cameras=lambda: [], grab=lambda _d: black).run(settings, wait_seconds=1).outcome == ABSENT
    off = CameraTest(cameras=lambda: CAMERAS, grab=lambda _d: black).run(replace(settings, camera="none"),
                                                                        wait_seconds=1)
    assert off.outcome == ABSENT and 'camera = "none"' in off.reason.en


# --- ID card reader ---------------------------------------------------------------------------------

def test_the_reader_simulator_reads_the_demo_card(settings: Settings) -> None:
    result = IdCardTest().run(replace(settings, id_reader="simulator"), wait_seconds=5)
    assert result.outcome == PASS and "张三" in result.reason.zh and result.detail["id_number"] == "1101**********002X"
    assert IdCardTest().live(replace(settings, id_reader="simulator")).outcome == PASS  # type: ignore[union-attr]


def test_no_card_within_the_wait_fails_and_no_reader_is_absent(settings: Settings) -> None:
    fake = FakeIdCardReader([])
    result = IdCardTest(make_reader=lambda _s: fake).run(settings, wait_seconds=0.6)
    assert result.outcome == FAIL and "没有读到身份证" in result.reason.zh and fake.reads >= 2
    assert "Lay an ID card flat" in result.action.en
    late = FakeIdCardReader(["no_card", IdCardData(name="李四", id_number="11010519491231002X")])
    assert IdCardTest(make_reader=lambda _s: late).run(settings, wait_seconds=5).outcome == PASS
    assert IdCardTest(make_reader=lambda _s: None).run(settings, wait_seconds=1).outcome == ABSENT
    port = IdCardTest().run(replace(settings, id_reader="serial", id_reader_port="/dev/ttyNOPE9"), wait_seconds=1)
    assert port.outcome == FAIL and "id_reader_port" in port.action.en


# --- voice ------------------------------------------------------------------------------------------

def test_the_voice_speaks_the_sentence_and_says_when_mandarin_is_missing(settings: Settings,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.setup.speech_test import SpeechTest

    monkeypatch.setenv("ONEWINDOW_SPEECH_ENGINE", "mock")  # Qt's mock engine: English only, realistic timing
    result = SpeechTest().run(settings, wait_seconds=1)
    assert result.detail["spoken"] == "Welcome to OneWindow. This is a read-aloud test."
    assert result.outcome == FAIL and "没有普通话语音" in result.reason.zh and "espeak-ng" in result.action.en
    assert SpeechTest().run(replace(settings, device_kind="counter"), wait_seconds=1).outcome == ABSENT


# --- the use case around them -----------------------------------------------------------------------

def test_a_test_that_breaks_becomes_a_failed_line_and_results_keep_the_enrollment(terminal: Terminal) -> None:
    class Broken(CameraTest):
        def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
            raise RuntimeError("driver exploded")

    result = run_device_test(terminal, Broken())
    assert result.outcome == FAIL and "driver exploded" in result.reason.en
    record_results(terminal, [result], {"hall_code": "330106001", "device_no": 3})
    record_results(terminal, [DeviceResult("camera", PASS, result.reason)])
    kept = load_report(terminal.settings.home)
    assert kept is not None and kept.ok and kept.enrollment == {"hall_code": "330106001", "device_no": 3}
    (terminal.settings.home / "setup-results.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        load_report(terminal.settings.home)


def test_settings_file_changes_only_the_named_top_level_keys(tmp_path: Path) -> None:
    path = tmp_path / "onewindow.toml"
    path.write_text('# comment\nhall_code = "1"\nprinter = "tcp://x:9100"\n\n[extra]\nhall_code = "keep"\n',
                    encoding="utf-8")
    set_values(path, {"hall_code": "330106001", "platform_url": 'https://p.example/api/v1?"q"'})
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# comment\nhall_code = "330106001"\nprinter = "tcp://x:9100"\n')
    assert 'platform_url = "https://p.example/api/v1?\\"q\\""\n[extra]\nhall_code = "keep"' in text
    import tomllib

    assert tomllib.loads(text)["platform_url"] == 'https://p.example/api/v1?"q"'


def test_a_settings_file_the_user_may_not_write_is_refused_before_enrolling(tmp_path: Path) -> None:
    """Checked before the one-time code is spent; as another user than the file's owner (root bypasses modes)."""
    import os
    import subprocess
    import sys

    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="onewindow-settings-"))  # /tmp itself: the other user may enter it
    shared.chmod(0o755)
    path = shared / "onewindow.toml"
    path.write_text('hall_code = "330106001"\n', encoding="utf-8")
    path.chmod(0o644)
    script = ("import sys; from pathlib import Path; from kiosk.errors import UserFacingError\n"
              "from kiosk.setup.settings_file import check_writable\n"
              "try:\n    check_writable(Path(sys.argv[1]))\nexcept UserFacingError as exc:\n"
              "    print(exc.message.both()); sys.exit(2)\n")
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []
    if not prefix:
        path.chmod(0o444)
    root = str(Path(__file__).resolve().parents[2])
    try:
        result = subprocess.run([*prefix, sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                                timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": root})
        blocked = subprocess.run([*prefix, sys.executable, "-c", script, str(tmp_path / "x" / "onewindow.toml")],
                                 capture_output=True, text=True, timeout=60, cwd=root, env={**os.environ,
                                                                                            "PYTHONPATH": root})
    finally:
        shutil.rmtree(shared)
    assert result.returncode == 2, result.stderr
    if prefix:  # as nobody, the test's own 0700 folder cannot even be entered
        assert blocked.returncode == 2 and "cannot be written" in blocked.stdout, blocked.stderr
    assert "无法写入设置文件" in result.stdout and "cannot be written" in result.stdout
    from kiosk.setup.settings_file import check_writable

    check_writable(tmp_path / "new" / "dir" / "onewindow.toml")  # a file still to be made where we may write
