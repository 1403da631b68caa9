"""A push button whose words wrap onto more lines instead of being cut off.

`QPushButton` draws its text on one line (or on the lines its "\\n"s make)
and clips the rest, so a long service name in large text, or an English
label on a portrait screen, loses its end. `WrapButton` keeps the full text
(`text()` returns it, so callers and read-aloud see the words as written)
and gives the style a copy with line breaks for the width it has, found by
Qt's own line breaking (spaces in English, between characters in Chinese).
It reports the height those lines need through `heightForWidth`, so the
layouts give it that height.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QStyle, QStyleOptionButton, QWidget

PROBE = 100  # a text size for asking the style how much padding and border a button adds
TALL = 1000


# Chinese line-breaking rules (禁则): these never begin a line, those never end one.
_NO_START = set("，。、；：！？）」』】》〉”’,.;:!?)]}%·…")
_NO_END = set("（「『【《〈“‘([{")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x3000 <= code <= 0x303F or code >= 0x20000)


def _tokens(paragraph: str) -> list[tuple[str, bool]]:
    """Unbreakable pieces, each with whether a space came before it: Latin words whole, Chinese by character."""
    pieces: list[tuple[str, bool]] = []
    word, space = "", False
    for char in paragraph:
        if char == " ":
            if word:
                pieces.append((word, space))
                word = ""
            space = True
        elif _is_cjk(char) and char not in _NO_START:
            if word and word[-1] not in _NO_END:
                pieces.append((word, space))
                word, space = "", False
            word += char
        elif char in _NO_START and not word and pieces and not space:
            prev, prev_space = pieces.pop()  # glue closing punctuation to what it closes
            word, space = prev + char, prev_space
        else:
            if word and _is_cjk(word[-1]) and word[-1] not in _NO_END and char not in _NO_START:
                pieces.append((word, space))
                word, space = "", False
            word += char
    if word:
        pieces.append((word, space))
    return pieces


def wrap_lines(text: str, font: QFont, width: int) -> list[str]:
    """`text` broken into lines no wider than `width` pixels (a single over-long word keeps its own line).

    Greedy, by the font's own advances: English at spaces, Chinese between
    characters, never a closing mark at the start of a line. (QTextLayout
    would do this too, but its PySide6 6.12 binding corrupts Python's
    reference count of None when called many times.)
    """
    metrics = QFontMetrics(font)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece, space in _tokens(paragraph):
            candidate = line + (" " if space and line else "") + piece
            if not line or metrics.horizontalAdvance(candidate) <= width:
                line = candidate
            else:
                lines.append(line)
                line = piece
        lines.append(line)
    return lines


class WrapButton(QPushButton):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._full = ""
        self._reserve = ""
        self._overhead_key: tuple[object, ...] | None = None
        self._overhead_size = QSize()
        self._memo_key: tuple[object, ...] | None = None
        self._sizes: dict[object, object] = {}
        self.setText(text)

    def reserve(self, prefix: str) -> None:
        """Size as if the text began with `prefix` (the tick a chosen option gets), so choosing one
        never makes a grid of options jump to fewer columns."""
        self._reserve = prefix
        self.updateGeometry()

    # --- the text as written ---------------------------------------------------------------------
    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self._rewrap(force=True)

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """The text as drawn, with the line breaks this width needs."""
        return QPushButton.text(self)

    # --- sizes -----------------------------------------------------------------------------------
    def _overhead(self) -> QSize:
        """Padding and border the style puts around the text, asked once per font, state and role.

        The option is filled by attribute, not `initStyleOption()`: PySide6 6.12 on Python 3.11
        drops a reference to None on every call of a method returning void, and size hints are
        asked for many times a layout pass.
        """
        key = (self.font().key(), self.isChecked(), str(self.property("role")), id(self.style()))
        if self._overhead_key != key:
            probe = QSize(PROBE, TALL)  # taller than any min-height, so only padding and border show
            option = QStyleOptionButton()
            option.rect = QRect(QPoint(0, 0), probe)
            option.state = (QStyle.StateFlag.State_Enabled
                            | (QStyle.StateFlag.State_On if self.isChecked() else QStyle.StateFlag.State_Off))
            option.text = "x"
            option.fontMetrics = QFontMetrics(self.font())
            outer = self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, probe, self)
            self._overhead_size = QSize(outer.width() - PROBE, outer.height() - TALL)
            self._overhead_key = key
        return self._overhead_size

    def _outer(self, text_size: QSize) -> QSize:
        extra = self._overhead()
        return QSize(text_size.width() + extra.width(), text_size.height() + extra.height()).expandedTo(
            self.minimumSize())

    def _padding(self) -> int:
        return self._overhead().width()

    def _text_size(self, text: str) -> QSize:
        return QFontMetrics(self.font()).size(int(Qt.TextFlag.TextShowMnemonic), text)

    def _wrapped(self, width: int) -> str:
        return "\n".join(wrap_lines(self._full, self.font(), width - self._padding()))

    def _memo(self) -> dict[object, object]:
        """Sizes measured for this text, font, state and style: a layout pass asks for them many times, and
        wrapping and measuring text in Python is what a screen change spent most of its time on."""
        key = (self._full, self._reserve, self.font().key(), self.isChecked(), str(self.property("role")),
               id(self.style()), self.minimumWidth(), self.minimumHeight())
        if key != self._memo_key:
            self._memo_key, self._sizes = key, {}
        return self._sizes

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The whole text on as few lines as its own line breaks allow."""
        memo = self._memo()
        if "hint" not in memo:
            text = self._full if self._full.startswith(self._reserve) else self._reserve + self._full
            memo["hint"] = self._outer(self._text_size(text or " "))
        return QSize(memo["hint"])  # type: ignore[call-overload]

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As narrow as the longest word."""
        memo = self._memo()
        if "minimum" not in memo:
            narrowest = self._text_size("\n".join(wrap_lines(self._full or " ", self.font(), 1)))
            memo["minimum"] = QSize(self._outer(narrowest).width(), self.sizeHint().height())
        return QSize(memo["minimum"])  # type: ignore[call-overload]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        memo = self._memo()
        if width not in memo:
            memo[width] = self._outer(self._text_size(self._wrapped(width) or " ")).height()
        return memo[width]  # type: ignore[return-value]

    # --- keeping the breaks right ------------------------------------------------------------------
    def _rewrap(self, *, force: bool = False) -> None:
        laid_out = self.testAttribute(Qt.WidgetAttribute.WA_Resized)  # a layout (or someone) gave it a width
        shown = self._wrapped(self.width()) if laid_out else self._full
        if force or shown != QPushButton.text(self):
            QPushButton.setText(self, shown)  # also asks the layout to look at the size hints again

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rewrap()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._rewrap(force=True)
