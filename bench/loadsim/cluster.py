"""The platform under load: `onewindow platform serve` processes on one PostgreSQL database (and one
bucket, once the platform speaks S3), and what they cost, read from /proc and pg_stat_database.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx

from sync.protocol import API_PREFIX, PROTOCOL_HEADER
from tests.free_ports import free_port

TICKS = os.sysconf("SC_CLK_TCK")


def end_on_sigterm() -> None:
    """A bench stopped with SIGTERM (`kill`, `timeout`) ends as one stopped with Ctrl-C does: through its
    `finally` blocks, which stop the platform instances, PostgreSQL and SeaweedFS it started. They run in
    sessions of their own (so a kill of one instance leaves the others), so no signal would reach them, and
    killed without this a bench left all three running."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))


@cache
def serve_help() -> str:
    out = subprocess.run([sys.executable, "-m", "kiosk", "platform", "serve", "--help"], capture_output=True,
                         text=True, timeout=120)
    return out.stdout


def serve_has(flag: str) -> bool:
    """Whether this checkout's `platform serve` takes `flag` (object storage and workers arrive with other work)."""
    return flag in serve_help()


# --- CPU from /proc ------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from the state on (the name may hold spaces)


def tree_cpu_seconds(root: int) -> float:
    """CPU of a process and all its descendants: the live ones' own time, plus what every one of them
    has collected from children it reaped (cutime/cstime), so nothing is counted twice."""
    parents: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                stats[int(entry)] = fields
                parents[int(entry)] = int(fields[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        fields = stats.get(pid)
        if fields is not None:  # utime stime cutime cstime are fields 14-17; here from index 11
            total += sum(int(v) for v in fields[11:15])
    return total / TICKS


# --- platform instances -----------------------------------------------------------------------

@dataclass
class S3Settings:
    url: str
    bucket: str
    env: dict[str, str]


class Instance:
    """One `onewindow platform serve` in its own session (so it and any workers go together)."""

    def __init__(self, home: Path, db_url: str, key_file: Path, *, s3: S3Settings | None = None,
                 workers: int | None = None, log: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "kiosk", "platform", "serve", "--home", str(home), "--db", db_url,
                "--blob-key-file", str(key_file), "--host", "127.0.0.1", "--port", str(self.port),
                "--behind-proxy"]  # on loopback, as behind nginx: no per-address connection cap for T terminals
        env = dict(os.environ)
        if s3 is not None:
            args += ["--s3-endpoint", s3.url, "--s3-bucket", s3.bucket]
            env.update(s3.env)
        if workers:
            args += ["--workers", str(workers)]
        self.log = log.open("ab")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        self.cpu_at_kill: float | None = None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Up once it answers as the platform (a 401 for a request without a token is enough)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"platform instance exited ({self.process.returncode}); see {self.log.name}")
            try:
                if PROTOCOL_HEADER in httpx.get(self.url + API_PREFIX + "/summary", timeout=2).headers:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"platform instance did not answer in {timeout} s; see {self.log.name}")

    def cpu_seconds(self) -> float:
        if self.cpu_at_kill is not None:
            return self.cpu_at_kill
        return tree_cpu_seconds(self.process.pid)

    def kill(self) -> None:
        """SIGKILL to the whole session, mid-request: what a crashed machine does."""
        self.cpu_at_kill = tree_cpu_seconds(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        """SIGTERM (uvicorn finishes what it serves and closes its database connections), SIGKILL after 20 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        else:
            try:  # workers of a dead parent
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


# --- PostgreSQL ------------------------------------------------------------------------------------

def conninfo(db_url: str) -> str:
    """The psycopg address of a SQLAlchemy URL (postgresql+psycopg://user@host:port/name)."""
    return db_url.replace("postgresql+psycopg://", "postgresql://")


def admin_conninfo(db_url: str) -> tuple[str, str]:
    """The maintenance database's address (so the bench's own queries count in no figure) and the name."""
    base, name = conninfo(db_url).rsplit("/", 1)
    return f"{base}/postgres", name


def counters(db_url: str) -> tuple[int, int]:
    """Commits and rollbacks of the database so far, and the connections ever opened to it, once the figures
    stop moving (PostgreSQL 15+ backends report their counts when they end, or at most a second after a
    transaction, not at every commit)."""
    import psycopg

    admin, name = admin_conninfo(db_url)
    last = (-1, -1)
    with psycopg.connect(admin, autocommit=True) as conn:
        for _ in range(30):
            row = conn.execute("SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database "
                               "WHERE datname = %s", (name,)).fetchone()
            value = (int(row[0]), int(row[1])) if row else (0, 0)
            if value == last:
                return value
            last = value
            time.sleep(1.1)
    return last


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])
