"""Printing errors, each with a documented numeric code like python-escpos's exceptions.

| code | class               | meaning                                              | job stays pending? |
| ---- | ------------------- | ---------------------------------------------------- | ------------------ |
| 10   | PrinterUriInvalid   | the printer address cannot be understood              | no (fix settings)  |
| 20   | PrinterUnreachable  | connection refused, timed out, device not present     | yes                |
| 30   | PrinterNotReady     | the printer answered: paper out, cover open, offline  | yes                |
| 40   | DocumentUnavailable | the application does not exist or its data was purged | no                 |
| 50   | SpoolerFailed       | CUPS (`lp`) refused the document or is not running    | yes                |
| 60   | FontMissing         | a font needed for Chinese text is not installed        | no                 |

"Pending" errors are the ones a person fixes at the printer (paper, cable,
power); the queue keeps those jobs and retries them. The others need staff.
"""
from __future__ import annotations

from kiosk.errors import Message, UserFacingError


class PrintingError(UserFacingError):
    resultcode: int = 1
    keeps_job_pending: bool = False

    def __init__(self, message: Message, *, code: str) -> None:
        super().__init__(message, code=code)


class PrinterUriInvalid(PrintingError):
    resultcode = 10

    def __init__(self, uri: str, why: str) -> None:
        super().__init__(Message(f"打印机地址“{uri}”无效：{why}",
                                 f"The printer address '{uri}' is not valid: {why}"), code="printer_uri")
        self.uri = uri


class PrinterUnreachable(PrintingError):
    resultcode = 20
    keeps_job_pending = True

    def __init__(self, uri: str, detail: str) -> None:
        super().__init__(Message(f"无法连接打印机（{uri}）：{detail}。回执已保存，打印机恢复后将自动打印。",
                                 f"Cannot reach the printer ({uri}): {detail}. The receipt is kept and will "
                                 "print when the printer is back."), code="printer_unreachable")
        self.uri = uri
        self.detail = detail


class PrinterNotReady(PrintingError):
    """The printer answered DLE EOT and said it cannot print now; `reasons` are short codes."""

    resultcode = 30
    keeps_job_pending = True

    def __init__(self, uri: str, reasons: tuple[str, ...], message: Message) -> None:
        super().__init__(Message(f"打印机（{uri}）暂时不能打印：{message.zh}。回执已保存，打印机恢复后将自动打印。",
                                 f"The printer ({uri}) cannot print now: {message.en}. The receipt is kept and "
                                 "will print when the printer is back."), code="printer_not_ready")
        self.uri = uri
        self.reasons = reasons


class DocumentUnavailable(PrintingError):
    resultcode = 40

    def __init__(self, message: Message) -> None:
        super().__init__(message, code="document_unavailable")


class SpoolerFailed(PrintingError):
    resultcode = 50
    keeps_job_pending = True

    def __init__(self, detail: str) -> None:
        super().__init__(Message(f"系统打印服务（CUPS）未接受文档：{detail}",
                                 f"The system print service (CUPS) did not take the document: {detail}"),
                         code="spooler_failed")
        self.detail = detail


class FontMissing(PrintingError):
    resultcode = 60

    def __init__(self, path: str) -> None:
        super().__init__(Message(f"缺少中文字体文件：{path}（请运行 ./dev.sh setup）",
                                 f"A Chinese font is missing: {path} (run ./dev.sh setup)"), code="font_missing")
