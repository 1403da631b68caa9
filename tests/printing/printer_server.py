"""A receipt printer played by a real TCP listener on 127.0.0.1 (port chosen by the OS).

It answers DLE EOT status queries as told (or not at all), keeps every byte
of every connection, and can stop listening so that connections are refused.
`answers_after_job` scripts a printer whose state changes once a job's bytes
arrived on a connection (paper running out mid-job, or falling silent).
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Final

READY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}
OFFLINE = {1: 0x1A, 2: 0x12, 4: 0x12}
QUERIES = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04")


class _Same:
    pass


SAME: Final = _Same()  # answers_after_job: keep answering as before the job


@dataclass
class PrinterServer:
    answers: dict[int, int] | None = field(default_factory=lambda: dict(READY))
    answers_after_job: dict[int, int] | None | _Same = SAME
    jobs: list[bytes] = field(default_factory=list)
    settle: float = 0.3
    status_timeout: float = 0.5
    #: time.monotonic() of each accepted connection
    connected_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}?status_timeout={self.status_timeout}&settle={self.settle}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._done:
                self.connected_at.append(time.monotonic())
                self._done.notify_all()
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        received = bytearray()
        job_seen = False
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                # The driver waits for each answer, so a query ends what arrived; after a job's bytes it can
                # arrive in the same chunk as their tail (a receipt ends with a cut, never with 10 04 n).
                if chunk[-3:] in QUERIES:
                    job_seen = job_seen or len(chunk) > 3
                    answers = self.answers
                    if job_seen and not isinstance(self.answers_after_job, _Same):
                        answers = self.answers_after_job
                    if answers is not None and chunk[-1] in answers:
                        conn.sendall(bytes([answers[chunk[-1]]]))
                else:
                    job_seen = True
        with self._done:
            self.jobs.append(bytes(received))
            self._done.notify_all()

    def wait_jobs(self, count: int, timeout: float = 10.0) -> list[bytes]:
        with self._done:
            self._done.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

    def wait_connections(self, count: int, timeout: float = 10.0) -> int:
        with self._done:
            self._done.wait_for(lambda: len(self.connected_at) >= count, timeout)
            return len(self.connected_at)

    def printed_jobs(self) -> list[bytes]:
        """Connections that carried more than status queries."""
        return [j for j in self.jobs if j.replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x02", b"")
                .replace(b"\x10\x04\x04", b"")]

    def stop(self) -> None:
        """Stop listening: from now on connections are refused."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread; close alone would not
        except OSError:
            pass
        self._sock.close()
        self._thread.join(timeout=5)
