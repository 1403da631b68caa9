"""The bar on every screen: hall name, step, sync state, and the accessibility switches."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from kiosk.errors import Message
from ui.i18n import lang, msg, translate
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.flow_layout import FlowLayout
from ui.widgets.header_layout import HeaderLabel, HeaderLayout
from ui.widgets.sync_indicator import SyncIndicator

STEPS = ("Identity", "Form", "Materials", "Check", "Receipt")


class TopBar(QWidget):
    language_toggled = Signal()
    large_text_toggled = Signal(bool)
    read_aloud_requested = Signal()
    home_requested = Signal()
    help_requested = Signal()

    def __init__(self, hall_zh: str, hall_en: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hall = (hall_zh, hall_en)
        self.hall_label = HeaderLabel()
        self.hall_label.setObjectName("hallName")
        self.step_label = HeaderLabel()
        self.step_label.setObjectName("stepLabel")
        self.switches = QWidget()
        self.switches.setObjectName("topSwitches")
        switches = FlowLayout(self.switches, spacing=14, line_spacing=8, align_right=True)
        # Names left, switches right; on a narrow screen (a portrait terminal, large text) the switches
        # share a second line with the step, and wrap again if need be, rather than being squeezed.
        bar = HeaderLayout(self, self.hall_label, self.step_label, self.switches, spacing=14, line_spacing=6)
        bar.setContentsMargins(32, 10, 32, 10)
        self.sync = SyncIndicator()
        switches.add(self.sync)
        self.read_button = QPushButton()
        self.read_button.setObjectName("readAloudButton")
        self.read_button.clicked.connect(self.read_aloud_requested)
        self.read_button.hide()
        self.large_button = builders.button("largeTextButton", checkable=True)
        self.large_button.toggled.connect(self._large)
        self.language_button = builders.button("languageButton", self.language_toggled.emit)
        self.home_button = builders.button("homeButton", self.home_requested.emit)
        # on every screen, first among the switches: a person to ask (ui.kiosk.help)
        self.help_button = builders.button("helpButton", self.help_requested.emit)
        for b in (self.help_button, self.read_button, self.large_button, self.language_button, self.home_button):
            switches.add(b)
        self.step: int | None = None
        self.retranslate()

    def _large(self, on: bool) -> None:
        self.retranslate()
        self.large_text_toggled.emit(on)

    def set_step(self, step: int | None) -> None:
        self.step = step
        self.retranslate()

    def retranslate(self) -> None:
        self.hall_label.setText(self.hall[1] if lang() == "en" else self.hall[0])
        if self.step is None:
            self.step_label.setText(translate("Kiosk", "Self-service kiosk"))
        else:
            names = [translate("Kiosk", "Identity"), translate("Kiosk", "Form"), translate("Kiosk", "Materials"),
                     translate("Kiosk", "Check"), translate("Kiosk", "Receipt")]
            self.step_label.setText(translate("Kiosk", "Step %1 of %2: %3").replace("%1", str(self.step))
                                    .replace("%2", str(len(names))).replace("%3", names[self.step - 1]))
        # The language button names the *other* language in that language, so anyone can find it.
        self.language_button.setText("English" if lang() == "zh" else "中文")
        self.language_button.setAccessibleName(  # said to a screen reader: what the tap does
            translate("Kiosk", "Switch the language to English") if lang() == "zh"
            else "切换为中文 (Switch to Chinese)")
        mark = "✔ " if self.large_button.isChecked() else ""
        self.large_button.setText(mark + translate("Kiosk", "Large text"))
        self.read_button.setText(translate("Kiosk", "Read aloud"))
        self.home_button.setText(translate("Kiosk", "Home"))
        self.help_button.setText(translate("Kiosk", "Ask staff for help"))
        self.sync.retranslate()


class NoticeBar(QFrame):
    """Errors and notices inside the window (no pop-ups), in the current language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        set_role(self, "notice")
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.close_button = QPushButton()
        self.close_button.setObjectName("noticeClose")
        self.close_button.clicked.connect(self.clear)
        row.addWidget(self.close_button)
        self.message: Message | None = None
        self.hide()

    def show_message(self, message: Message) -> None:
        self.message = message
        self.retranslate()
        self.show()

    def clear(self) -> None:
        self.message = None
        self.label.clear()
        self.hide()

    def retranslate(self) -> None:
        self.close_button.setText(translate("Kiosk", "OK"))
        if self.message is not None:
            self.label.setText(para("⚠ " + msg(self.message)))
