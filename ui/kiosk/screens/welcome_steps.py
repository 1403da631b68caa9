"""How applying goes, in three numbered steps, under the welcome screen's choices when there is room.

Someone at a kiosk for the first time, an ID card and a household register in hand, does not know that the
card is read rather than typed, or that the papers are photographed here. The steps say so before they
choose, in the words of this terminal's devices: a kiosk with no card reader does not promise one.

The panel is shown only while it fits below the choices without scrolling (a tall portrait screen, a
landscape one in normal text); where it does not, the screen stays as it was, with every choice in view.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.terminal import Devices
from ui.i18n import translate
from ui.text import para
from ui.theme import set_role
from ui.widgets.column_grid import ColumnGrid

STEP_COLUMN_WIDTH = 300  # three side by side from about 1,000 pixels of width, else one under another
MARKS = ("①", "②", "③")


def step_texts(devices: Devices | None) -> list[str]:
    """The three steps, for the devices this terminal has (None: not known yet, so none promised)."""
    reader = devices is not None and devices.id_reader is not None
    capture = devices is not None and (devices.scanner is not None or devices.camera is not None)
    first = translate("Kiosk", "Tap a large button above to choose what you need.")
    second = (translate("Kiosk", "Lay your ID card on the reader when asked: there is no number to type.")
              if reader else translate("Kiosk", "Enter your ID number with the large keys on the screen."))
    third = (translate("Kiosk", "Put your household register and other papers on the scanner when asked: "
                                "the kiosk takes their pictures. Take your receipt at the end.")
             if capture else translate("Kiosk", "Bring your papers to the counter, or import them from a USB "
                                                "stick. Take your receipt at the end."))
    return [first, second, third]


class WelcomeSteps(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeSteps")
        set_role(self, "card")
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 16, 24, 16)
        column.setSpacing(12)
        self.heading = set_role(QLabel(), "subtitle")
        self.heading.setWordWrap(True)
        column.addWidget(self.heading)
        grid_host = QWidget()
        self.grid = ColumnGrid(grid_host, max_columns=3, spacing=24, column_width=STEP_COLUMN_WIDTH, full_rows=True)
        self.steps: list[QLabel] = []
        for index in range(len(MARKS)):
            label = QLabel()
            label.setObjectName(f"welcomeStep{index + 1}")
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # side by side: tops level
            self.grid.addWidget(label)
            self.steps.append(label)
        column.addWidget(grid_host)
        self.devices: Devices | None = None

    def set_devices(self, devices: Devices | None) -> None:
        self.devices = devices
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(translate("Kiosk", "Applying takes three steps"))
        for label, mark, text in zip(self.steps, MARKS, step_texts(self.devices), strict=True):
            label.setText(para(f"{mark} {text}"))

    def speech_text(self) -> str:
        return "。".join([self.heading.text(), *step_texts(self.devices)])
