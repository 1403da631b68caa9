"""Handing a PDF to CUPS with `lp`; CUPS keeps its own queue once it has taken the document."""
from __future__ import annotations

import subprocess

from printing.errors import SpoolerFailed


def send_to_cups(pdf: bytes, queue: str = "", *, title: str = "onewindow", timeout: float = 60.0) -> str:
    """Returns what `lp` said (the request id); raises SpoolerFailed when CUPS did not take it."""
    command = ["lp", "-t", title]
    if queue:
        command += ["-d", queue]
    command.append("-")
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise SpoolerFailed("lp is not installed (cups-client)") from None
    except subprocess.TimeoutExpired:
        raise SpoolerFailed(f"lp did not answer within {timeout:.0f} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip() or f"exit {done.returncode}"
        raise SpoolerFailed(detail[:300])
    return done.stdout.decode("utf-8", "replace").strip()
