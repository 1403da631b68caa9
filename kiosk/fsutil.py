"""Durable file writes: a file is complete on disk before anything refers to it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.errors import Message, UserFacingError


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write to a temporary file, fsync it, rename it into place, fsync the folder.

    A crash leaves either the old file, the new file, or a stray temporary
    file that nothing refers to; never a truncated file under the real name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if exc.errno == 28:  # ENOSPC
            raise UserFacingError(
                Message("存储空间已满，资料未保存。请联系工作人员。",
                        "The disk is full; nothing was saved. Please ask the staff for help."),
                code="disk_full",
            ) from exc
        raise
