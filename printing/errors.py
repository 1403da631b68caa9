"""Printing errors, each with a documented numeric code like python-escpos's exceptions.

| code | class               | meaning                                              | job stays pending? |
| ---- | ------------------- | ---------------------------------------------------- | ------------------ |
| 10   | PrinterUriInvalid   | the printer address cannot be understood              | no (fix settings)  |
| 20   | PrinterUnreachable  | connection refused, timed out, device not present     | yes                |
| 30   | PrinterNotReady     | the printer answered: paper out, cover open, offline  | yes                |
| 40   | DocumentUnavailable | the application does not exist or its data was purged | no                 |
| 50   | SpoolerFailed       | CUPS (`lp`) refused the document or is not running    | yes                |
| 35   | PrintInterrupted    | paper out / cover open / link lost while printing      | yes, whole, 补打   |
| 60   | FontMissing         | a font needed for Chinese text is not installed        | no                 |
| 70   | PrinterSilent       | the bytes went out but the printer never confirmed    | no: "unconfirmed"  |
| 80   | PrintCancelled      | the terminal was closing before a byte was sent        | yes                |
| 90   | PrintDefect         | an unexpected error (a defect; the log has it)         | see below          |

"Pending" errors are the ones a person fixes at the printer (paper, cable,
power); the queue keeps those jobs and retries them. A job interrupted part
way (`PrintInterrupted`) is printed whole again on the retry, marked as a
reprint, because half a receipt is already in the tray. `PrinterSilent`
leaves the job "unconfirmed": the receipt may or may not be in the tray, so
it is neither called printed nor printed again until staff look
(`printing.confirmations`). The others need staff.
"""
from __future__ import annotations

from kiosk.errors import Message, UserFacingError


class PrintingError(UserFacingError):
    resultcode: int = 1
    #: the queue keeps the job and tries again with backoff
    keeps_job_pending: bool = False
    #: part of the job may be on paper: the retry prints it whole and marked "补打"
    reprint_on_retry: bool = False
    #: the bytes went out and nobody knows whether they printed: staff decide
    leaves_job_unconfirmed: bool = False

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


class PrintInterrupted(PrintingError):
    """The job started but did not finish: the printer reported a problem after the bytes, or the link broke."""

    resultcode = 35
    keeps_job_pending = True
    reprint_on_retry = True

    def __init__(self, uri: str, reasons: tuple[str, ...], why: Message) -> None:
        super().__init__(Message(f"打印机（{uri}）在打印过程中停止：{why.zh}。回执保留在队列中，打印机恢复后将整张重新打印"
                                 "（标注“补打”）。",
                                 f"The printer ({uri}) stopped part way through the job: {why.en}. The receipt stays "
                                 "in the queue and will print again in full, marked as a reprint, when the printer "
                                 "is back."), code="print_interrupted")
        self.uri = uri
        self.reasons = reasons


class PrinterSilent(PrintingError):
    """The printer took the bytes but gave no status answer afterwards, on a transport that can carry one."""

    resultcode = 70
    leaves_job_unconfirmed = True

    def __init__(self, uri: str, answered_before: bool) -> None:
        before = ("打印前打印机回答了状态查询，打印后没有回答", "it answered the status query before the job but not after it") \
            if answered_before else ("打印机始终没有回答状态查询", "it never answered the status query")
        super().__init__(Message(f"已把内容发送到打印机（{uri}），但无法确认是否打印成功：{before[0]}。请工作人员查看出纸口后"
                                 "确认或补打。",
                                 f"The job was sent to the printer ({uri}) but it did not confirm printing: "
                                 f"{before[1]}. Staff should check the paper slot, then confirm or reprint it."),
                         code="printer_silent")
        self.uri = uri
        self.answered_before = answered_before


class PrintCancelled(PrintingError):
    """The terminal was closing (or another worker took the job) before a byte of the document went out."""

    resultcode = 80
    keeps_job_pending = True

    def __init__(self) -> None:
        super().__init__(Message("程序正在关闭，打印任务留在队列中，下次启动后打印。",
                                 "The program is closing; the print job stays in the queue and prints after the "
                                 "next start."), code="print_cancelled")


class PrintDefect(PrintingError):
    """An exception nobody planned for (a defect): logged whole; the job is kept or failed, never lost silently.

    Raised while building the document it fails the job (the same bytes would fail
    again); raised while talking to the printer it keeps the job pending.
    """

    resultcode = 90

    def __init__(self, exc: BaseException, *, keeps_job_pending: bool) -> None:
        super().__init__(Message(f"打印时发生意外错误（{type(exc).__name__}），详情见日志，请联系系统管理员。",
                                 f"An unexpected error occurred while printing ({type(exc).__name__}); the log has "
                                 "the details. Please ask the administrator."), code="print_defect")
        self.keeps_job_pending = keeps_job_pending
