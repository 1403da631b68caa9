"""Render the set-up window to PNG at the four screen shapes a terminal meets.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m ui.setup.render_screens [OUT_DIR] [--screens | --size WxH ...]
    xvfb-run -s "-screen 0 1080x1920x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python -m ui.setup.render_screens OUT_DIR --fullscreen

With `--fullscreen` the window is shown the way `onewindow setup --window --fullscreen` shows it, on the
whole screen, and the screen itself is grabbed (what a technician sees under X). States: the form, the form
with its field and platform errors, the device list after a round of tests (Chinese, then English). The
results come from stand-in tests returning what real ones return; nothing is enrolled or printed. Look at the
pictures: anything cut off, overlapping or shown as boxes is a bug.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk.errors import Message, UserFacingError  # noqa: E402 - after the platform is chosen
from kiosk.settings import Settings  # noqa: E402
from kiosk.setup.device_checks import DeviceTest  # noqa: E402
from kiosk.setup.results import ABSENT, FAIL, PASS, DeviceResult  # noqa: E402
from ui.screenshots import SCREEN_SIZES, application, parse_sizes, pump  # noqa: E402

ENGINE = "speechd"
PRINTER, SCANNER, SCAN_FILE = "tcp://10.0.8.21:9100", "fujitsu:fi-7160:12345", "/var/lib/onewindow/kiosk/setup/scan-test.png"
RESULTS = (
    DeviceResult("printer", FAIL, Message(f"打印机 {PRINTER} 不能打印：打印纸已用完。",
                                          f"The printer {PRINTER} cannot print: it is out of paper."),
                 Message(f"检查打印机 {PRINTER} 的纸卷、盖板和指示灯，然后重新检测。",
                         f"Check the printer {PRINTER}'s paper roll, cover and lights, then test again.")),
    DeviceResult("scanner", PASS, Message(f"扫描仪 {SCANNER} 扫描了一页（827×1169像素）。",
                                          f"The scanner {SCANNER} scanned a page (827×1169 px)."),
                 Message(f"查看 {SCAN_FILE}，确认图像清晰。", f"Look at {SCAN_FILE} and check the image is sharp.")),
    DeviceResult("camera", ABSENT, Message("未找到摄像头。", "No camera was found."),
                 Message("自助终端用高拍仪拍摄材料：连接后重新检测；窗口终端没有也可以。",
                         "A kiosk photographs materials with a document camera: connect one and test again; a "
                         "counter can do without.")),
    DeviceResult("id_reader", PASS, Message("读到了 张三 的身份证（1101**********002X）。",
                                            "Read the ID card of 张三 (1101**********002X).")),
    DeviceResult("speech", PASS, Message(f"已用普通话读出：“欢迎使用一窗通办自助终端，语音播报测试。”（{ENGINE}）。",
                                         f"Read aloud in Mandarin: \"欢迎使用一窗通办自助终端，语音播报测试。\" ({ENGINE})."),
                 Message("确认从音箱里听到了这句话；没听到时检查音量和音频输出。",
                         "Check you heard the sentence from the speakers; if not, check the volume and the audio "
                         "output.")),
)
PROMPTS = {"printer": Message("确认小票打印机已开机、装好纸。", "Make sure the receipt printer is on and has paper."),
           "scanner": Message("在扫描仪上放一页测试纸。", "Put a test page on the scanner."),
           "camera": Message("在高拍仪下放一页有文字的纸。", "Put a page with text under the document camera."),
           "id_reader": Message("把一张身份证平放在阅读器上。", "Lay an ID card flat on the reader."),
           "speech": Message("打开音箱，调好音量。", "Switch the speakers on and set the volume.")}


class CannedTest(DeviceTest):
    """Returns what a real test returned on a hall's machine."""

    def __init__(self, result: DeviceResult) -> None:
        self.result = result
        self.device = result.device
        self.prompt = PROMPTS[result.device]

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        return self.result


def _states(window: Any) -> list[tuple[str, Any]]:
    from ui.i18n import set_language

    def form() -> None:
        window.code_edit.setText("K7WQ-3MZD-9HPX-T2RC")

    def form_errors() -> None:
        window.hall_edit.setText("33010-600")
        window.code_edit.setText("K7WQ-3MZD")
        window.enroll()

    def form_refused() -> None:
        window.hall_edit.setText("330106001")
        window.code_edit.setText("K7WQ-3MZD-9HPX-T2RC")
        window._clear_field_error("hall_code")
        window._clear_field_error("code")
        window._enroll_failed(UserFacingError(Message(
            "无法连接平台 https://zwfw.example.gov.cn/api/v1：连接超时。请检查平台地址和网络连接；未做任何更改。",
            "Cannot reach the platform at https://zwfw.example.gov.cn/api/v1: the connection timed out. Check the "
            "address and the network; nothing was changed.")))

    def enrolled() -> None:
        window.hall_edit.setText("330106001")
        window._enrolled({"hall_code": "330106001", "device_no": 3, "role": "kiosk"})

    def tested() -> None:
        window.start_tests()
        pump(lambda: window.report is not None, timeout=30)

    def english() -> None:
        set_language("en")
        window.retranslate()

    return [("form", form), ("form_errors", form_errors), ("form_refused", form_refused), ("enrolled", enrolled),
            ("tested", tested), ("tested_en", english)]


def render(out: Path, sizes: tuple[tuple[int, int], ...], fullscreen: bool) -> list[Path]:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication

    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from ui.i18n import set_language
    from ui.setup.window import SetupWindow
    from ui.theme import apply_theme
    from ui.widgets.window_placement import show_on_screen

    app = application(out)
    apply_theme(app, large=False)
    set_language("zh")
    home = Path(tempfile.mkdtemp(prefix="onewindow-setup-shots-"))
    terminal = Terminal.open(load_settings(home, device_no=1, platform_url="https://zwfw.example.gov.cn/api/v1",
                                           printer=PRINTER, scanner=SCANNER,
                                           id_reader="simulator"), parts=False)
    window = SetupWindow(terminal, [CannedTest(r) for r in RESULTS])
    platform = QGuiApplication.platformName()
    if fullscreen:
        screen = QGuiApplication.primaryScreen().geometry()
        sizes = ((screen.width(), screen.height()),)
        show_on_screen(window, fullscreen=True, preferred=QSize(1280, 1024))
        pump(lambda: window.windowHandle() is not None and window.windowHandle().isExposed())
    else:
        window.show()
    shots: list[Path] = []
    for name, step in _states(window):
        step()
        for width, height in sizes:
            if not fullscreen:
                window.resize(width, height)
            pump(lambda: True)
            path = out / f"setup_{name}_{width}x{height}_{platform}.png"
            if fullscreen:
                QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
            else:
                window.grab().save(str(path))
            shots.append(path)
    window.close()
    pump(lambda: True)
    terminal.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fullscreen = "--fullscreen" in args
    rest, sizes = parse_sizes([a for a in args if a != "--fullscreen"], default=SCREEN_SIZES)
    for path in render(Path(rest[0]) if rest else Path("/tmp/setup-shots"), sizes, fullscreen):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
