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
import re
from pathlib import Path

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Z]{4})([0-9A-Z]{10})([0-9A-Z]{3}[0-9X])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    def _id(match: re.Match[str]) -> str:
        whole = match.group(0)
        if not any(ch.isdigit() for ch in whole[4:-4]):
            return whole
        return whole[:4] + "*" * 10 + whole[-4:]

    text = _ID_LIKE.sub(_id, text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


def configure_logging(home: Path, level: int = logging.INFO) -> Path:
    from kiosk import crash_log

    log_dir = home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    crash_log.install(home)
    path = log_dir / "onewindow.log"
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
