"""Form answers the citizen's ID card already holds.

A citizen renewing an expiring card should not hunt the expiry date on a
date picker when the reader has just read it; nor type an address of 30
characters that is printed on the card. Catalog fields name what they take
(`FormField.from_card`); the answers are only proposals: the form shows them
and the citizen may change them, and the domain checks them like typed ones.
"""
from __future__ import annotations

from kiosk.catalog import ServiceItem
from kiosk.devices.id_card_reader import IdCardData


def form_from_card(item: ServiceItem, card: IdCardData) -> dict[str, str]:
    """Raw answers, as typed, for the fields of `item` that the card can fill."""
    answers: dict[str, str] = {}
    for field in item.form:
        value = ""
        if field.from_card == "valid_to" and card.valid_to is not None and not card.valid_for_life:
            value = card.valid_to.isoformat()
        elif field.from_card == "birth" and card.birth is not None:
            value = card.birth.isoformat()
        elif field.from_card == "address" and card.address:
            value = card.address.strip()[: field.max_length or None]
        if value:
            answers[field.key] = value
    return answers


def fill_from_card(item: ServiceItem, card: IdCardData, form: dict[str, str]) -> list[str]:
    """Put the card's answers into `form` where the citizen has not answered yet; the keys filled."""
    filled = []
    for key, value in form_from_card(item, card).items():
        if not form.get(key):
            form[key] = value
            filled.append(key)
    return filled
