"""Kiosk-native cards drawn inside the window, instead of Qt's stock dialogs and pop-ups.

A stock dialog is a second window: small, in the desktop's style, often in
English, modal (it runs its own event loop and blocks the window beneath),
and the kiosk cannot put its idle countdown above it. The elderly-friendly
rules ask for no pop-ups at all. So every question the kiosk asks is a card
covering the whole window with large buttons, in the current language,
answered through callbacks (no nested event loop), and always below the
idle countdown (`KioskOverlay.LAYER`).

`PopupGuard` keeps tooltips off the kiosk and logs any top-level dialog or
pop-up that appears anyway (a defect; tests/ui/test_kiosk_idle_dialogs.py
fails on it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QHBoxLayout, QPushButton, QWidget

from ui.app_events import subscribe

from ui.i18n import translate
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.builders import centred_card, label

log = logging.getLogger("onewindow.kiosk")

Texts = Callable[[], tuple[str, str, str, str]]  # title, text, yes, no, in the current language


class KioskOverlay(QFrame):
    """A card over the whole window: it follows the window's size and stacks by `LAYER`."""

    LAYER = 0  # higher layers stay above lower ones whatever order they were shown in

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        set_role(self, "overlay")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        parent.installEventFilter(self)
        self._return_focus: QWidget | None = None
        self.hide()

    def cover(self) -> None:
        """Show over everything of a lower or equal layer, with the first button focused (keypad users).

        The focus goes back where it was when the card goes (a citizen typing keeps typing).
        """
        parent = self.parentWidget()
        focused = parent.window().focusWidget()
        if focused is not None and not any(o.isAncestorOf(focused) for o in self._cards()):
            self._return_focus = focused
        self.setGeometry(parent.rect())
        self.show()
        for overlay in sorted(self._cards(), key=lambda o: (o.LAYER, o is self)):
            if overlay.isVisible():
                overlay.raise_()
        first = self.first_button()
        if first is not None and self.is_topmost():
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        back, self._return_focus = self._return_focus, None
        if back is not None and shiboken6.isValid(back) and back.isVisible() \
                and not any(o.isVisible() for o in self._cards()):
            back.setFocus(Qt.FocusReason.OtherFocusReason)  # (a screen dropped meanwhile is not focused)

    def _cards(self) -> list[KioskOverlay]:
        return self.parentWidget().findChildren(KioskOverlay, options=Qt.FindChildOption.FindDirectChildrenOnly)

    def is_topmost(self) -> bool:
        return self.isVisible() and not any(o.isVisible() and o.LAYER > self.LAYER for o in self._cards())

    def first_button(self) -> QPushButton | None:
        buttons = [b for b in self.findChildren(QPushButton) if b.isVisibleTo(self) and b.isEnabled()]
        return buttons[0] if buttons else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def speech_text(self) -> str:
        """What read-aloud says when the card appears."""
        return ""


class ConfirmOverlay(KioskOverlay):
    """A yes/no question: "No" (the safe answer) first and focused, "Yes" beside it, both large."""

    LAYER = 1
    answered = Signal(bool)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("confirmOverlay")
        layout = centred_card(self, "overlayBox", width=(760, 1000), margins=(48, 40), spacing=24)
        self.heading = label("title", name="confirmTitle")
        self.text = label(name="confirmText")
        row = QHBoxLayout()
        row.setSpacing(32)
        self.no_button = builders.button("confirmNo", lambda: self._answer(False))
        self.yes_button = builders.button("confirmYes", lambda: self._answer(True), role="primary")
        row.addWidget(self.no_button, 1)
        row.addWidget(self.yes_button, 1)
        for w in (self.heading, self.text):
            layout.addWidget(w)
        layout.addLayout(row)
        self._texts: Texts | None = None
        self._on_yes: Callable[[], None] | None = None
        self._on_no: Callable[[], None] | None = None

    def ask(self, texts: Texts, on_yes: Callable[[], None], on_no: Callable[[], None] | None = None) -> None:
        """Show the question; exactly one of the callbacks runs when the citizen answers.

        `texts` is called again on a language switch, so pass translate() calls in a lambda.
        """
        self._texts, self._on_yes, self._on_no = texts, on_yes, on_no
        self.retranslate()
        self.cover()

    def dismiss(self) -> None:
        """Gone without an answer (the session ended): neither callback runs."""
        self._texts = self._on_yes = self._on_no = None
        self.hide()

    def _answer(self, yes: bool) -> None:
        action = self._on_yes if yes else self._on_no
        self.dismiss()
        self.answered.emit(yes)
        if action is not None:
            action()

    def retranslate(self) -> None:
        if self._texts is None:
            return
        title, text, yes, no = self._texts()
        self.heading.setText(title)
        self.text.setText(para(text))
        self.yes_button.setText(yes)
        self.no_button.setText(no)

    def speech_text(self) -> str:
        if self._texts is None:
            return ""
        title, text, yes, no = self._texts()
        return "。".join([title, text, no, yes])


class PopupGuard(QObject):
    """No tooltip ever shows on the kiosk, and a stray top-level dialog or pop-up is logged as the defect it is."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.strays: list[str] = []
        subscribe(self, (QEvent.Type.ToolTip, QEvent.Type.WhatsThis, QEvent.Type.StatusTip, QEvent.Type.Show),
                  self.eventFilter)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in (QEvent.Type.ToolTip, QEvent.Type.WhatsThis, QEvent.Type.StatusTip):
            return isinstance(watched, QWidget) and (watched is self.window or self.window.isAncestorOf(watched))
        if kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow() \
                and watched is not self.window and (isinstance(watched, QDialog) or watched.windowType() in (
                    Qt.WindowType.Popup, Qt.WindowType.ToolTip)):
            what = f"{type(watched).__name__} {watched.objectName()!r}"
            self.strays.append(what)
            log.warning("a stock dialog or pop-up appeared on the kiosk: %s", what)
        return False

    def close_strays(self) -> None:
        """Before the idle countdown: close any pop-up or stray dialog, so nothing covers the countdown.

        Closing is cancelling (a file dialog picks nothing, a menu chooses
        nothing), so nothing the citizen entered changes.
        """
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            following = QApplication.activePopupWidget()
            popup = following if following is not popup else None
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()


def leave_texts() -> tuple[str, str, str, str]:
    """The question Home asks while an application is under way."""
    return (translate("Kiosk", "Leave this application?"),
            translate("Kiosk", "What you have entered will be cleared from this kiosk."),
            translate("Kiosk", "Yes, leave and clear"), translate("Kiosk", "No, continue"))
