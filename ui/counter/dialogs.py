"""Counter dialogs, each with an `ask()` classmethod that tests replace."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.review import REASON_MAX
from ui.i18n import translate
from ui.text import para
from ui.theme import set_role


class ReasonDialog(QDialog):
    """Asks for a written reason (a rejection); OK stays disabled until there is one."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, ok: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(16)
        layout.addWidget(set_role(QLabel(title), "subtitle"))
        text = QLabel(para(prompt))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("reasonEdit")
        self.edit.setMinimumHeight(140)
        layout.addWidget(self.edit)
        self.counter = set_role(QLabel(), "hint")
        layout.addWidget(self.counter)
        row = QHBoxLayout()
        cancel = QPushButton(translate("Counter", "Cancel"))
        self.ok_button = set_role(QPushButton(ok), "primary")
        self.ok_button.setObjectName("reasonOk")
        cancel.clicked.connect(self.reject)
        self.ok_button.clicked.connect(self.accept)
        row.addWidget(cancel)
        row.addStretch(1)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.edit.textChanged.connect(self._changed)
        self._changed()

    def _changed(self) -> None:
        text = self.edit.toPlainText().strip()
        self.ok_button.setEnabled(0 < len(text) <= REASON_MAX)
        self.counter.setText(translate("Counter", "%1 of %2 characters").replace("%1", str(len(text))).replace("%2", str(REASON_MAX)))

    def reason(self) -> str:
        return self.edit.toPlainText().strip()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, ok: str) -> str | None:
        dialog = cls(parent, title, prompt, ok)
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None
