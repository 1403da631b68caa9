"""The on-screen keyboard's language in a process of its own (QT_IM_MODULE is read once, when Qt starts).

    QT_QPA_PLATFORM=offscreen python -m tests.ui.keyboard_language_run zh

Prepares the environment as `onewindow kiosk` does, opens a field, shows the
real Qt Virtual Keyboard, switches the UI language and prints one JSON object
with the keyboard's locale at each step; then quits through the event loop,
as the kiosk does, and must exit cleanly.
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("QT_IM_MODULE", None)


def main(argv: list[str]) -> int:
    language = argv[0]
    from ui.kiosk.app import prepare_environment

    active = prepare_environment(keyboard=True, language=language)
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QLineEdit

    from ui import i18n
    from ui.kiosk.virtual_keyboard import KeyboardLanguage, keyboard_settings, pinyin_available
    from ui.screenshots import pump

    app = QApplication([])
    i18n.set_language(language)
    edit = QLineEdit()
    follower = KeyboardLanguage(i18n.lang(), edit)
    edit.show()
    edit.windowHandle().requestActivate()
    pump(edit.isActiveWindow)
    edit.setFocus()
    method = QGuiApplication.inputMethod()
    method.show()
    pump(lambda: keyboard_settings() is not None)
    pump(lambda: follower.applied is not None)
    steps = {"start": method.locale().name()}
    other = "en" if language == "zh" else "zh"
    i18n.set_language(other)
    pump(lambda: method.locale().name() == follower.locale, timeout=10)
    steps["switched"] = method.locale().name()
    settings = keyboard_settings()
    print(json.dumps({"module": os.environ.get("QT_IM_MODULE"), "active": active, "pinyin": pinyin_available(),
                      "steps": steps, "active_locales": list(settings.property("activeLocales")) if settings else []}))
    # quit as the kiosk does: the keyboard panel is unloaded on aboutToQuit, or Qt aborts the process at exit
    QTimer.singleShot(0, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
