"""A bad link on loopback, for fault tests and the bad-link benchmark.

A TCP proxy on 127.0.0.1 that limits the upstream rate (terminal to
platform), cuts every connection after roughly `cut_every` upstream bytes
(mid-request, the way a rural link drops), and can go down entirely. It
counts the bytes that really crossed the link so a benchmark can measure
waste. Never used in production paths.
"""
from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class LinkStats:
    upstream_bytes: int = 0
    downstream_bytes: int = 0
    connections: int = 0
    cuts: int = 0


class BadLink:
    def __init__(self, upstream_port: int, *, rate: float | None = None, cut_every: int | None = None,
                 jitter: float = 0.2, seed: int | None = None, piece: int = 16384) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rate = rate  # bytes per second, None for unlimited
        self.cut_every = cut_every
        self.jitter = jitter
        self.piece = piece
        self.stats = LinkStats()
        self.down = False
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._link_free_at = 0.0
        self._next_cut = self._draw_cut(0)
        self._downstream_cut: int | None = None  # `cut_downstream_after`
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._conns: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True, name="badlink-accept").start()

    def _draw_cut(self, now: int) -> int | None:
        if not self.cut_every:
            return None
        return now + int(self.cut_every * self._rng.uniform(1 - self.jitter, 1 + self.jitter))

    def url(self, path: str = "/api/v1") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._closed = True
        try:
            self._listener.close()
        except OSError:
            pass
        self.cut_all()

    def cut_downstream_after(self, n: int) -> None:
        """Cut, once, the connection that carries the byte at which `n` more bytes have gone downstream (platform
        to terminal), exactly there: a cut made when the terminal has read some of a download lands after
        whatever the proxy had already written to the terminal's socket, which on a busy machine can be the rest
        of the file."""
        with self._lock:
            self._downstream_cut = self.stats.downstream_bytes + n

    def cut_all(self) -> None:
        with self._lock:
            conns = list(self._conns)
        for s in conns:
            _kill(s)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _kill(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _kill(client)
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.stats.connections += 1
                self._conns.update((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _throttle(self, n: int) -> None:
        """Hold the piece for its time on the link; the link is one pipe shared by all connections.

        A lag of up to one piece is forgiven, so that a thread waking late from
        `sleep` does not count as the link idling (that would be the
        simulator's fault, not the protocol's).
        """
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now - self.piece / self.rate, self._link_free_at)
            self._link_free_at = start + n / self.rate
            wait = self._link_free_at - now
        if wait > 0:
            time.sleep(wait)

    def _pump(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        try:
            while True:
                data = src.recv(self.piece)
                if not data or self.down:
                    break
                if upstream:
                    self._throttle(len(data))
                    cut = False
                    with self._lock:
                        if self._next_cut is not None and self.stats.upstream_bytes + len(data) >= self._next_cut:
                            keep = max(0, self._next_cut - self.stats.upstream_bytes)
                            data = data[:keep]
                            cut = True
                        self.stats.upstream_bytes += len(data)
                        if cut:
                            self.stats.cuts += 1
                            self._next_cut = self._draw_cut(self.stats.upstream_bytes)
                    if data:
                        dst.sendall(data)
                    if cut:
                        break
                else:
                    cut = False
                    with self._lock:
                        if self._downstream_cut is not None and \
                                self.stats.downstream_bytes + len(data) >= self._downstream_cut:
                            data = data[:max(0, self._downstream_cut - self.stats.downstream_bytes)]
                            self._downstream_cut, cut = None, True
                            self.stats.cuts += 1
                        self.stats.downstream_bytes += len(data)
                    if data:
                        dst.sendall(data)
                    if cut:
                        break
        except OSError:
            pass
        finally:
            _kill(src)
            _kill(dst)
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)


def _kill(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
