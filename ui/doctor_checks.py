"""Doctor checks that need Qt, which only `ui` may load."""
from __future__ import annotations

import os
from typing import Any

from kiosk.doctor import Check


def check_qt(_terminal: Any) -> Check:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    from PySide6 import QtCore
    from PySide6.QtWidgets import QApplication

    # A QApplication (not a QGuiApplication), so widgets can still be made later in this process.
    app = QApplication.instance() or QApplication([])
    from PySide6.QtGui import QFontDatabase

    from kiosk.assets import asset

    families: list[str] = []
    for path in sorted(asset("fonts").glob("*.tt[fc]")):
        fid = QFontDatabase.addApplicationFont(str(path))
        families += QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    chinese = [f for f in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)]
    status = "ok" if chinese else "fail"
    detail = f"Qt {QtCore.qVersion()} on {app.platformName()}; {len(chinese)} font families cover Simplified Chinese"
    return Check("qt", status, detail, {"qt": QtCore.qVersion(), "chinese_families": chinese[:10]})
