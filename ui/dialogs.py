"""Dialogs the kiosk may need, each with an `ask()` classmethod tests replace.

The citizen flow avoids pop-ups (elderly-friendly rules); these are for
choices that truly need a yes/no, and for picking a file to import.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.text import para
from ui.theme import set_role


class ConfirmDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(24)
        heading = set_role(QLabel(title), "subtitle")
        body = QLabel(para(text))
        body.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(body)
        row = QHBoxLayout()
        no_button = QPushButton(no)
        yes_button = set_role(QPushButton(yes), "primary")
        no_button.clicked.connect(self.reject)
        yes_button.clicked.connect(self.accept)
        row.addWidget(no_button)
        row.addStretch(1)
        row.addWidget(yes_button)
        layout.addLayout(row)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> bool:
        return cls(parent, title, text, yes, no).exec() == QDialog.DialogCode.Accepted


class ImportFileDialog:
    """Picks a file from a USB stick or folder; tests replace `ask`."""

    @classmethod
    def ask(cls, parent: QWidget | None, start: Path | None = None) -> Path | None:
        title = QCoreApplication.translate("ImportFileDialog", "Choose a file to import")
        filters = QCoreApplication.translate("ImportFileDialog", "Images or PDF (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.pdf)")
        name, _ = QFileDialog.getOpenFileName(parent, title, str(start or Path("/media")), filters)
        return Path(name) if name else None
