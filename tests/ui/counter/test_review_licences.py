"""Counter review of a case whose ID card came from an electronic licence: the list and the side panel
say so, with the licence's identifier and validity; the paper material says nothing of the kind."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from kiosk import demo_hall as demo
from kiosk.licences.model import REUSED_LABEL, Consent
from kiosk.settings import load_settings
from kiosk.terminal import Terminal
from kiosk.usecases.licences import use_offers
from tests.ui.counter.conftest import click, log_in, open_review, select_material
from tests.ui.kiosk_licence_helpers import LicenceLink, install_licence_catalog, offer
from PySide6.QtGui import QGuiApplication

from ui.counter.context import CounterContext
from ui.counter.licence_info import ZWSP
from ui.counter.window import CounterWindow


@pytest.fixture
def licence_case(tmp_path: Path) -> tuple[Terminal, str, str]:
    """A kiosk case in the store whose ID card an electronic licence stood for: (terminal, id, identifier)."""
    terminal = Terminal.open(load_settings(tmp_path / "home"))
    install_licence_catalog(terminal)
    demo.add_staff(terminal)
    id_card = offer("id_card", valid_until=date(2031, 5, 20))
    terminal.sync = LicenceLink([id_card])
    draft = demo.id_card_draft(1)
    application_id = str(uuid.uuid4())
    consent = Consent(given_at=datetime.now(timezone.utc), by="citizen")
    [reused] = use_offers(terminal, [id_card], id_number=draft.applicant["id_number"], service_item=draft.service_item,
                          application_id=application_id, consent=consent, actor="kiosk:1")
    draft = dataclasses.replace(draft, id=application_id, materials={**draft.materials, "id_card": [reused.file]},
                                licences={"id_card": reused.ref})
    submitted = demo.submit_at(terminal, draft)
    return terminal, submitted.id, id_card.identifier


def counter(qtbot: Any, terminal: Terminal) -> CounterWindow:
    window = CounterWindow(CounterContext(terminal), language="zh", lock_seconds=600, sync_poll_ms=500)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_review_names_the_licence_with_identifier_and_validity(qtbot, licence_case):
    terminal, case_id, identifier = licence_case
    window = counter(qtbot, terminal)
    log_in(qtbot, window, "clerk1")
    review = open_review(qtbot, window, case_id)
    codes = [m.code for m in review.detail.materials]
    id_row = review.material_list.item(codes.index("id_card")).text()
    paper_row = review.material_list.item(codes.index("household_register")).text()
    assert REUSED_LABEL.zh in id_row and "有效期至 2031-05-20" in id_row
    assert REUSED_LABEL.zh not in paper_row

    select_material(qtbot, review, "id_card")
    info = review.licence_info
    assert info.isVisible()
    details = info.details.text()
    assert "居民身份证" in details and "西湖分局" in details
    assert "有效期至 2031-05-20" in details and REUSED_LABEL.zh in info.heading.text()
    assert identifier in info.identifier.text().replace(ZWSP, "")  # shown with break points after its dots
    click(qtbot, info.copy_button)
    assert QGuiApplication.clipboard().text() == identifier  # copied exact
    assert len(review.pages["id_card"][0]) == 1  # the annotated copy is the page shown
    click(qtbot, review.valid_button)  # checked like any material: the copy is its file
    qtbot.waitUntil(lambda: review.detail.material("id_card").review_state == "valid", timeout=10_000)

    select_material(qtbot, review, "household_register")
    assert not info.isVisible()
