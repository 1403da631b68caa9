"""The technician's set-up window: hall code, platform address and enrollment code, then each device tested
with a pass/fail list that says what to do.

Full screen on the terminal's own display (`onewindow setup --window --fullscreen`), large touch targets,
Chinese first with a switch to English. Thin: the enrollment and each device test are one use case each
(`kiosk.usecases.setup`) run as jobs; nothing here talks to a device or the platform itself.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QStackedWidget,
                               QVBoxLayout, QWidget)

from kiosk.errors import Message, UserFacingError, ValidationFailed
from kiosk.setup.device_checks import DeviceTest
from kiosk.setup.request import SetupRequest, request_problems
from kiosk.setup.results import DEVICE_LABELS, DeviceResult, SetupReport
from kiosk.terminal import Terminal
from kiosk.usecases import setup as usecase
from ui.errors import message_for
from ui.i18n import lang, msg, set_language, translate
from ui.jobs import run_job
from ui.setup.rows import DeviceRow
from ui.theme import set_role, set_style_property

log = logging.getLogger("onewindow.setup")
# Colours only (sizes come from the theme); the outcome's words and mark carry the meaning
OUTCOME_SHEET = ('QLabel[outcome="pass"] { color: #1b6b2a; font-weight: bold; } '
                 'QLabel[outcome="fail"] { color: #a3120f; font-weight: bold; } '
                 'QLabel[outcome="absent"] { color: #3b4654; }')


def _scrolled(body: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    body.setObjectName("scrollBody")
    area.setWidget(body)
    return area


class SetupWindow(QWidget):
    """`tested(report)` once a round of tests is recorded; `closing` when the technician taps Finish."""

    tested = Signal(object)
    closing = Signal()

    def __init__(self, terminal: Terminal, tests: list[DeviceTest] | None = None, *,
                 wait_seconds: float = usecase.DEFAULT_WAIT_SECONDS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskRoot")
        self.setStyleSheet(OUTCOME_SHEET)
        self.terminal = terminal
        self.tests = tests if tests is not None else usecase.device_tests()
        self.wait_seconds = wait_seconds
        self.enrollment: dict[str, Any] | None = None
        self.report: SetupReport | None = None
        self.busy = False
        self._queue: list[DeviceTest] = []
        self._results: list[DeviceResult] = []
        self._form_error_message: Message | None = None
        self._field_messages: dict[str, Message] = {}

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._top_bar())
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        self.form_page = self._form_page()
        self.tests_page = self._tests_page()
        self.pages.addWidget(_scrolled(self.form_page))
        self.pages.addWidget(self.tests_page)
        self.retranslate()

    # --- building ------------------------------------------------------------------------------------

    def _top_bar(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("topBar")
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(bar)
        row.setContentsMargins(24, 12, 24, 12)
        self.title = QLabel()
        self.title.setObjectName("hallName")
        self.language_button = QPushButton()
        self.language_button.setObjectName("languageButton")
        self.language_button.clicked.connect(self.toggle_language)
        row.addWidget(self.title, 1)
        row.addWidget(self.language_button)
        return bar

    def _field(self, layout: QVBoxLayout, name: str, placeholder: str) -> QLineEdit:
        label = set_role(QLabel(), "big")
        edit = QLineEdit()
        edit.setObjectName(f"{name}Edit")
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _text, n=name: self._clear_field_error(n))
        error = set_role(QLabel(), "error")
        error.setWordWrap(True)
        error.setObjectName(f"{name}Error")
        error.hide()
        layout.addWidget(label)
        layout.addWidget(edit)
        layout.addWidget(error)
        self.field_labels[name], self.field_errors[name], self.edits[name] = label, error, edit
        return edit

    def _form_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.setSpacing(12)
        self.form_title = set_role(QLabel(), "title")
        self.form_hint = set_role(QLabel(), "hint")
        self.form_hint.setWordWrap(True)
        layout.addWidget(self.form_title)
        layout.addWidget(self.form_hint)
        self.field_labels: dict[str, QLabel] = {}
        self.field_errors: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}
        settings = self.terminal.settings
        self.hall_edit = self._field(layout, "hall_code", "330106001")
        self.hall_edit.setText(settings.hall_code)
        self.hall_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.platform_edit = self._field(layout, "platform_url", "https://platform.example/api/v1")
        self.platform_edit.setText(settings.platform_url)
        self.platform_edit.setInputMethodHints(Qt.InputMethodHint.ImhUrlCharactersOnly)
        self.code_edit = self._field(layout, "code", "ABCD-EFGH-JKLM-NPQR")
        self.code_edit.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase)
        self.form_error = set_role(QLabel(), "error")
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)
        self.form_status = set_role(QLabel(), "hint")
        layout.addWidget(self.form_status)
        buttons = QHBoxLayout()
        self.enroll_button = set_role(QPushButton(), "primary")
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.clicked.connect(self.enroll)
        self.devices_only_button = QPushButton()
        self.devices_only_button.setObjectName("devicesOnlyButton")
        self.devices_only_button.clicked.connect(self.show_tests)
        buttons.addWidget(self.enroll_button, 2)
        buttons.addWidget(self.devices_only_button, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _tests_page(self) -> QWidget:
        """The list scrolls; the verdict and the buttons stay in view under it (a 1366×768 panel shows three
        devices at a time)."""
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(48, 24, 48, 12)
        layout.setSpacing(10)
        self.tests_title = set_role(QLabel(), "title")
        self.enrolled_label = set_role(QLabel(), "ok")
        self.enrolled_label.setWordWrap(True)
        self.enrolled_label.setObjectName("enrolledLabel")
        self.prompts = set_role(QLabel(), "hint")
        self.prompts.setWordWrap(True)
        self.prompts.setObjectName("prompts")
        layout.addWidget(self.tests_title)
        layout.addWidget(self.enrolled_label)
        layout.addWidget(self.prompts)
        self.rows: dict[str, DeviceRow] = {}
        for test in self.tests:
            row = DeviceRow(test.device, DEVICE_LABELS.get(test.device, Message(test.device, test.device)))
            self.rows[test.device] = row
            layout.addWidget(row)
        layout.addStretch(1)

        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(_scrolled(body), 1)
        footer = QWidget()
        footer.setObjectName("setupFooter")
        bottom = QVBoxLayout(footer)
        bottom.setContentsMargins(48, 8, 48, 16)
        self.verdict = set_role(QLabel(), "subtitle")
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        bottom.addWidget(self.verdict)
        buttons = QHBoxLayout()
        self.back_button = QPushButton()
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.show_form)
        self.start_button = set_role(QPushButton(), "primary")
        self.start_button.setObjectName("startButton")
        self.start_button.clicked.connect(self.start_tests)
        self.finish_button = QPushButton()
        self.finish_button.setObjectName("finishButton")
        self.finish_button.clicked.connect(self.finish)
        buttons.addWidget(self.back_button, 1)
        buttons.addWidget(self.start_button, 2)
        buttons.addWidget(self.finish_button, 1)
        bottom.addLayout(buttons)
        outer.addWidget(footer)
        return page

    # --- words ---------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(translate("Setup", "OneWindow terminal set-up"))
        self.language_button.setText("English" if lang() == "zh" else "中文")
        self.form_title.setText(translate("Setup", "Enroll this terminal"))
        self.form_hint.setText(translate(
            "Setup", "Enter the enrollment code from the platform's administrator. Nothing changes until it is accepted."))
        self.field_labels["hall_code"].setText(translate("Setup", "Hall code (6 to 12 digits)"))
        self.field_labels["platform_url"].setText(translate("Setup", "Platform address"))
        self.field_labels["code"].setText(translate("Setup", "Enrollment code"))
        for name, label in self.field_labels.items():  # what a screen reader says for each field
            self.edits[name].setAccessibleName(label.text())
        self.enroll_button.setText(translate("Setup", "Enroll and test the devices"))
        self.devices_only_button.setText(translate("Setup", "Only test the devices"))
        self.tests_title.setText(translate("Setup", "Device tests"))
        settings = self.terminal.settings
        before = "\n".join(f"• {msg(DEVICE_LABELS.get(t.device, Message(t.device, t.device)))}{self._colon()}"
                           f"{msg(t.prompt)}" for t in self.tests
                           if t.prompt is not None and t.expects_hands(settings))
        self.prompts.setText(translate("Setup", "Before you start:") + "\n" + before)
        self.prompts.setVisible(self.report is None)  # after a round, each line says what to do
        self.back_button.setText(translate("Setup", "Back"))
        self.start_button.setText(translate("Setup", "Test again") if self.report is not None or self._results
                                  else translate("Setup", "Start the tests"))
        self.finish_button.setText(translate("Setup", "Finish"))
        for row in self.rows.values():
            row.retranslate()
        for name, message in self._field_messages.items():
            self.field_errors[name].setText(msg(message))
        if self._form_error_message is not None:
            self.form_error.setText(msg(self._form_error_message))
        self._show_enrollment()
        self._show_verdict()
        if self.busy and self.pages.currentIndex() == 0:
            self.form_status.setText(translate("Setup", "Enrolling with the platform…"))

    @staticmethod
    def _colon() -> str:
        return "：" if lang() == "zh" else ": "

    def toggle_language(self) -> None:
        set_language("en" if lang() == "zh" else "zh")
        self.retranslate()

    def _show_enrollment(self) -> None:
        info = self.enrollment
        if info is None:
            self.enrolled_label.hide()
            return
        self.enrolled_label.show()
        self.enrolled_label.setText(translate("Setup", "✔ Enrolled: hall %1, device number %2, role %3")
                                    .replace("%1", str(info.get("hall_code"))).replace("%2", str(info.get("device_no")))
                                    .replace("%3", self._role_words(str(info.get("role")))))

    @staticmethod
    def _role_words(role: str) -> str:
        if role == "kiosk":
            return translate("Setup", "self-service kiosk")
        if role == "counter":
            return translate("Setup", "counter")
        return role

    def _show_verdict(self) -> None:
        if self.report is None:
            self.verdict.setText(translate("Setup", "Testing the devices…") if self.busy else "")
            self.verdict.setVisible(self.busy)
            return
        self.verdict.show()
        self.verdict.setText(translate("Setup", "✔ Every device passed or is not connected.") if self.report.ok else
                             translate("Setup", "✘ A device failed: do what its line says, then tap “Test again”."))

    # --- enrolling -----------------------------------------------------------------------------------

    def _clear_field_error(self, name: str) -> None:
        self._field_messages.pop(name, None)
        self._mark_fields()

    def _mark_fields(self) -> None:
        """Each wrong field's message under it and its frame marked (the words say it; the frame helps)."""
        for name, label in self.field_errors.items():
            label.setVisible(name in self._field_messages)
            edit = self.edits[name]
            set_style_property(edit, "invalid", name in self._field_messages)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in (self.enroll_button, self.devices_only_button, self.start_button, self.back_button,
                       self.finish_button):
            button.setEnabled(not busy)

    def request(self) -> SetupRequest:
        return SetupRequest(self.hall_edit.text(), self.platform_edit.text(), self.code_edit.text())

    def enroll(self) -> None:
        """Check the typed values here first (each wrong field named), then enroll in a job."""
        if self.busy:
            return
        request = self.request().normalised()
        self._field_messages = {p.field: p.message for p in request_problems(request)}
        self._form_error_message = None
        self.form_error.hide()
        self._mark_fields()
        if self._field_messages:
            self.retranslate()
            return
        self._set_busy(True)
        self.form_status.setText(translate("Setup", "Enrolling with the platform…"))
        terminal = self.terminal
        run_job("setup-enroll", lambda: usecase.enroll(terminal, request), on_done=self._enrolled,
                on_error=self._enroll_failed, owner=self)

    def _enrolled(self, info: dict[str, Any]) -> None:
        self._set_busy(False)
        self.form_status.setText("")
        self.enrollment = info
        self.code_edit.clear()  # used up; it must not sit on the screen
        self.show_tests()

    def _enroll_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.form_status.setText("")
        if isinstance(exc, ValidationFailed):
            self._field_messages = {p.field: p.message for p in exc.problems}
            self._mark_fields()
        else:
            self._form_error_message = exc.message if isinstance(exc, UserFacingError) else message_for(exc)
            self.form_error.show()
        self.retranslate()

    # --- testing -------------------------------------------------------------------------------------

    def show_form(self) -> None:
        if not self.busy:
            self.pages.setCurrentIndex(0)

    def show_tests(self) -> None:
        if self.busy:
            return
        self.pages.setCurrentIndex(1)
        self.retranslate()

    def start_tests(self) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self.report = None
        self._results = []
        for row in self.rows.values():
            row.set_waiting()
        self._queue = list(self.tests)
        self.retranslate()
        self._next()

    def _next(self) -> None:
        if not self._queue:
            terminal, results, enrollment = self.terminal, list(self._results), self.enrollment
            run_job("setup-record", lambda: usecase.record_results(terminal, results, enrollment),
                    on_done=self._recorded, on_error=self._record_failed, owner=self)
            return
        test = self._queue.pop(0)
        self.rows[test.device].set_running()
        terminal, wait = self.terminal, self.wait_seconds
        run_job(f"setup-test-{test.device}", lambda: usecase.run_device_test(terminal, test, wait_seconds=wait),
                on_done=self._tested, owner=self)

    def _tested(self, result: DeviceResult) -> None:
        self._results.append(result)
        self.rows[result.device].set_result(result)
        self._next()

    def _recorded(self, report: SetupReport) -> None:
        self._set_busy(False)
        self.report = report
        self.retranslate()
        self.tested.emit(report)

    def _record_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.verdict.setText(msg(message_for(exc)))

    def finish(self) -> None:
        if not self.busy:
            self.closing.emit()
            self.close()
