"""Writing the values a set-up decides (hall code, platform address) into the terminal's settings file.

Only the named keys change; every other line, comment included, stays as the technician or the package
left it. Written atomically: a power cut leaves the old file or the new one.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.settings import Settings, config_path

CONFIG_ENV = "ONEWINDOW_CONFIG"


def settings_file(settings: Settings) -> Path:
    """The file `load_settings` reads for this terminal (the same rule `onewindow doctor` reports)."""
    return config_path(settings.home if os.environ.get("ONEWINDOW_HOME") else None)


def check_writable(path: Path) -> None:
    """Before anything is sent: a set-up that enrolled but could not record its hall code would leave the
    terminal half set up, with the one-time code spent."""
    try:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK | os.X_OK)
    except OSError:  # a folder on the way this user may not enter
        writable = False
    if not writable:
        raise UserFacingError(Message(
            f"无法写入设置文件 {path}：没有写权限。请以有权限的用户运行（如管理员），或用环境变量 {CONFIG_ENV} 指定可写的设置文件；未做任何更改。",
            f"The settings file {path} cannot be written (no permission). Run as a user who may write it (such as "
            f"with sudo), or point {CONFIG_ENV} at a writable file; nothing was changed."), code="settings_file")


def set_values(path: Path, values: dict[str, str]) -> None:
    """Replace each key's line (`key = ...` at the top level) or append it; TOML basic strings via JSON escapes.

    The link the package makes from the data dir to the conffile in /etc is followed, not replaced by a copy,
    so dpkg still sees the technician's edit as a change to its conffile."""
    path = path.resolve()
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = text.splitlines()
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        top_level = True
        for i, existing in enumerate(lines):
            if existing.lstrip().startswith("["):
                top_level = False  # keys below a table header belong to that table
            if top_level and pattern.match(existing):
                lines[i] = line
                break
        else:
            first_table = next((i for i, existing in enumerate(lines) if existing.lstrip().startswith("[")), len(lines))
            lines.insert(first_table, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644
    write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"), mode=mode)
