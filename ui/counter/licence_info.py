"""The counter's word on a material an electronic licence stood for: which licence, and until when.

A clerk reviewing such a material looks at the annotated copy (its file, in the page viewer) and needs
the licence's identifier to check it in the licence library, with its type, issuer and validity; the
citizen handed in no paper for it (已调用电子证照，免提交).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.licences.model import REUSED_LABEL
from kiosk.usecases.views import MaterialView
from ui.i18n import colon, lang, msg, translate
from ui.text import para
from ui.theme import set_role
from ui.widgets.licence_text import validity_text


class LicenceInfo(QFrame):
    """Shown beside the checks while the material picked came from a licence; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.setObjectName("licenceInfo")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        self.heading = set_role(QLabel(), "ok")
        self.heading.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("licenceDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy the identifier
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        self.material: MaterialView | None = None
        self.hide()

    def set_material(self, material: MaterialView | None) -> None:
        self.material = material if material is not None and material.licence is not None else None
        self.setVisible(self.material is not None)
        self.retranslate()

    def retranslate(self) -> None:
        if self.material is None or self.material.licence is None:
            self.heading.setText("")
            self.details.setText("")
            return
        ref = self.material.licence
        self.heading.setText(para("◆ " + msg(REUSED_LABEL)))
        licence = translate("Counter", "Licence")
        identifier = translate("Counter", "Identifier")
        issuer = translate("Counter", "Issued by")
        validity = translate("Counter", "Validity")
        lines = [f"{licence}{colon()}{ref.type_name.get(lang())}", f"{identifier}{colon()}{ref.identifier}",
                 f"{issuer}{colon()}{ref.issuer_name}", f"{validity}{colon()}{validity_text(ref.valid_until)}",
                 translate("Counter", "The file is the annotated copy made for this application only.")]
        self.details.setText(para("\n".join(lines)))


def list_line(material: MaterialView) -> str:
    """The extra line a licence material gets in the review's materials list ("" for the others)."""
    if material.licence is None:
        return ""
    return f"\n◆ {msg(REUSED_LABEL)} · {validity_text(material.licence.valid_until)}"
