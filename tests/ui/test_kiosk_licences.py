"""The licence step at the kiosk: consent, offers, one tap to use them all, and the materials that then
need no paper; no to the consent asks nothing; offline the step says 需联网核验 and paper goes on as today.

The platform link is the edge (`LicenceLink`, values the test builds); the use cases, the submission and
the audit behind the screens are the real ones. The offline case uses the real link to a dead port.
"""
from __future__ import annotations

import socket
import threading
from datetime import date
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from sqlalchemy import select

from kiosk.licences.model import CONSENT_TEXT, NEEDS_LINK, REUSED_LABEL
from kiosk.store.models import AuditEntry
from sync import part
from sync.credentials import Credential, save_credential
from tests.ui.kiosk_helpers import ID_CARD, choose_item, fill_form, make_terminal, make_window, screen, submit, tap
from tests.ui.kiosk_licence_helpers import LicenceLink, install_licence_catalog, offer
from ui.jobs import running_jobs


def licence_kiosk(qtbot: Any, tmp_path: Any, link: Any | None) -> Any:
    """A kiosk whose catalog lets licences stand for the ID card item's ID card and household register;
    `link` None: the real platform link, enrolled with a platform that is not there (offline)."""
    terminal = make_terminal(tmp_path / "home")
    install_licence_catalog(terminal)
    if link is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        save_credential(terminal.settings, Credential(f"http://127.0.0.1:{port}/api/v1", 7,
                                                      terminal.settings.hall_code, "kiosk-1", "token-for-test"))
        part.attach(terminal, background=False)
    else:
        terminal.sync = link
    window = make_window(qtbot, terminal)
    qtbot.waitUntil(lambda: getattr(window.ctx.extras.get("link_view"), "enrolled", False), timeout=10_000)
    return window


def identify_by_card(qtbot: Any, window: Any) -> None:
    """The card on the reader and two taps: no typing (the phone number may stay empty)."""
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    tap(qtbot, ident.read_button)
    qtbot.waitUntil(lambda: ident.id_field.raw() != "", timeout=10_000)
    tap(qtbot, ident.next_button)


def no_dialog_open() -> bool:
    return not any(isinstance(w, QDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_yes_shows_offers_uses_them_with_one_tap_and_those_materials_need_no_paper(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None),
                        offer("household_register", valid_until=date(2036, 3, 1), serial="0002")])
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    assert consent.consent_text.isVisible() and CONSENT_TEXT.zh[:20] in consent.consent_text.text()
    assert consent.agree_button.text() == "同意调用" and consent.decline_button.text() == "不同意，提交纸质材料"
    assert "省电子证照库" in consent.speech_text() and "同意调用" in consent.speech_text()  # read aloud in full
    assert link.calls == []  # nothing asked before the yes
    assert not consent.findChildren(QLineEdit)  # taps only

    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: consent.state == "offers", timeout=10_000)
    assert [c for c, _ in link.calls] == ["offers"]
    asked = link.calls[0][1]
    assert asked["id_number"] == window.ctx.session.applicant["id_number"] and asked["service_item"] == ID_CARD
    assert asked["application_id"] == window.ctx.session.application_id and asked["consent"].by == "citizen"
    assert set(consent.offer_cards) == {"id_card", "household_register"}
    id_card_text = " ".join(l.text() for l in consent.offer_cards["id_card"].findChildren(type(consent.title)))
    assert "居民身份证" in id_card_text and "长期有效" in id_card_text and "西湖分局" in id_card_text
    hukou_text = " ".join(l.text() for l in consent.offer_cards["household_register"].findChildren(type(consent.title)))
    assert "居民户口簿" in hukou_text and "有效期至 2036-03-01" in hukou_text
    assert "居民户口簿" in consent.speech_text()

    tap(qtbot, consent.use_button)  # one tap for all of them
    qtbot.waitUntil(lambda: window.nav.current().name == "form", timeout=10_000)
    assert [c for c, _ in link.calls] == ["offers", "use", "use"]
    session = window.ctx.session
    assert set(session.licences) == {"id_card", "household_register"}
    assert all(len(session.materials[c]) == 1 and session.materials[c][0].media_type == "application/pdf"
               for c in session.licences)
    assert no_dialog_open()

    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    for code in ("id_card", "household_register"):
        row = materials.rows[code]
        assert REUSED_LABEL.zh in row.status.text() and row.done
        assert row.licence_label.isVisible() and "电子证照" in row.licence_label.text()
        assert not row.scan_button.isVisible() and not row.import_button.isVisible()
        assert all(not p.delete_button.isVisible() for p in row._page_widgets)
    assert "居民身份证" in materials.rows["id_card"].licence_label.text()
    assert not materials.needs_link.isVisible()
    assert materials.missing() == []  # the required ones came from licences
    photo = materials.rows["photo_receipt"]  # the one without a licence is captured as today
    assert photo.scan_button.isVisible() and photo.licence is None
    tap(qtbot, photo.scan_button)
    qtbot.waitUntil(lambda: photo.done and not photo.busy, timeout=20_000)
    tap(qtbot, materials.next_button)
    review = screen(window, "review")
    review_text = " ".join(l.text() for l in review.findChildren(type(review.title)))
    assert review_text.count(REUSED_LABEL.zh) == 2 and "长期有效" in review_text

    submit(qtbot, window)
    assert not window.ctx.session.licences and window.ctx.session.licence_consent is None  # wiped once stored
    app = window.terminal.applications()[0]
    used = {m.material_code: m.licence for m in app.materials if m.licence}
    assert set(used) == {"id_card", "household_register"}
    assert app.id == asked["application_id"]  # the copies name the application they were made for
    with window.terminal.store.transaction() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.subject == app.id)))
    assert actions.count("licence_used") == 2 and "licence_consent" in actions


def test_no_asks_nothing_and_every_material_is_captured_as_today(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None)])
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    tap(qtbot, consent.decline_button)
    screen(window, "form")
    assert link.calls == []  # the platform was never asked
    session = window.ctx.session
    assert session.licence_declined and session.licence_consent is None and not session.licences
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    row = materials.rows["id_card"]
    assert row.scan_button.isVisible() and not row.licence_label.isVisible() and "免提交" not in row.status.text()
    assert not materials.needs_link.isVisible()
    tap(qtbot, row.scan_button)
    qtbot.waitUntil(lambda: row.done and not row.busy, timeout=20_000)
    assert link.calls == []


def test_offline_says_needs_link_and_capture_goes_on(qtbot, tmp_path):
    window = licence_kiosk(qtbot, tmp_path, None)  # enrolled; the platform does not answer
    try:
        identify_by_card(qtbot, window)
        consent = screen(window, "licences")
        tap(qtbot, consent.agree_button)
        qtbot.waitUntil(lambda: consent.state == "answered", timeout=20_000)
        assert "需联网核验" in consent.status.text() and not consent.use_button.isVisible()
        assert window.ctx.session.licence_offers is not None and not window.ctx.session.licence_offers.available
        tap(qtbot, consent.next_button)
        fill_form(qtbot, window, ID_CARD)
        materials = screen(window, "materials")
        assert materials.needs_link.isVisible() and NEEDS_LINK.zh[:5] in materials.needs_link.text()
        row = materials.rows["id_card"]
        assert row.scan_button.isVisible() and not window.ctx.session.licences
        tap(qtbot, row.scan_button)
        qtbot.waitUntil(lambda: row.done and not row.busy, timeout=20_000)
        assert "✔" in row.status.text() and "免提交" not in row.status.text()
    finally:
        window.terminal.close()


def test_a_refused_use_leaves_the_others_used_and_that_material_on_paper(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None),
                        offer("household_register", valid_until=date(2036, 3, 1), serial="0002")],
                       refuse={"household_register"})
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: consent.state == "offers", timeout=10_000)
    tap(qtbot, consent.use_button)
    qtbot.waitUntil(lambda: consent.state == "answered", timeout=10_000)
    screen(window, "licences")  # stays, to say what happened
    text = consent.status.text()
    assert "户口簿" in text and "已被注销" in text and "纸质" in text
    assert set(window.ctx.session.licences) == {"id_card"}
    tap(qtbot, consent.next_button)
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    assert REUSED_LABEL.zh in materials.rows["id_card"].status.text()
    assert "household_register" in materials.missing()


def test_another_id_number_afterwards_voids_the_licences(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None)])
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: consent.state == "offers", timeout=10_000)
    tap(qtbot, consent.use_button)
    qtbot.waitUntil(lambda: window.nav.current().name == "form", timeout=10_000)
    tap(qtbot, window.nav.current().back_button)
    assert screen(window, "licences").state == "answered"  # what was used is shown, not asked again
    assert "已使用" in consent.status.text() or "免提交" in consent.status.text()
    tap(qtbot, consent.back_button)
    ident = screen(window, "identity")
    ident.id_field.edit.setText("110105195001010020")  # another valid number: another person's licences
    ident.id_field.edit.textEdited.emit("110105195001010020")
    tap(qtbot, ident.next_button)
    consent = screen(window, "licences")
    assert consent.state == "ask" and consent.agree_button.isVisible()
    session = window.ctx.session
    assert not session.licences and not session.materials.get("id_card") and session.licence_offers is None


def test_a_terminal_not_enrolled_has_no_licence_step(qtbot, tmp_path):
    terminal = make_terminal(tmp_path / "home")
    install_licence_catalog(terminal)
    window = make_window(qtbot, terminal)
    qtbot.waitUntil(lambda: window.ctx.extras.get("link_view") is not None, timeout=10_000)
    identify_by_card(qtbot, window)
    screen(window, "form")  # straight on: there is no licence library to ask
    assert "licences" not in window.nav.screens


def test_offers_seen_but_not_wanted_uses_nothing(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None)])
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: consent.state == "offers", timeout=10_000)
    assert not consent.next_button.isVisible()  # a choice to make: use them, or paper
    tap(qtbot, consent.paper_button)
    screen(window, "form")
    assert [c for c, _ in link.calls] == ["offers"] and not window.ctx.session.licences
    assert not window.ctx.session.materials.get("id_card")


def test_an_answer_arriving_after_the_session_ended_reaches_nobody(qtbot, tmp_path):
    link = LicenceLink([offer("id_card", valid_until=None)], gate=threading.Event())
    window = licence_kiosk(qtbot, tmp_path, link)
    identify_by_card(qtbot, window)
    consent = screen(window, "licences")
    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: len(link.calls) == 1, timeout=10_000)  # asked; the library is slow
    window.end_session("idle")
    screen(window, "welcome")
    choose_item(qtbot, window, ID_CARD)  # the next citizen starts
    next_session = window.ctx.session.application_id
    link.gate.set()
    qtbot.waitUntil(lambda: running_jobs() == 0, timeout=10_000)
    session = window.ctx.session
    assert session.application_id == next_session
    assert session.licence_offers is None and session.licence_consent is None and not session.licences
    screen(window, "identity")
