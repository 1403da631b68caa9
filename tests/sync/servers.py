"""Real servers for the sync tests: the platform under uvicorn in a thread, and PostgreSQL."""
from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from sync.server.app import Limits, create_app
from sync.server.db import PlatformStore, open_platform, remember_db_url
from sync.server.enrollment import create_code
from tests.free_ports import free_port


class PlatformServer:
    """The reference platform on 127.0.0.1, in this process (same code as `onewindow platform serve`)."""

    def __init__(self, home: Path, db_url: str | None = None, limits: Limits = Limits(),
                 wrap: Callable[[Any], Any] | None = None, objects: Any = None) -> None:
        """`objects`: `sync.server.s3_settings.S3Settings` for attachment files in object storage."""
        self.home = home
        self.store: PlatformStore = open_platform(home, db_url, objects=objects)
        if db_url:
            remember_db_url(self.store.home, db_url)  # as `platform serve --db` does, for the other commands
        app = create_app(self.store, limits)
        self.app = wrap(app) if wrap else app
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", timeout_keep_alive=30, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[self.sock])), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("platform did not start")
            time.sleep(0.01)

    def url(self, path: str = "/api/v1") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def enroll_code(self, hall: str = "330106001", name: str = "kiosk-1", role: str = "counter") -> str:
        """A counter by default: most sync tests play a one-PC hall that takes and decides applications."""
        return create_code(self.store, hall, name, role=role)

    def add_staff(self, hall: str = "330106001", username: str = "clerk1", password: str = "password-1",
                  role: str = "clerk", display_name: str | None = None) -> None:
        """What the hall's administrator does with `onewindow platform staff add`."""
        from sync.server.staff import add_staff

        add_staff(self.store, hall, username, password, role, display_name=display_name)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.store.close()


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary directory (initdb + pg_ctl)."""

    def __init__(self) -> None:
        bindir = pg_bin()
        assert bindir is not None
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="ow-pg-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()  # not one the kernel may give a client's socket during initdb (tests/free_ports.py)
        data = self.dir / "data"
        self._run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync",
                   "-E", "UTF8", "--locale=C"])
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"])
        self.data = data
        self._n = 0

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(self.as_user + cmd, check=True, capture_output=True, timeout=120)

    def new_database(self) -> str:
        import psycopg

        self._n += 1
        name = f"ow_{os.getpid()}_{self._n}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(self.as_user + [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
