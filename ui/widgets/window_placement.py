"""Putting a terminal's window on its screen: full screen with or without a window manager, or windowed
no larger than the screen.

`showFullScreen()` asks the window manager for full screen. A kiosk often
has none (an X server started straight into the app), and then nothing
resizes the window: it opened at its size hint in the top-left corner
with the desktop showing around it. So the window is also given the
screen's whole geometry itself, and frameless, there being nobody to draw
a frame. A windowed start (a developer's desk, `./dev.sh app`) opens at the
size the screens were designed at, shrunk to what the screen has free.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def show_on_screen(window: QWidget, *, fullscreen: bool, preferred: QSize) -> None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    if fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        if screen is not None:
            window.setGeometry(screen.geometry())  # where no window manager runs, nothing else sizes it
        window.showFullScreen()
        return
    if screen is None:
        window.resize(preferred)
    else:
        available = screen.availableGeometry()
        size = preferred.boundedTo(available.size())
        frame = QRect(available.topLeft(), size)
        frame.moveCenter(available.center())
        window.setGeometry(frame)
    window.show()
