"""The licence step end to end: a kiosk enrolled with the real reference platform (uvicorn, the demo licence
library seeded), its real platform link, and the screens tapped like a citizen would.

Yes: the platform offers the citizen's ID card and household register, one tap uses both, the materials need
no paper, and the submitted application holds the platform's annotated copies with the uses recorded on the
platform. No: not one request reaches the licence routes.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.demo import fake_devices
from kiosk.devices.id_card_reader import FakeIdCardReader, IdCardData
from kiosk.licences.model import REUSED_LABEL
from sync import part
from sync.server.licences_models import LicenceUse
from tests.sync.conftest import enroll
from tests.sync.licence_fixtures import person, ready_platform
from tests.sync.servers import PlatformServer
from tests.ui.kiosk_helpers import ID_CARD, choose_item, fill_form, make_terminal, make_window, screen, submit, tap

CITIZEN = "王建国"  # born 1958; holds an ID card and a household register in the demo library


class LicenceCalls:
    """Counts the requests that reach the platform's licence routes (the ASGI app is wrapped, not mocked)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and "/licences" in scope.get("path", ""):
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def platform(tmp_path: Any) -> Iterator[tuple[PlatformServer, LicenceCalls]]:
    calls: list[LicenceCalls] = []

    def wrap(app: Any) -> LicenceCalls:
        calls.append(LicenceCalls(app))
        return calls[0]

    server = PlatformServer(tmp_path / "platform", wrap=wrap)
    ready_platform(server)
    yield server, calls[0]
    server.stop()


def kiosk(qtbot: Any, tmp_path: Any, server: PlatformServer) -> Any:
    terminal = make_terminal(tmp_path / "home")
    enroll(terminal, server, role="kiosk")
    part.attach(terminal, background=False)  # the real link, now that it is enrolled
    citizen = person(CITIZEN)
    devices = fake_devices()
    devices["id_reader"] = FakeIdCardReader([IdCardData(citizen.name, citizen.id_number)] * 3)
    window = make_window(qtbot, terminal, devices=devices)
    qtbot.waitUntil(lambda: getattr(window.ctx.extras.get("link_view"), "enrolled", False), timeout=10_000)
    choose_item(qtbot, window, ID_CARD)
    ident = screen(window, "identity")
    tap(qtbot, ident.read_button)  # the card on the reader: no typing
    qtbot.waitUntil(lambda: ident.id_field.raw() == citizen.id_number, timeout=10_000)
    tap(qtbot, ident.next_button)
    return window


def test_yes_uses_the_platforms_licences_and_the_application_carries_their_copies(qtbot, tmp_path, platform):
    server, calls = platform
    window = kiosk(qtbot, tmp_path, server)
    consent = screen(window, "licences")
    assert calls.paths == []
    tap(qtbot, consent.agree_button)
    qtbot.waitUntil(lambda: consent.state in ("offers", "answered"), timeout=20_000)
    assert consent.state == "offers", consent.status.text()
    assert set(consent.offer_cards) == {"id_card", "household_register"}
    tap(qtbot, consent.use_button)
    qtbot.waitUntil(lambda: window.nav.current().name != "licences" or consent.state == "answered", timeout=30_000)
    screen(window, "form")
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    for code in ("id_card", "household_register"):
        assert REUSED_LABEL.zh in materials.rows[code].status.text()
    tap(qtbot, materials.next_button)
    submit(qtbot, window)

    app = window.terminal.applications()[0]
    refs = {m.material_code: m.licence for m in app.materials if m.licence}
    assert set(refs) == {"id_card", "household_register"}
    with server.store.transaction() as s:
        uses = list(s.scalars(select(LicenceUse).where(LicenceUse.application_id == app.id)))
    assert {u.material_code for u in uses} == {"id_card", "household_register"}
    by_material = {m.material_code: m for m in app.materials}
    for use in uses:  # the file each material holds is the copy the platform made for this use
        [file] = by_material[use.material_code].files
        assert file.attachment_sha256 == use.copy_sha256


def test_no_sends_nothing_to_the_licence_library(qtbot, tmp_path, platform):
    server, calls = platform
    window = kiosk(qtbot, tmp_path, server)
    consent = screen(window, "licences")
    tap(qtbot, consent.decline_button)
    screen(window, "form")
    fill_form(qtbot, window, ID_CARD)
    materials = screen(window, "materials")
    row = materials.rows["id_card"]
    tap(qtbot, row.scan_button)
    qtbot.waitUntil(lambda: row.done and not row.busy, timeout=20_000)
    assert calls.paths == []  # not one request to the licence routes
    with server.store.transaction() as s:
        assert list(s.scalars(select(LicenceUse))) == []
