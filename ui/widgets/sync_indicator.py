"""A small label: online or offline, and how many items still wait to be sent or printed.

Symbol and words, never a coloured dot alone.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ui.i18n import translate


class SyncIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncIndicator")
        self.view: object = None
        self.retranslate()

    def set_view(self, view: object) -> None:
        self.view = view
        self.retranslate()

    def retranslate(self) -> None:
        view = self.view
        if view is None:
            self.setText("… " + translate("Widgets", "Checking connection"))
            return
        online = getattr(view, "online", None)
        if online:
            state = "● " + translate("Widgets", "Online")
        elif online is None and not getattr(view, "enrolled", True):
            state = "○ " + translate("Widgets", "Working offline")
        else:
            state = "○ " + translate("Widgets", "Offline")
        pending = int(getattr(view, "pending_items", 0))
        if pending:
            state += " · " + translate("Widgets", "%1 waiting to send").replace("%1", str(pending))
        self.setText(state)
        self.setToolTip(translate("Widgets", "Applications are saved on this kiosk and sent when the link is up."))
