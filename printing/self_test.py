"""The receipt printer's set-up test: a test receipt in Chinese and English with a QR code, on the
configured printer, through the same path and status checks as a citizen's receipt (`render.send_job`).

Offered to `kiosk.usecases.setup` through the ``onewindow.device_tests`` entry point; a printer's trouble
is a failed result with what to do, never an exception.
"""
from __future__ import annotations

import socket
from datetime import datetime

from kiosk.errors import Message
from kiosk.settings import Settings
from kiosk.setup.device_checks import DeviceTest
from kiosk.setup.results import ABSENT, FAIL, PASS, DeviceResult
from printing.drivers import open_printer
from printing.errors import (PrinterNotReady, PrinterSilent, PrinterUnreachable, PrinterUriInvalid, PrintingError,
                             PrintInterrupted)
from printing.receipt.escpos_out import receipt_bytes
from printing.receipt.layout import Block, Feed, Line, QrCode, Rule
from printing.receipt.model import printer_model
from printing.render import Delivery, send_job
from printing.status import REASON_TEXT

#: printed on the test receipt; the technician checks it reads right (GB18030 text, a rare character as raster)
SAMPLE_ZH = "中文打印测试：一窗通办，最多跑一次。𠀾"
SAMPLE_EN = "Print test: one window, at most one visit."
#: addresses as the technician types them
EXAMPLE_URI, USB, SERIAL, MUTE = "tcp://192.0.2.10:9100", "usb:", "serial:", "?status=none"


def test_receipt(settings: Settings, now: datetime | None = None) -> bytes:
    """The test receipt's ESC/POS bytes for this terminal's printer model and paper."""
    model = printer_model(settings.printer_profile, settings.receipt_paper_mm)
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    blocks: list[Block] = [
        Line(settings.hall_name_zh, align="center", bold=True, double=True),
        Line("打印机测试 / Printer test", align="center", bold=True),
        Rule(),
        Line(f"大厅 / Hall: {settings.hall_code}"),
        Line(f"终端 / Terminal: {socket.gethostname()[:24]}"),
        Line(f"时间 / Time: {stamp}"),
        Rule(),
        Line(SAMPLE_ZH),
        Line(SAMPLE_EN),
        QrCode(f"onewindow-printer-test:{settings.hall_code}:{stamp}"),
        Line("能读出以上文字并扫出二维码即为正常。", align="center"),
        Line("Text readable and QR code scannable: OK.", align="center"),
        Feed(2),
    ]
    return receipt_bytes(blocks, model)


def _check_paper(uri: str) -> Message:
    return Message(f"检查打印机 {uri} 的纸卷、盖板和指示灯，然后重新检测。",
                   f"Check the printer {uri}'s paper roll, cover and lights, then test again.")


def _unreachable(uri: str, exc: PrinterUnreachable) -> DeviceResult:
    return DeviceResult("printer", FAIL, Message(f"无法连接打印机 {uri}：{exc.detail}。",
                                                 f"Cannot reach the printer {uri}: {exc.detail}."),
                        Message("检查打印机电源、网线或USB线，以及设置中的地址，然后重新检测。",
                                "Check the printer's power, its network or USB cable, and the address in the "
                                "settings, then test again."), {"printer": uri, "code": exc.code})


class PrinterTest(DeviceTest):
    device = "printer"
    order = 10
    prompt = Message("确认小票打印机已开机、装好纸。", "Make sure the receipt printer is on and has paper.")

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout = timeout

    def expects_hands(self, settings: Settings) -> bool:
        return bool(settings.printer.strip())

    def live(self, settings: Settings) -> DeviceResult | None:
        """The printer's status (DLE EOT), with no paper used: reachable, paper, cover."""
        uri = settings.printer.strip()
        if not uri:
            return self._absent()
        try:
            with open_printer(uri, timeout=self.timeout) as driver:
                status = driver.status()
        except PrinterUnreachable as exc:
            return _unreachable(uri, exc)
        except PrintingError as exc:
            return DeviceResult(self.device, FAIL, exc.message, _check_paper(uri), {"printer": uri, "code": exc.code})
        detail: dict[str, object] = {"printer": uri, **status.as_dict()}
        if not status.known:
            return DeviceResult(self.device, PASS, Message(f"打印机 {uri} 可以连接（它不回答状态查询）。",
                                                           f"The printer {uri} can be reached (it does not answer "
                                                           "status queries)."), detail=detail)
        if not status.ready:
            return DeviceResult(self.device, FAIL, Message(f"打印机 {uri} 不能打印：{status.message().zh}。",
                                                           f"The printer {uri} cannot print: {status.message().en}."),
                                _check_paper(uri), detail)
        return DeviceResult(self.device, PASS, Message(f"打印机 {uri} 就绪。", f"The printer {uri} is ready."),
                            detail=detail)

    def _absent(self) -> DeviceResult:
        return DeviceResult(self.device, ABSENT, Message("未设置小票打印机（设置项 \"printer\" 为空）。",
                                                             "No receipt printer is set (printer is empty)."),
                                Message(f"有打印机时在设置项 \"printer\" 中填入它的地址，如 {EXAMPLE_URI}（或以 {USB} 或 {SERIAL} "
                                        "开头的地址），然后重新检测。",
                                        "If there is one, set printer = \"tcp://PRINTER-IP:9100\" (or usb:, serial:) "
                                        "in the settings, then test again."))

    def run(self, settings: Settings, *, wait_seconds: float) -> DeviceResult:
        uri = settings.printer.strip()
        if not uri:
            return self._absent()
        detail: dict[str, object] = {"printer": uri}
        try:
            delivery = send_job("receipt", uri, test_receipt(settings), {}, timeout=self.timeout)
        except PrinterUriInvalid as exc:
            return DeviceResult(self.device, FAIL, exc.message, Message(
                f"改正设置项 \"printer\" 中的地址（如 {EXAMPLE_URI}），然后重新检测。",
                f"Correct the printer address in the settings (such as {EXAMPLE_URI}), then test again."),
                {**detail, "code": exc.code})
        except PrinterUnreachable as exc:
            return _unreachable(uri, exc)
        except PrinterNotReady as exc:
            why = [REASON_TEXT.get(r, Message(r, r)) for r in exc.reasons]
            return DeviceResult(self.device, FAIL, Message(f"打印机 {uri} 不能打印：{'，'.join(w.zh for w in why)}。",
                                                           f"The printer {uri} cannot print: "
                                                           f"{', '.join(w.en for w in why)}."),
                                _check_paper(uri), {**detail, "code": exc.code, "reasons": list(exc.reasons)})
        except PrintInterrupted as exc:
            return DeviceResult(self.device, FAIL, exc.message, _check_paper(uri), {**detail, "code": exc.code})
        except PrinterSilent as exc:
            return DeviceResult(self.device, FAIL, Message(
                f"测试小票已发出，但打印机 {uri} 没有回答状态查询，无法确认是否打印。",
                f"The test receipt was sent, but the printer {uri} did not answer the status query, so printing "
                "cannot be confirmed."), Message(
                f"看出纸口：有测试小票而打印机从不回答状态时，在地址后加 {MUTE}；没有时检查打印机，然后重新检测。",
                "Look at the tray: if the test receipt is there and this printer never answers status queries, add "
                f"{MUTE} to its address; if not, check the printer, then test again."),
                {**detail, "code": exc.code})
        except PrintingError as exc:
            return DeviceResult(self.device, FAIL, exc.message, _check_paper(uri), {**detail, "code": exc.code})
        confirmed = delivery == Delivery.CONFIRMED
        detail["delivery"] = delivery.value
        return DeviceResult(self.device, PASS, Message(
            "测试小票已打印" + ("，打印机确认完成。" if confirmed else "（数据已全部送出；此打印机不回答状态）。"),
            "A test receipt was printed" + (", and the printer confirmed it." if confirmed else
                                           " (every byte was sent; this printer does not report its status).")),
            Message("取下测试小票，确认中文清晰、二维码能扫出。", "Take the test receipt and check the Chinese text is "
                                                            "clear and the QR code scans."), detail)


PRINTER_TEST = PrinterTest()
