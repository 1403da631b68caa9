"""The counter's word on a material an electronic licence stood for: which licence, and until when.

A clerk reviewing such a material looks at the annotated copy (its file, in the page viewer) and needs
the licence's identifier to check it in the licence library, with its type, issuer and validity; the
citizen handed in no paper for it (已调用电子证照，免提交).
"""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.licences.model import REUSED_LABEL
from kiosk.usecases.views import MaterialView
from ui.i18n import colon, lang, msg, translate
from ui.text import para
from ui.theme import set_role
from ui.widgets.licence_text import validity_text

ZWSP = "\u200b"


def breakable(identifier: str) -> str:
    """The identifier with a zero-width break after each dot: 128 characters without a space would
    otherwise hold the narrow side panel wider than the window. Only for showing; Copy gives it exact."""
    return identifier.replace(".", "." + ZWSP)


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
        self.identifier = QLabel()
        self.identifier.setObjectName("licenceIdentifier")
        self.identifier.setWordWrap(True)
        self.copy_button = QPushButton()  # to look the licence up in the library: the exact characters
        self.copy_button.setObjectName("copyIdentifier")
        self.copy_button.clicked.connect(self.copy_identifier)
        self.note = set_role(QLabel(), "hint")
        self.note.setWordWrap(True)
        for widget in (self.heading, self.details, self.identifier, self.copy_button, self.note):
            layout.addWidget(widget)
        self.material: MaterialView | None = None
        self.hide()

    def set_material(self, material: MaterialView | None) -> None:
        self.material = material if material is not None and material.licence is not None else None
        self.setVisible(self.material is not None)
        self.retranslate()

    def copy_identifier(self) -> None:
        if self.material is not None and self.material.licence is not None:
            QGuiApplication.clipboard().setText(self.material.licence.identifier)

    def retranslate(self) -> None:
        self.copy_button.setText(translate("Counter", "Copy the identifier"))
        if self.material is None or self.material.licence is None:
            for label in (self.heading, self.details, self.identifier, self.note):
                label.setText("")
            return
        ref = self.material.licence
        self.heading.setText(para("◆ " + msg(REUSED_LABEL)))
        licence = translate("Counter", "Licence")
        identifier = translate("Counter", "Identifier")
        issuer = translate("Counter", "Issued by")
        validity = translate("Counter", "Validity")
        lines = [f"{licence}{colon()}{ref.type_name.get(lang())}", f"{issuer}{colon()}{ref.issuer_name}",
                 f"{validity}{colon()}{validity_text(ref.valid_until)}"]
        self.details.setText(para("\n".join(lines)))
        self.identifier.setText(para(f"{identifier}{colon()}{breakable(ref.identifier)}"))
        self.note.setText(para(translate("Counter", "The file is the annotated copy made for this application only.")))


def list_line(material: MaterialView) -> str:
    """The extra line a licence material gets in the review's materials list ("" for the others)."""
    if material.licence is None:
        return ""
    return f"\n◆ {msg(REUSED_LABEL)} · {validity_text(material.licence.valid_until)}"

