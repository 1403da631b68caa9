"""The applicant's own details (name, resident ID number, mobile), checked as a kiosk and a counter both do.

The checks are the domain's (`kiosk.forms.check_name`, `kiosk.identity`), run
when the person leaves a field, so a kiosk, a counter and the CLI accept
exactly the same input. The kiosk adds hints for a citizen typing alone.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.catalog import Text
from kiosk.forms import check_name
from ui.widgets.fields import Checker, LineField, check_id_number, check_mobile


def _optional(checker: Checker) -> Checker:
    """An empty answer is accepted, as the domain accepts an applicant without a mobile number."""
    return lambda raw: ("", None) if not raw.strip() else checker(raw)


class ApplicantFields(QWidget):
    edited = Signal()  # typed into, or a field was left

    def __init__(self, *, hints: bool = False, name_label: Text = Text("姓名", "Full name"),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_field = LineField("name", name_label, True, check_name, max_length=50)
        self.id_field = LineField("id_number", Text("身份证号码", "Resident ID number"), True, check_id_number,
                                  placeholder=Text("18位，最后一位可能是X", "18 characters; the last may be X")
                                  if hints else None, max_length=18, digits=True)
        self.phone_field = LineField("phone", Text("手机号码", "Mobile phone number"), False, _optional(check_mobile),
                                     help_text=Text("可不填。填写后，办理进展将以短信通知；不填也可凭身份证或回执查询进度。",
                                                    "You may leave it empty. With it we text you when your application "
                                                    "moves on; without it, check progress with your ID card or "
                                                    "receipt.") if hints else None,
                                     placeholder=Text("11位手机号码", "11-digit mobile number") if hints else None,
                                     max_length=11, digits=True)
        self.fields = [self.name_field, self.id_field, self.phone_field]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        for field in self.fields:
            field.edited.connect(self.edited)
            field.edit.editingFinished.connect(self.edited)
            layout.addWidget(field)

    def raw(self) -> dict[str, str]:
        """As typed; the domain checks it again at submission."""
        return {field.key: field.raw() for field in self.fields}

    def set_raw(self, values: dict[str, str]) -> None:
        for field in self.fields:
            field.set_raw(str(values.get(field.key, "") or ""))

    def validate(self) -> list[LineField]:
        """The fields that fail their check (each shows why); empty when all pass."""
        return [field for field in self.fields if not field.validate()]

    def clear(self) -> None:
        for field in self.fields:
            field.clear()

    def field(self, key: str) -> LineField | None:
        return next((f for f in self.fields if f.key == key), None)

    def retranslate(self) -> None:
        for field in self.fields:
            field.retranslate()
