"""The service guide (办事指南), read before starting: materials, time limits, fee, where and how."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from kiosk.catalog import ITEM_TYPES, MATERIAL_FORMS, ServiceItem
from ui.i18n import bracketed, lang, translate
from ui.kiosk.context import KioskContext
from ui.kiosk.screens.base import Screen
from ui.text import para
from ui.theme import set_role


class GuideScreen(Screen):
    name = "guide"

    def __init__(self, ctx: KioskContext, item: ServiceItem) -> None:
        super().__init__(ctx)
        self.item = item
        self.card = set_role(QFrame(), "card")
        self.card_layout = QVBoxLayout(self.card)
        self.card_layout.setContentsMargins(28, 20, 28, 20)
        self.card_layout.setSpacing(14)
        self.body.addWidget(self.card)
        self.body.addStretch(1)
        self.labels: list[QLabel] = []
        self.retranslate()

    def _sections(self) -> list[tuple[str, str]]:
        item, lg = self.item, lang()
        fee = (translate("Kiosk", "Free of charge") if item.fee_amount == 0
               else translate("Kiosk", "%1 yuan").replace("%1", f"{item.fee_amount}"))
        fee_note = item.fee_note.get(lg)
        materials = []
        for m in item.materials:
            mark = "●" if m.required else "○"
            need = translate("Kiosk", "required") if m.required else translate("Kiosk", "if applicable")
            materials.append(f"{mark} {m.name.get(lg)}" + bracketed(need, MATERIAL_FORMS[m.form].text(lg)))
        return [
            (translate("Kiosk", "Time limit"),
             translate("Kiosk", "Done within %1 working days (the law allows %2).")
             .replace("%1", str(item.promised_limit_days)).replace("%2", str(item.legal_limit_days))),
            (translate("Kiosk", "Fee"), f"{fee}. {fee_note}" if fee_note else fee),
            (translate("Kiosk", "Materials to bring"), "\n".join(materials)),
            (translate("Kiosk", "Who can apply"), item.conditions.get(lg)),
            (translate("Kiosk", "Where and how"), item.where.get(lg)),
            (translate("Kiosk", "Type and legal basis"), f"{ITEM_TYPES[item.item_type].text(lg)}. {item.legal_basis.get(lg)}"),
        ]

    def retranslate(self) -> None:
        super().retranslate()
        self.next_button.setText(translate("Kiosk", "Start my application") + " ›")
        self.set_heading(self.item.name.get(lang()),
                         translate("Kiosk", "Please read the guide. The ● materials are required; have them ready "
                                            "to scan."))
        for label in self.labels:
            label.setParent(None)
            label.deleteLater()
        self.labels = []
        for heading, text in self._sections():
            head = set_role(QLabel(heading), "subtitle")
            body = QLabel(para(text))
            body.setWordWrap(True)
            self.card_layout.addWidget(head)
            self.card_layout.addWidget(body)
            self.labels += [head, body]

    def speech_text(self) -> str:
        return "。".join([self.item.name.get(lang())] + [f"{h}：{t}" for h, t in self._sections()[:3]])
