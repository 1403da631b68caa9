"""The licence step, after identity: may the kiosk ask the licence library, and which licences to use.

The citizen first reads (or hears) `CONSENT_TEXT` in large print and answers with one of two big buttons;
nothing is asked of the platform before the yes. With the yes the kiosk asks which of the item's
materials the citizen already holds as valid electronic licences, lists them (the material, the
licence's name, issuer and validity) and uses all of them with one tap: each becomes "已调用电子证照，免提交"
with its annotated copy as the material's file. Offline the step says `NEEDS_LINK` and the materials are
captured on paper as today. No typing, no file dialog: a 72-year-old needs nothing but the two taps.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.errors import Message
from kiosk.licences.model import CONSENT_TEXT, NEEDS_LINK, Consent, LicenceOffer, LicenceOffers, LicenceUnavailable
from kiosk.usecases import licences as licence_cases
from kiosk.usecases.drafts import kiosk_actor
from kiosk.usecases.licences import ReusedMaterial
from ui.errors import message_for
from ui.i18n import lang, msg, translate
from ui.jobs import run_job
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role
from ui.widgets import builders
from ui.widgets.licence_text import licence_summary
from ui.widgets.wrap_button import WrapButton


@dataclass(frozen=True)
class UseOutcome:
    """What one tap on "use them" came to: the materials now covered, and the ones that must go on paper."""

    reused: tuple[ReusedMaterial, ...]
    refused: tuple[tuple[LicenceOffer, Message], ...]


def one_per_material(offers: Sequence[LicenceOffer], material_codes: Sequence[str]) -> list[LicenceOffer]:
    """The first offer for each of the item's materials, in the item's order (the platform may hold two
    licences that could stand for one material; one is enough)."""
    first: dict[str, LicenceOffer] = {}
    for offer in offers:
        first.setdefault(offer.material_code, offer)
    return [first[code] for code in material_codes if code in first]


def _choice(name: str) -> QPushButton:
    button = builders.button(name, role="choice", kind=WrapButton)
    button.setMinimumHeight(button.minimumHeight() + 40)  # big and easy to hit, like the ticket screen's lines
    return button


class LicenceConsentScreen(Screen):
    name = "licences"
    step = 1  # still "who is applying": the kiosk asks with the identity just given

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx, back=True, next_=False)
        assert ctx.session.item is not None
        self.item = ctx.session.item
        self.state = "ask"  # ask | asking | offers | using | answered
        self.consent_box = set_role(QFrame(), "card")
        box = QVBoxLayout(self.consent_box)
        box.setContentsMargins(24, 20, 24, 20)
        self.consent_text = builders.label("big", name="consentText")
        box.addWidget(self.consent_text)
        self.body.addWidget(self.consent_box)
        self.agree_button = _choice("agreeButton")
        self.agree_button.clicked.connect(self.agree)
        self.decline_button = _choice("declineButton")
        self.decline_button.clicked.connect(self.decline)
        self.body.addWidget(self.agree_button)
        self.body.addWidget(self.decline_button)
        # what came of the yes, in large print; a framed notice when something needs the citizen's paper
        self.status_box = set_role(QFrame(), "plain")
        self.status_layout = QVBoxLayout(self.status_box)
        self.status = builders.label("big", name="licenceStatus")
        self.status_layout.addWidget(self.status)
        self.body.addWidget(self.status_box)
        self.offers_box = QWidget()
        self.offers_layout = QVBoxLayout(self.offers_box)
        self.offers_layout.setContentsMargins(0, 0, 0, 0)
        self.offers_layout.setSpacing(12)
        self.body.addWidget(self.offers_box)
        self.offer_cards: dict[str, QFrame] = {}
        self.use_button = _choice("useLicencesButton")
        self.use_button.clicked.connect(self.use_all)
        self.paper_button = _choice("paperButton")
        self.paper_button.clicked.connect(self.on_paper)
        self.body.addWidget(self.use_button)
        self.body.addWidget(self.paper_button)
        self.body.addStretch(1)
        self.problem: Message | None = None  # why using the licences failed as a whole
        self.refused: tuple[tuple[LicenceOffer, Message], ...] = ()  # uses refused one by one (those go on paper)
        self.retranslate()

    # --- where the session stands ---------------------------------------------------------------------
    @property
    def offers(self) -> list[LicenceOffer]:
        answer = self.ctx.session.licence_offers
        if answer is None or not answer.available:
            return []
        return one_per_material(answer.offers, [m.code for m in self.item.materials])

    def on_enter(self) -> None:
        session = self.ctx.session
        holder = session.applicant.get("id_number", "")
        if session.licence_holder is not None and session.licence_holder != holder:
            session.forget_licences()  # asked for another ID number: that answer is not this citizen's
            self.ctx.save_draft()
        if self.state in ("asking", "using"):
            return  # the answer is on its way
        if session.licences or (session.licence_offers is not None and session.licence_consent is not None):
            self.state = "answered" if session.licences or not self.offers else "offers"
        else:
            self.state = "ask"
            self.problem, self.refused = None, ()
        self._render()

    # --- the citizen's answers -------------------------------------------------------------------------
    def agree(self) -> None:
        if self.state != "ask" or self.ctx.terminal is None:
            return
        session = self.ctx.session
        consent = Consent(given_at=datetime.now(timezone.utc), by="citizen")
        session.licence_consent, session.licence_declined = consent, False
        session.licence_holder = holder = session.applicant.get("id_number", "")
        terminal, item, application_id = self.ctx.terminal, self.item.code, session.application_id or ""
        self.state = "asking"
        self.problem, self.refused = None, ()
        self._render()
        run_job("licence-offers",
                lambda: licence_cases.ask_offers(terminal, id_number=holder, service_item=item,
                                                 application_id=application_id, consent=consent),
                on_done=lambda answer: self._answered(answer) if self._still(application_id) else None,
                on_error=lambda exc: self._ask_failed(exc) if self._still(application_id) else None, owner=self)

    def decline(self) -> None:
        """No: nothing is asked of the platform, and every material is captured on paper as today."""
        if self.state != "ask":
            return
        session = self.ctx.session
        session.forget_licences()
        session.licence_declined = True
        self.next_requested.emit()

    def on_paper(self) -> None:
        """Offers shown but not wanted: on to the next step, paper for every material."""
        if self.state == "offers":
            self.next_requested.emit()

    def on_next(self) -> None:
        """The answer read (used, nothing found, offline): on to the next step."""
        if self.state == "answered":
            self.next_requested.emit()

    def use_all(self) -> None:
        offers = [o for o in self.offers if o.material_code not in self.ctx.session.licences]
        session = self.ctx.session
        if self.state != "offers" or not offers or session.licence_consent is None or self.ctx.terminal is None:
            return
        terminal, consent = self.ctx.terminal, session.licence_consent
        holder, item, application_id = session.licence_holder or "", self.item.code, session.application_id or ""

        def work() -> UseOutcome:
            actor = kiosk_actor(terminal)
            reused: list[ReusedMaterial] = []
            refused: list[tuple[LicenceOffer, Message]] = []
            for offer in offers:  # one at a time: a refusal of one leaves the others used
                try:
                    reused += licence_cases.use_offers(terminal, [offer], id_number=holder, service_item=item,
                                                       application_id=application_id, consent=consent,
                                                       actor=actor)
                except LicenceUnavailable as exc:
                    refused.append((offer, exc.message))
            return UseOutcome(tuple(reused), tuple(refused))

        self.state = "using"
        self.problem, self.refused = None, ()
        self._render()
        run_job("licence-use", work, on_done=lambda done: self._used(done) if self._still(application_id) else None,
                on_error=lambda exc: self._use_failed(exc) if self._still(application_id) else None, owner=self)

    # --- answers from the jobs ------------------------------------------------------------------------
    def _still(self, application_id: str) -> bool:
        """The answer is for the application still on screen: a session ended (idle, Home) between the tap
        and the answer must never hand one citizen's licences to the next."""
        return self.ctx.session.application_id == application_id

    def _answered(self, answer: LicenceOffers) -> None:
        self.ctx.session.licence_offers = answer
        self.state = "offers" if self.offers else "answered"
        self._render()
        self.announce.emit(self.speech_text())

    def _ask_failed(self, exc: BaseException) -> None:
        """Not link trouble (that is an answer) but a refusal or a fault: said here, and the citizen goes on
        with paper (or agrees again after going back)."""
        self.ctx.session.licence_offers = None
        self.problem = message_for(exc)
        self.state = "answered"
        self._render()
        self.announce.emit(self.speech_text())

    def _used(self, outcome: UseOutcome) -> None:
        session = self.ctx.session
        for reused in outcome.reused:
            session.materials[reused.material_code] = [reused.file]
            session.licences[reused.material_code] = reused.ref
            session.at_counter.discard(reused.material_code)
        self.ctx.save_draft()
        if outcome.refused:
            self.refused = outcome.refused
            self.state = "answered"
            self._render()
            self.announce.emit(self.speech_text())
            return
        self.state = "answered"
        self._render()
        self.next_requested.emit()  # every licence used: straight on; the materials step says which are done

    def _use_failed(self, exc: BaseException) -> None:
        self.problem = message_for(exc)
        self.state = "offers"
        self._render()
        self.announce.emit(self.speech_text())

    # --- drawing ---------------------------------------------------------------------------------------
    def _material_name(self, code: str) -> str:
        spec = self.item.material(code)
        return spec.name.get(lang()) if spec is not None else code

    def _used_words(self) -> str:
        names = ("、" if lang() == "zh" else ", ").join(self._material_name(c) for c in self.ctx.session.licences)
        return translate("Kiosk", "Used: %1. You need not hand these in.").replace("%1", names)

    def _status_words(self) -> tuple[str, str]:
        session = self.ctx.session
        answer = session.licence_offers
        if self.state == "asking":
            return "⏳ " + translate("Kiosk", "Asking the licence library…"), "hint"
        if self.state == "using":
            return "⏳ " + translate("Kiosk", "Using your licences…"), "hint"
        if self.problem is not None or self.refused:
            lines = [msg(self.problem)] if self.problem is not None else []
            lines += [msg(why) for _offer, why in self.refused]  # each names its material
            if session.licences:
                lines.insert(0, self._used_words())
            return "⚠ " + "\n".join(lines) + "\n" + translate(
                "Kiosk", "Please provide the materials concerned on paper in the next steps."), "error"
        if self.state == "answered" and session.licences:
            return "✔ " + self._used_words(), "ok"
        if answer is not None and not answer.available:
            return "⚠ " + msg(answer.note or NEEDS_LINK), "error"
        if self.state == "answered":
            return "○ " + translate("Kiosk", "No electronic licence of yours can stand for these materials. "
                                             "Please provide them on paper in the next steps."), "hint"
        if self.state == "offers":
            return "✔ " + translate("Kiosk", "These materials can come from your electronic licences:"), "ok"
        return "", "hint"

    def _fill_offers(self) -> None:
        for card in self.offer_cards.values():
            card.setParent(None)
            card.deleteLater()
        self.offer_cards = {}
        if self.state not in ("offers", "using"):
            return
        for offer in self.offers:
            card = set_role(QFrame(), "card")
            card.setObjectName(f"offer_{offer.material_code}")
            layout = QVBoxLayout(card)
            layout.setContentsMargins(20, 14, 20, 14)
            name = builders.label("subtitle")
            name.setText(para(self._material_name(offer.material_code), bold=True))
            what = builders.label("big")
            what.setText(para(licence_summary(offer)))
            layout.addWidget(name)
            layout.addWidget(what)
            self.offers_layout.addWidget(card)
            self.offer_cards[offer.material_code] = card

    def _render(self) -> None:
        asking = self.state in ("ask", "asking")
        self.consent_box.setVisible(asking)
        self.agree_button.setVisible(self.state == "ask")
        self.decline_button.setVisible(self.state == "ask")
        text, role = self._status_words()
        # a framed notice when the citizen must hand in paper after all; the mark says it too, not colour alone
        notice = role == "error"
        set_role(self.status_box, "notice" if notice else "plain")
        self.status_layout.setContentsMargins(*((24, 16, 24, 16) if notice else (0, 0, 0, 0)))
        self.status.setText(para(text) if text else "")
        self.status_box.setVisible(bool(text))
        self._fill_offers()
        self.offers_box.setVisible(bool(self.offer_cards))
        self.use_button.setVisible(self.state == "offers")
        self.use_button.setEnabled(self.state == "offers")
        self.paper_button.setVisible(self.state == "offers")
        self.next_button.setVisible(self.state == "answered")
        self.back_button.setEnabled(self.state not in ("asking", "using"))
        self.set_heading(translate("Kiosk", "Use your electronic licences?"), self._hint())

    def _hint(self) -> str:
        if self.state == "ask":
            return translate("Kiosk", "Materials you already hold as electronic licences need not be handed in. "
                                      "Tap one of the two big buttons.")
        if self.state == "offers":
            return translate("Kiosk", "Tap “Use all of these licences”, or hand in paper instead.")
        if self.state == "answered":
            return translate("Kiosk", "Tap Next to go on.")
        return translate("Kiosk", "Please wait a moment.")

    def retranslate(self) -> None:
        super().retranslate()
        self.consent_text.setText(para(msg(CONSENT_TEXT)))
        self.agree_button.setText(translate("Kiosk", "Agree: use my licences"))
        self.decline_button.setText(translate("Kiosk", "Do not agree; I will hand in paper"))
        self.use_button.setText(translate("Kiosk", "Use all of these licences"))
        self.paper_button.setText(translate("Kiosk", "Do not use them; I will hand in paper"))
        self._render()

    def speech_text(self) -> str:
        parts = [self.title.text()]
        if self.state == "ask":
            parts += [msg(CONSENT_TEXT), self.agree_button.text(), self.decline_button.text()]
        else:
            parts.append(self._plain(self.status.text()))
            parts += [f"{self._material_name(o.material_code)}，{licence_summary(o)}" for o in self.offers
                      if self.state == "offers"]
            if self.state == "offers":
                parts += [self.use_button.text(), self.paper_button.text()]
        return "。".join(p for p in parts if p)
