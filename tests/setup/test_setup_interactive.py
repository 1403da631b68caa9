"""`onewindow setup` on a terminal (a real pty): it asks for what the flags left out, asks before it enrolls,
and before each device that needs hands (not those the settings say are not there)."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.printing.printer_server import PrinterServer
from tests.setup.conftest import write_config
from tests.sync.servers import PlatformServer


class Conversation:
    """The technician at the keyboard: waits for each question, then types the answer."""

    def __init__(self, home: Path, config: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        self.child = subprocess.Popen([sys.executable, "-m", "kiosk", "--home", str(home), "setup", *args],
                                      stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                                      env={**os.environ, "ONEWINDOW_CONFIG": str(config), **(env or {})})
        os.close(slave)
        self.screen = b""

    @property
    def seen(self) -> str:
        return self.screen.decode("utf-8", errors="replace")  # the whole screen: no character split in two

    def _read(self, timeout: float) -> bool:
        """What the child wrote within `timeout`; False once it closed the pty."""
        if not select.select([self.master], [], [], timeout)[0]:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the child is gone and the pty with it
            return False
        self.screen += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {text!r}; the screen shows:\n{self.seen}"
            assert self._read(left), f"the command ended before {text!r}:\n{self.seen}"

    def answer(self, text: str) -> None:
        os.write(self.master, text.encode("utf-8") + b"\r")

    def finish(self, timeout: float = 120.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            if self.child.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                break
        code = self.child.wait(max(1.0, deadline - time.monotonic()))
        os.close(self.master)
        return code


def test_it_asks_for_what_is_missing_and_before_each_device_that_needs_hands(
        tmp_path: Path, platform: PlatformServer, printer: PrinterServer, sane_test_backend: Path) -> None:
    home, config = tmp_path / "home", tmp_path / "onewindow.toml"
    write_config(config, device_kind="counter", printer=printer.uri, scanner="test:0", camera="none")
    talk = Conversation(home, config, "--hall", "330106001", env={"SANE_CONFIG_DIR": str(sane_test_backend)})
    talk.expect("平台地址（如 https://平台域名/api/v1） / platform address")
    talk.answer(platform.url())
    talk.expect("注册码（平台管理员提供） / enrollment code")
    talk.answer(platform.enroll_code("330106001", "counter-2"))
    talk.expect(f"用注册码在平台 {platform.url()} 为大厅 330106001 注册本终端？")
    talk.answer("y")
    talk.expect("确认小票打印机已开机、装好纸。 / Make sure the receipt printer is on and has paper.")
    assert printer.printed_jobs() == []  # nothing printed before the technician says so
    talk.answer("")
    talk.expect("在扫描仪上放一页测试纸。 / Put a test page on the scanner.")
    talk.answer("")
    assert talk.finish() == 0, talk.seen
    assert "✔ 已注册：大厅 330106001" in talk.seen and "✔ 小票打印机 / Receipt printer" in talk.seen
    assert "✔ 扫描仪 / Scanner" in talk.seen and "– 身份证阅读器 / ID card reader" in talk.seen
    for not_asked in ("把一张身份证平放", "在高拍仪下放", "打开音箱"):  # none set, or a counter
        assert not_asked not in talk.seen
    assert json.loads((home / "setup-results.json").read_text(encoding="utf-8"))["ok"] is True


def test_saying_no_before_enrolling_changes_nothing(tmp_path: Path, platform: PlatformServer) -> None:
    home, config = tmp_path / "home", write_config(tmp_path / "onewindow.toml", device_kind="counter")
    before = config.read_text(encoding="utf-8")
    code = platform.enroll_code("330106001", "counter-3")
    talk = Conversation(home, config, "--platform", platform.url(), "--code", code)
    talk.expect("大厅编码（6到12位数字） / hall code")
    talk.answer("330106001")
    talk.expect("[y/N]")
    talk.answer("n")
    assert talk.finish() == 2
    assert "未做任何更改。 / Nothing was changed." in talk.seen
    assert config.read_text(encoding="utf-8") == before and not (home / "sync" / "credential.json").exists()
    # the code was not spent: it still enrolls
    again = Conversation(home, config, "--hall", "330106001", "--platform", platform.url(), "--code", code, "--yes")
    assert again.finish() == 0, again.seen
