"""Logging for the terminal: to a rotating file under the data dir, ID numbers masked.

Configuring it also opens `logs/crash.log` (`kiosk.crash_log`) for fatal
errors, since every process that opens a data dir passes through here.

A log is read by IT staff and copied into tickets; a full ID number or
credit code in it would be a leak, so a filter masks anything shaped like
one before it is written.
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kiosk.log_masking import MaskingFilter, mask_text  # noqa: F401 - mask_text is part of this module's API

def configure_logging(home: Path, level: int = logging.INFO, *, file_name: str = "onewindow.log") -> Path:
    """`file_name`: a helper process that lives as long as its window (`sync.process`) writes a file of its
    own, since two processes rotating one file would each cut the other's."""
    from kiosk import crash_log

    log_dir = home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    crash_log.install(home)
    path = log_dir / file_name
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_onewindow", False)]:
        if Path(existing.baseFilename) == path.resolve():  # type: ignore[attr-defined]
            return path
        root.removeHandler(existing)
        existing.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    handler._onewindow = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return path
