"""A receipt printer played by a real TCP listener on 127.0.0.1 (port chosen by the OS).

It answers DLE EOT status queries as told (or not at all), keeps every byte
of every connection, and can stop listening so that connections are refused.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

READY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}
OFFLINE = {1: 0x1A, 2: 0x12, 4: 0x12}


@dataclass
class PrinterServer:
    answers: dict[int, int] | None = field(default_factory=lambda: dict(READY))
    jobs: list[bytes] = field(default_factory=list)

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
        return f"tcp://127.0.0.1:{self.port}?status_timeout=0.5"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        received = bytearray()
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                # Status queries arrive alone (the driver waits for each answer).
                if len(chunk) == 3 and chunk[:2] == b"\x10\x04":
                    answers = self.answers
                    if answers is not None and chunk[2] in answers:
                        conn.sendall(bytes([answers[chunk[2]]]))
        with self._done:
            self.jobs.append(bytes(received))
            self._done.notify_all()

    def wait_jobs(self, count: int, timeout: float = 10.0) -> list[bytes]:
        with self._done:
            self._done.wait_for(lambda: len(self.jobs) >= count, timeout)
            return list(self.jobs)

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
