"""Logging in, and unlocking a counter that locked itself after idle time.

The same screen does both: locked, it names who is logged in and asks
only for that person's password; "switch user" ends the session instead.
A wrong password is answered the way `kiosk.staff` words it, without
saying whether the name or the password was wrong.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from kiosk.staff import ROLE_LABELS
from kiosk.usecases import staff as staff_cases
from kiosk.usecases.views import StaffView
from ui.counter.context import CounterContext
from ui.errors import message_for
from ui.i18n import msg, translate
from ui.jobs import run_job
from ui.text import para
from ui.widgets import builders
from ui.widgets.builders import centred_card, label


class LoginScreen(QWidget):
    logged_in = Signal(object)   # StaffView
    unlocked = Signal(object)    # StaffView
    switch_user = Signal()
    name = "login"

    def __init__(self, ctx: CounterContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("counter_login")
        self.locked_for: StaffView | None = None
        self.busy = False
        self._error: object = None
        layout = centred_card(self, "lockBox", width=(640, 640), margins=(40, 32), spacing=14)
        self.heading = label("title")
        self.text = label("hint")
        self.user_label = QLabel()
        self.user = QLineEdit()
        self.user.setObjectName("loginUser")
        self.password_label = QLabel()
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = label("error", name="loginError")
        self.error.hide()
        self.button = builders.button("loginButton", self.submit, role="primary")
        self.switch_button = builders.button("switchUserButton", self.switch_user.emit)
        for w in (self.heading, self.text, self.user_label, self.user, self.password_label, self.password, self.error):
            layout.addWidget(w)
        row = QHBoxLayout()
        row.addWidget(self.switch_button)
        row.addStretch(1)
        row.addWidget(self.button)
        layout.addLayout(row)
        self.password.returnPressed.connect(self.submit)
        self.user.returnPressed.connect(self.password.setFocus)
        self.retranslate()

    def lock(self, staff: StaffView) -> None:
        self.locked_for = staff
        self.password.clear()
        self._set_error(None)
        self.retranslate()
        self.password.setFocus()

    def reset(self) -> None:
        self.locked_for = None
        self.user.clear()
        self.password.clear()
        self._set_error(None)
        self.retranslate()
        self.user.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        password = self.password.text()
        if not password or (self.locked_for is None and not self.user.text().strip()):
            self._set_error(lambda: translate("Counter", "Enter your user name and password."))
            return
        self.busy = True
        self.button.setEnabled(False)
        locked = self.locked_for
        if locked is not None:
            work = lambda: staff_cases.unlock(self.ctx.terminal, locked.id, password)  # noqa: E731
        else:
            username = self.user.text()
            work = lambda: staff_cases.log_in(self.ctx.terminal, username, password)  # noqa: E731
        run_job("counter-login", work, on_done=self._done, on_error=self._failed)

    def _done(self, staff: StaffView) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.password.clear()
        self._set_error(None)
        if self.locked_for is not None:
            self.locked_for = None
            self.unlocked.emit(staff)
        else:
            self.logged_in.emit(staff)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.password.clear()
        message = message_for(exc)
        self._set_error(lambda: msg(message))
        self.password.setFocus()

    def _set_error(self, getter: object) -> None:
        self._error = getter
        if callable(getter):
            self.error.setText(para("✖ " + getter()))
            self.error.show()
        else:
            self.error.hide()

    def retranslate(self) -> None:
        locked = self.locked_for
        if locked is not None:
            self.heading.setText(translate("Counter", "This counter is locked"))
            self.text.setText(para(translate("Counter", "%1 (%2) is logged in. Enter the password to continue where you left off.")
                                   .replace("%1", locked.display_name).replace("%2", msg(ROLE_LABELS[locked.role]))))
        else:
            self.heading.setText(translate("Counter", "Counter login"))
            self.text.setText(para(translate("Counter", "Log in with your staff account. The counter locks itself when nobody has "
                                      "used it for a while.")))
        self.user_label.setVisible(locked is None)
        self.user.setVisible(locked is None)
        self.switch_button.setVisible(locked is not None)
        self.user_label.setText(translate("Counter", "User name"))
        self.password_label.setText(translate("Counter", "Password"))
        self.user.setAccessibleName(self.user_label.text())
        self.password.setAccessibleName(self.password_label.text())
        self.button.setText(translate("Counter", "Unlock") if locked is not None else translate("Counter", "Log in"))
        self.switch_button.setText(translate("Counter", "Switch user"))
        self._set_error(self._error)
