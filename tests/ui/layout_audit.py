"""Finding clipped text and widgets outside the window, measured with each widget's own font and style.

A layout that looks fine at one window size can cut a button in half at
another; these checks measure what Qt would draw rather than trusting
size hints, so a label squeezed below the height its wrapped text needs,
a button narrower than its text plus the style's padding, or a widget
pushed past its parent's edge is reported by class, object name and text.

Deliberately elided text is accepted when the widget says so: the property
``elided`` is true and the tooltip carries the full text.
"""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics, Qt, QTextDocumentFragment  # QtGui.Qt also has mightBeRichText
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QCheckBox,
                               QComboBox, QLabel, QLineEdit, QPushButton, QRadioButton, QScrollArea, QStyle,
                               QStyleOptionButton, QStyleOptionComboBox, QStyleOptionFrame, QTableView, QWidget)


def describe(widget: QWidget) -> str:
    text = _text_of(widget)
    name = widget.objectName() or "-"
    path = []
    parent = widget.parentWidget()
    while parent is not None and len(path) < 3:
        if parent.objectName():
            path.append(parent.objectName())
        parent = parent.parentWidget()
    where = f" in {'/'.join(reversed(path))}" if path else ""
    shown = " ".join(text.split())
    if len(shown) > 70:
        shown = shown[:67] + "..."
    return f"{type(widget).__name__}#{name}{where} {shown!r}"


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, QLabel):
        text = widget.text()
        if text and _is_rich(widget):
            return QTextDocumentFragment.fromHtml(text).toPlainText()
        return text
    if isinstance(widget, QAbstractButton):
        return QAbstractButton.text(widget)  # as drawn: a WrapButton's text() is the unwrapped original
    if isinstance(widget, QLineEdit):
        return widget.displayText() or widget.placeholderText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def _is_rich(label: QLabel) -> bool:
    return label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and Qt.mightBeRichText(label.text()))


def _deliberately_elided(widget: QWidget) -> bool:
    return bool(widget.property("elided")) and bool(widget.toolTip())


def _inside_item_view(widget: QWidget) -> bool:
    """Editors and headers of tables and lists: the view elides and scrolls its own cells."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _state(widget: QWidget) -> QStyle.StateFlag:
    state = QStyle.StateFlag.State_Enabled if widget.isEnabled() else QStyle.StateFlag.State_None
    if isinstance(widget, QAbstractButton) and widget.isChecked():
        state |= QStyle.StateFlag.State_On
    return state


# Style options are filled by attribute rather than with initStyleOption(): PySide6 6.12 on Python 3.11
# drops a reference to None on every call of a method that returns void, and an audit makes thousands.

def label_problem(label: QLabel) -> str | None:
    """Wrapped text: the height the label needs at its own width (its own font, its own rich-text
    layout) must fit its height, and its longest word its width. One line: the text's size must fit."""
    text = label.text()
    if not text or _deliberately_elided(label):
        return None
    pixmap = label.pixmap()
    if pixmap is not None and not pixmap.isNull():
        return None
    if label.wordWrap():
        needed_height = label.heightForWidth(label.width())
        needed_width = label.minimumSizeHint().width()  # the longest word, which cannot wrap
        if needed_height > label.height() or needed_width > label.width():
            return f"wrapped text needs {needed_width}x{needed_height}, has {label.width()}x{label.height()}"
        return None
    if _is_rich(label):
        needed = label.sizeHint()
        room = label.size()
    else:
        margin = label.margin()
        room = label.contentsRect().adjusted(margin, margin, -margin, -margin).size()
        needed = QFontMetrics(label.font()).size(0, text)
    if needed.width() > room.width() or needed.height() > room.height():
        return f"text needs {needed.width()}x{needed.height()}, has {room.width()}x{room.height()}"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    """The text (as drawn) must fit inside the style's padding and border."""
    text = QAbstractButton.text(button)
    if not text or _deliberately_elided(button):
        return None
    metrics = QFontMetrics(button.font())
    needed = metrics.size(int(Qt.TextFlag.TextShowMnemonic), text)
    style = button.style()
    option = QStyleOptionButton()
    option.rect = button.rect()
    option.state = _state(button)
    option.text = text
    option.fontMetrics = metrics
    if isinstance(button, QPushButton):
        if not button.icon().isNull():
            needed = QSize(needed.width() + button.iconSize().width() + 4,
                           max(needed.height(), button.iconSize().height()))
        room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    elif isinstance(button, (QCheckBox, QRadioButton)):
        element = (QStyle.SubElement.SE_CheckBoxContents if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonContents)
        room = style.subElementRect(element, option, button)
    else:
        room = button.contentsRect()
    if needed.width() > room.width() or needed.height() > room.height():
        return (f"text needs {needed.width()}x{needed.height()}, room inside the style's padding is "
                f"{room.width()}x{room.height()}")
    return None


def line_edit_problem(edit: QLineEdit) -> str | None:
    """The typed text, or the placeholder when nothing is typed, must be readable whole."""
    text = edit.displayText() or edit.placeholderText()
    if not text or _deliberately_elided(edit):
        return None
    style = edit.style()
    option = QStyleOptionFrame()
    option.rect = edit.rect()
    option.state = _state(edit)
    option.lineWidth = style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
    room = style.subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    width = room.width() - margins.left() - margins.right() - 4  # QLineEdit keeps 2 px each side of the text
    for child in edit.findChildren(QWidget):  # the clear button and other side widgets take room too
        if child.isVisible() and child.parentWidget() is edit:
            width -= child.width()
    metrics = QFontMetrics(edit.font())
    needed = metrics.horizontalAdvance(text)
    if needed > width or metrics.height() > room.height():
        return f"text needs {needed}x{metrics.height()}, field has {width}x{room.height()}"
    return None


def combo_problem(combo: QComboBox) -> str | None:
    text = combo.currentText()
    if not text or _deliberately_elided(combo):
        return None
    option = QStyleOptionComboBox()
    option.rect = combo.rect()
    option.state = _state(combo)
    option.editable = combo.isEditable()
    option.frame = combo.hasFrame()
    option.currentText = text
    room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)
    metrics = QFontMetrics(combo.font())
    needed = metrics.horizontalAdvance(text)
    if needed > room.width() or metrics.height() > room.height():
        return f"text needs {needed}x{metrics.height()}, box has {room.width()}x{room.height()}"
    return None


def _scroll_area_of_content(widget: QWidget) -> QScrollArea | None:
    """The scroll area whose scrolled content `widget` is (its geometry may lie outside the viewport)."""
    viewport = widget.parentWidget()
    area = viewport.parentWidget() if viewport is not None else None
    if isinstance(area, QScrollArea) and area.widget() is widget:
        return area
    return None


def geometry_problem(widget: QWidget) -> str | None:
    parent = widget.parentWidget()
    if parent is None:
        return None
    area = _scroll_area_of_content(widget)
    if area is not None:
        viewport = area.viewport()
        if (area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                and widget.width() > viewport.width()):
            return f"content {widget.width()} px wide in a scroll area {viewport.width()} px wide that cannot scroll sideways"
        if (area.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                and widget.height() > viewport.height()):
            return f"content {widget.height()} px high in a scroll area {viewport.height()} px high that cannot scroll"
        return None
    bounds = parent.rect()
    geometry = widget.geometry()
    if not bounds.contains(geometry):
        return (f"at {geometry.x()},{geometry.y()} {geometry.width()}x{geometry.height()}, outside its parent "
                f"{type(parent).__name__}#{parent.objectName() or '-'} ({bounds.width()}x{bounds.height()})")
    return None


def table_problem(table: QTableView) -> str | None:
    """A table of cases the clerk has to scroll sideways to read: a column off-screen on this window shape."""
    if table.model() is None or table.model().rowCount() == 0:
        return None
    overflow = table.horizontalScrollBar().maximum()
    return f"columns {overflow} px wider than the table: the clerk scrolls sideways" if overflow > 0 else None


def audit(window: QWidget) -> list[str]:
    """Every clipped text and every widget outside its parent (and so outside the window), described."""
    problems: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or _inside_item_view(widget):
            continue
        found = geometry_problem(widget)
        if found is None:
            if isinstance(widget, QLabel):
                found = label_problem(widget)
            elif isinstance(widget, QAbstractButton):
                found = button_problem(widget)
            elif isinstance(widget, QLineEdit):
                found = line_edit_problem(widget)
            elif isinstance(widget, QComboBox):
                found = combo_problem(widget)
            elif isinstance(widget, QTableView):
                found = table_problem(widget)
        if found is not None:
            problems.append(f"{describe(widget)}: {found}")
    return problems


def audit_at(window: QWidget, size: tuple[int, int]) -> list[str]:
    """Resize to exactly `size` (a screen), let the layouts settle, and audit.

    The window is resized twice: a screen that re-arranges itself for a new width (the counter's
    review) lowers the window's minimum only once it has seen that width, as after a real change of
    screen, when the window is fitted to the new screen again. A layout too big for the screen
    still fails the second time.
    """
    for _ in range(2):
        window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
    problems = []
    if (window.width(), window.height()) != size:
        minimum = window.minimumSize()
        problems.append(f"window cannot be {size[0]}x{size[1]}: it is {window.width()}x{window.height()} "
                        f"(its layout's minimum is {minimum.width()}x{minimum.height()})")
        return problems  # everything else would be measured in a window of the wrong size
    return problems + audit(window)


def audit_walk(window: QWidget, names: Iterable[str], sizes: Iterable[tuple[int, int]]) -> dict[str, object]:
    """Audit every screen a walk reaches (each name yielded once the window shows that screen) at every size:
    the screens seen and every problem, as the fit runners print them."""
    sizes = list(sizes)
    screens: list[str] = []
    problems: list[str] = []
    for name in names:
        screens.append(name)
        for width, height in sizes:
            problems += [f"{name} {width}x{height}: {p}" for p in audit_at(window, (width, height))]
    return {"screens": screens, "problems": problems}
