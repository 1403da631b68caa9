"""Check everything once more before submitting; each part can be changed."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.identity import mask_id
from kiosk.licences.model import REUSED_LABEL
from ui.i18n import colon, lang, msg, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets.licence_text import licence_summary


class ReviewScreen(Screen):
    name = "review"
    step = 4
    edit_requested = Signal(str)  # screen name
    submit_requested = Signal()

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        assert ctx.session.item is not None
        self.item = ctx.session.item
        self.cards: list[QWidget] = []
        self.submitting = False
        self.body.addStretch(1)  # the cards (inserted above it) keep their height on a tall screen
        self.retranslate()

    def on_enter(self) -> None:
        self.set_submitting(False)
        self._fill()

    def set_submitting(self, busy: bool) -> None:
        self.submitting = busy
        self.next_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.next_button.setText(translate("Kiosk", "Submitting…") if busy else translate("Kiosk", "Submit") + " ›")

    def _card(self, heading: str, lines: list[str], target: str | None) -> QFrame:
        card = set_role(QFrame(), "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(24, 16, 24, 16)
        head = QHBoxLayout()
        head.addWidget(set_role(QLabel(heading), "subtitle"), 1)
        if target:
            change = QPushButton(translate("Kiosk", "Change"))
            change.setObjectName(f"change_{target}")
            change.clicked.connect(lambda _=False, t=target: self.edit_requested.emit(t))
            head.addWidget(change)
        layout.addLayout(head)
        text = QLabel(para("\n".join(lines)))
        text.setWordWrap(True)
        layout.addWidget(text)
        return card

    def _fill(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        s, lg = self.ctx.session, lang()
        name_label = translate("Kiosk", "Name")
        id_label = translate("Kiosk", "ID number")
        phone_label = translate("Kiosk", "Mobile")
        empty = translate("Kiosk", "(not filled in)")
        pages_label = translate("Kiosk", "Pages: %1")
        missing_label = translate("Kiosk", "Not provided")
        applicant = [f"{name_label}{colon()}{s.applicant.get('name', '')}",
                     f"{id_label}{colon()}{mask_id(s.applicant.get('id_number', ''))}",
                     f"{phone_label}{colon()}{s.applicant.get('phone', '')}"]
        answers = []
        for field in self.item.form:
            raw = s.form.get(field.key, "")
            if field.type == "choice":
                raw = next((o.label.get(lg) for o in field.options if o.value == raw), raw)
            answers.append(f"{field.label.get(lg)}{colon()}{raw or empty}")
        materials = []
        for spec in self.item.materials:
            files = s.materials.get(spec.code, [])
            pages = sum(f.page_count for f in files)
            state = "✔ " + pages_label.replace("%1", str(pages)) if files else "○ " + missing_label
            if not files and spec.code in s.at_counter:
                state = "➜ " + translate("Kiosk", "To hand in at the counter")
            ref = s.licences.get(spec.code)
            if ref is not None:  # its file is the licence's annotated copy, not a page of paper
                state = f"✔ {msg(REUSED_LABEL)}（{licence_summary(ref)}）" if lg == "zh" else \
                    f"✔ {msg(REUSED_LABEL)} ({licence_summary(ref)})"
            materials.append(f"{spec.name.get(lg)}{colon()}{state}")
        self.cards = [
            self._card(translate("Kiosk", "Service"), [self.item.name.get(lg), self.item.department.name.get(lg)], None),
            self._card(translate("Kiosk", "Applicant"), applicant, "identity"),
            self._card(translate("Kiosk", "Your answers"), answers, "form"),
            self._card(translate("Kiosk", "Materials"), materials, "materials"),
        ]
        for index, card in enumerate(self.cards):
            self.body.insertWidget(index, card)

    def on_next(self) -> None:
        if not self.submitting:
            self.submit_requested.emit()

    def retranslate(self) -> None:
        super().retranslate()
        self.set_heading(translate("Kiosk", "Check and submit"),
                         translate("Kiosk", "Please check your application. Tap Change to correct anything, "
                                            "then tap Submit."))
        self.set_submitting(self.submitting)
        if self.cards:
            self._fill()
