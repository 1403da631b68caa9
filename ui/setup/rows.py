"""One device's line in the set-up window: its name, the outcome in words and a mark (never colour alone),
why, and what the technician should do."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from kiosk.errors import Message
from kiosk.setup.results import NOTHING_TO_DO, DeviceResult
from ui.i18n import msg, translate
from ui.theme import set_role, set_style_property

MARKS = {"pass": "✔", "fail": "✘", "absent": "–", "waiting": "○", "running": "…"}


def outcome_words(state: str) -> str:
    if state == "pass":
        return translate("Setup", "Passed")
    if state == "fail":
        return translate("Setup", "Failed")
    if state == "absent":
        return translate("Setup", "Not connected")
    if state == "running":
        return translate("Setup", "Testing…")
    return translate("Setup", "Waiting")


class DeviceRow(QFrame):
    def __init__(self, device: str, label: Message, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = device
        self.label = label
        self.state = "waiting"
        self.result: DeviceResult | None = None
        set_role(self, "card")
        self.setObjectName(f"setupRow_{device}")
        grid = QGridLayout(self)
        grid.setContentsMargins(18, 10, 18, 10)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        self.name = set_role(QLabel(), "subtitle")
        self.outcome = set_role(QLabel(), "big")
        self.reason = QLabel()
        self.action = set_role(QLabel(), "hint")
        for text in (self.reason, self.action, self.name):
            text.setWordWrap(True)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.outcome, 0, 1)
        grid.addWidget(self.reason, 1, 0, 1, 2)
        grid.addWidget(self.action, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.retranslate()

    def set_running(self) -> None:
        self.state, self.result = "running", None
        self.retranslate()

    def set_waiting(self) -> None:
        self.state, self.result = "waiting", None
        self.retranslate()

    def set_result(self, result: DeviceResult) -> None:
        self.state, self.result = result.outcome, result
        self.retranslate()

    def retranslate(self) -> None:
        self.name.setText(msg(self.label))
        self.outcome.setText(f"{MARKS[self.state]} {outcome_words(self.state)}")
        set_style_property(self.outcome, "outcome", self.state)  # the window's sheet colours it; the words say it
        result = self.result
        self.reason.setVisible(result is not None)
        self.action.setVisible(result is not None and result.action != NOTHING_TO_DO)
        if result is not None:
            self.reason.setText(msg(result.reason))
            self.action.setText("→ " + msg(result.action))
