"""A small label: online or offline, and how many items still wait to be sent or printed.

Symbol and words, never a coloured dot alone.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ui.i18n import translate


class SyncIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None, *, for_staff: bool = False) -> None:
        """`for_staff`: also say how many print jobs wait for a person (the counter's print queue)."""
        super().__init__(parent)
        self.for_staff = for_staff
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
        elif online is None:  # the first pass since the start has not ended: not known yet, not "offline"
            state = "… " + translate("Widgets", "Checking connection")
        else:
            state = "○ " + translate("Widgets", "Offline")
        pending = int(getattr(view, "pending_items", 0))
        if pending:
            state += " · " + translate("Widgets", "%1 waiting to send").replace("%1", str(pending))
        problems = int(getattr(view, "prints_need_staff", 0)) if self.for_staff else 0
        if problems:
            state += " · ⚠ " + (translate("Widgets", "1 print job needs you") if problems == 1 else
                                translate("Widgets", "%1 print jobs need you").replace("%1", str(problems)))
        if state != self.text():  # the same words again would re-lay out the whole top bar for nothing
            self.setText(state)
        tip = translate("Widgets", "Applications are saved on this kiosk and sent when the link is up.")
        if tip != self.toolTip():
            self.setToolTip(tip)
