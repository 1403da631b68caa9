"""The printers as a part of the terminal (`Terminal.printing`).

`attach` is the `onewindow.terminal_parts` entry point. With `background`
(the windows) it starts the print worker (`printing.worker`), so jobs that
waited for a printer print by themselves; without (a one-shot CLI command),
no thread is left behind and `poke` does nothing. `print_now` is always one
synchronous attempt while the citizen waits; with a worker it takes turns
with it, so the two never send one job twice.

`lay_out_documents_with` says where A4 documents are laid out: here by
default, in the worker process (`kiosk.processes.call_in_process`) when a
window shares the process (`ui.terminal_setup.open_terminal`).
"""
from __future__ import annotations

from kiosk.print_jobs import PrintOutcome
from kiosk.processes import Offload, call_here
from kiosk.terminal import Terminal
from printing import queue
from printing.render import prepare_document_fonts, prepare_receipt_fonts
from printing.worker import PrintWorker, PrintWorkerStatus


class Printers:
    def __init__(self, terminal: Terminal, *, worker: PrintWorker | None = None) -> None:
        self.terminal = terminal
        self.worker = worker
        self.offload: Offload = call_here

    def lay_out_documents_with(self, offload: Offload) -> None:
        self.offload = offload
        if self.worker is not None:
            self.worker.offload = offload

    def prepare_documents(self) -> None:
        self.offload(prepare_document_fonts, timeout=queue.RENDER_TIMEOUT)

    def prepare_receipts(self) -> None:
        prepare_receipt_fonts()  # receipts are made here (a few ms each), not in the worker process

    def print_now(self, job_id: int, *, actor: str) -> PrintOutcome | None:
        if self.worker is not None:
            return self.worker.print_now(job_id, actor=actor)
        return queue.run_job(self.terminal, job_id, actor=actor, offload=self.offload)

    def poke(self) -> None:
        if self.worker is not None:
            self.worker.poke()

    def status(self) -> PrintWorkerStatus:
        return self.worker.status() if self.worker is not None else PrintWorkerStatus()

    def stop(self, timeout: float = 5.0) -> None:
        if self.worker is not None:
            self.worker.stop(timeout)


def attach(terminal: Terminal, *, background: bool) -> None:
    worker: PrintWorker | None = None
    if background:
        worker = PrintWorker(terminal)
        worker.start()
    terminal.printing = Printers(terminal, worker=worker)
