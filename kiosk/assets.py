"""Where the shipped assets live (fonts, calendar, demo catalog, styles)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def assets_dir() -> Path:
    override = os.environ.get("ONEWINDOW_ASSETS")
    if override:
        return Path(override)
    return _shipped()


@lru_cache(maxsize=1)
def _shipped() -> Path:
    """Resolved once: a notice asks for its font's path once per character (`printing.fonts.font_for`), and
    resolving this file's path each time was a quarter of a notice's layout (2,900 `realpath`s)."""
    return Path(__file__).resolve().parent.parent / "assets"


def asset(*parts: str) -> Path:
    return assets_dir().joinpath(*parts)
