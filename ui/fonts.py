"""Making sure Chinese never renders as boxes: the bundled CJK font first."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from kiosk.assets import asset

SYSTEM_FALLBACKS = [
    Path("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
]


def install_fonts(app: QApplication, point_size: int = 14) -> list[str]:
    """Register the bundled font and rare-character fallbacks; return the UI families."""
    families: list[str] = []
    for path in sorted(asset("fonts").glob("*.tt[fc]")) + [p for p in SYSTEM_FALLBACKS if p.exists()]:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    primary = [f for f in families if "Zen Hei" in f and "Sharp" not in f and "Mono" not in f]
    fallbacks = [f for f in families if f.startswith("HanaMin")]
    font = QFont(primary[0] if primary else app.font().family(), point_size)
    font.setFamilies((primary[:1] or [app.font().family()]) + fallbacks)
    app.setFont(font)
    return families


def covers_chinese(family: str) -> bool:
    return QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)
