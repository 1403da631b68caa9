"""Physical keys and keypads: a blind citizen with earphones takes the kiosk's paths without the screen.

Tab or an arrow key moves to the next control (Shift+Tab, Up or Left to the
previous), Enter activates the control, Escape goes back (or answers "No"
on a question card), F1 or Help repeats the step. The order is the reading
order of what is on screen: the step's own controls first, top to bottom
and left to right, then the notice bar, then the top bar; while a card covers the window only its
buttons take part. In a text field Left and Right move the cursor, as the
citizen expects. The first such key a citizen presses (outside a text
field) turns on read-aloud mode for their session (`ui.kiosk.voice`),
speaks the step and focuses its first control; every move is spoken.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QScrollArea, QWidget

from ui.app_events import subscribe

from ui.kiosk.overlay import ConfirmOverlay, KioskOverlay
from ui.kiosk.voice import spoken_name


class KeypadShell(Protocol):
    """What the keypad needs of the kiosk window (`ui.kiosk.window.KioskWindow`)."""

    nav: Any  # ui.kiosk.navigator.KioskNavigator: the current screen
    notice: QWidget
    top: QWidget
    voice: Any  # ui.kiosk.voice.KioskVoice: read-aloud mode

    def announce_current(self, *, refocus: bool = True) -> None: ...
    def focusWidget(self) -> QWidget | None: ...  # noqa: N802 - Qt's name
    def findChildren(self, kind: type) -> list[Any]: ...  # noqa: N802 - Qt's name
    def isAncestorOf(self, child: QWidget) -> bool: ...  # noqa: N802 - Qt's name

NEXT = {Qt.Key.Key_Tab, Qt.Key.Key_Down, Qt.Key.Key_Right}
PREVIOUS = {Qt.Key.Key_Backtab, Qt.Key.Key_Up, Qt.Key.Key_Left}
ACTIVATE = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
REPEAT = {Qt.Key.Key_Help, Qt.Key.Key_F1}  # a keypad's "repeat" key: what is on screen, again
# An Enter this soon after a typed character ends a keyboard-wedge scanner's burst (a receipt's QR code), which
# the screen reads; a person on a keypad does not type a character and Enter within a tenth of a second.
BURST_GAP_S = 0.1
ROW = 24  # controls whose centres are this close vertically are read as one row, left to right


def focusable(root: QWidget) -> list[QWidget]:
    """Controls under `root` a key can reach, visible and enabled, in creation order."""
    return [w for w in root.findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not isinstance(w, (QScrollArea, KioskOverlay)) and w.focusProxy() is None]


def reading_order(widgets: list[QWidget], origin: QWidget) -> list[QWidget]:
    def key(w: QWidget) -> tuple[int, int]:
        centre = w.mapTo(origin, w.rect().center())
        return centre.y() // ROW, centre.x()
    return sorted(widgets, key=key)


class KeypadNavigator(QObject):
    def __init__(self, window: KeypadShell, speak: Callable[[str], None]) -> None:
        super().__init__(window)  # type: ignore[arg-type] - the window is a QWidget
        self.window = window
        self._speak = speak
        self._typed_at = 0.0
        subscribe(self, (QEvent.Type.KeyPress,), self.eventFilter)

    # --- what can be reached -------------------------------------------------------------------------
    def scope(self) -> QWidget | None:
        """The topmost card, if one covers the window."""
        cards = [o for o in self.window.findChildren(KioskOverlay) if o.isVisible()]
        return max(cards, key=lambda o: o.LAYER) if cards else None

    def controls(self) -> list[QWidget]:
        card = self.scope()
        if card is not None:
            return reading_order(focusable(card), card)
        ordered: list[QWidget] = []
        screen = self.window.nav.current()
        if screen is not None:
            inner = screen.scroll.widget()
            ordered += reading_order(focusable(inner), inner)
            ordered += reading_order([w for w in focusable(screen) if not inner.isAncestorOf(w)], screen)
        for bar in (self.window.notice, self.window.top):
            ordered += reading_order(focusable(bar), bar)
        return ordered

    def focus(self, widget: QWidget) -> None:
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        area = widget.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            area.ensureWidgetVisible(widget, 16, 48)

    def first(self) -> QWidget | None:
        controls = self.controls()
        if controls:
            self.focus(controls[0])
            return controls[0]
        return None

    def move(self, step: int) -> QWidget | None:
        controls = self.controls()
        if not controls:
            return None
        current = self.window.focusWidget()
        if current in controls:
            target = controls[(controls.index(current) + step) % len(controls)]
        else:
            target = controls[0 if step > 0 else -1]
        self.focus(target)
        return target

    # --- keys ------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched is not self.window and not self.window.isAncestorOf(watched):
            return False
        assert isinstance(event, QKeyEvent)
        text = event.text()
        if text and text.isprintable() and not text.isspace():
            self._typed_at = time.monotonic()
            return False
        if event.key() in ACTIVATE and time.monotonic() - self._typed_at < BURST_GAP_S:
            return False  # the end of a scanner's burst: the screen takes it
        return self.handle(event.key(), event.modifiers())

    def handle(self, key: int, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> bool:
        """True when the key was ours to act on (it goes no further)."""
        focus = self.window.focusWidget()
        in_text = isinstance(focus, QLineEdit)
        if key == Qt.Key.Key_Tab and modifiers & Qt.KeyboardModifier.ShiftModifier:
            key = Qt.Key.Key_Backtab
        if in_text and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            return False  # the cursor moves within what was typed
        if not self.window.voice.keypad_mode and not in_text and (
                key in NEXT or key in PREVIOUS or key in ACTIVATE or key in REPEAT or key == Qt.Key.Key_Escape):
            self.start()  # whatever key a blind citizen tries first, they hear where they are
            return True
        if key in REPEAT:
            self.window.announce_current(refocus=False)
            return True
        if key in NEXT or key in PREVIOUS:
            target = self.move(1 if key in NEXT else -1)
            if target is not None:
                self._speak(spoken_name(target))
            return True
        if key in ACTIVATE and isinstance(focus, QAbstractButton) and self._reachable(focus):
            focus.click()
            return True
        if key == Qt.Key.Key_Escape:
            return self._back()
        return False

    def start(self) -> None:
        """The first navigation key of a session: read-aloud on, the first control focused, the step spoken."""
        self.window.voice.keypad_mode = True
        self.window.announce_current()

    def _reachable(self, widget: QWidget) -> bool:
        card = self.scope()
        return card.isAncestorOf(widget) if card is not None else self.window.isAncestorOf(widget)

    def _back(self) -> bool:
        card = self.scope()
        if isinstance(card, ConfirmOverlay):
            card.no_button.click()
            return True
        if card is not None:
            return False
        screen = self.window.nav.current()
        back = getattr(screen, "back_button", None)
        if back is not None and back.isVisible() and back.isEnabled():
            back.click()
            return True
        return False
