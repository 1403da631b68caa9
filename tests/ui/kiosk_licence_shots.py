"""Screenshots of the licence step and of the materials it spares, online and offline.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.kiosk_licence_shots [OUT_DIR] [--screens | --size WxH ...]

(`ui.kiosk.render_screens` draws the other kiosk screens; this step needs a platform link with a licence
library, which a development machine does not have, so it runs with `LicenceLink` from the tests.)
`walk_licences` is shared with the layout test (`test_kiosk_walks_fit.py`).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCREENS = ["l01_consent", "l02_offers", "l03_materials_reused", "l04_review", "l05_needs_link",
           "l06_materials_needs_link"]


def licence_link() -> Any:
    from tests.ui.kiosk_licence_helpers import LicenceLink, offer

    return LicenceLink([offer("id_card", valid_until=None),
                        offer("household_register", valid_until=date(2036, 3, 1), serial="0002")])


def attach_library(demo: Any, link: Any) -> None:
    from tests.ui.kiosk_licence_helpers import install_licence_catalog

    install_licence_catalog(demo.terminal)
    demo.terminal.sync = link


def walk_licences(window: Any, demo: Any, link: Any) -> Iterator[str]:
    """Agree, see the offers, use them, see the materials and the review; then the same offline."""
    from kiosk.demo import APPLICANT
    from ui.kiosk.render_screens import ITEM
    from ui.screenshots import pump

    def ready(name: str) -> str:
        pump(lambda: True)
        return name

    nav = window.nav
    pump(lambda: getattr(window.ctx.extras.get("link_view"), "enrolled", False))
    item = demo.terminal.catalog.item(ITEM)

    def to_consent() -> Any:
        nav.start_application(item)
        ident = nav.screens["identity"]
        ident.name_field.set_raw(APPLICANT["name"])
        ident.id_field.set_raw(APPLICANT["id_number"])
        ident.phone_field.set_raw(APPLICANT["phone"])
        ident.on_next()
        return nav.screens["licences"]

    def through_form() -> Any:
        form = nav.screens["form"]
        form.view.field("renewal_reason").set_raw("expired")
        form.view.field("old_card_expiry").set_raw("2025-05-01")
        form.view.field("collection_method").set_raw("counter")
        form.on_next()
        return nav.screens["materials"]

    link.online = True
    consent = to_consent()
    yield ready("l01_consent")
    consent.agree()
    pump(lambda: consent.state == "offers")
    yield ready("l02_offers")
    consent.use_all()
    pump(lambda: nav.current() is not None and nav.current().name == "form")
    materials = through_form()
    used = list(nav.ctx.session.licences)
    pump(lambda: all(materials.panel.images.get(c) and materials.panel.images[c][0] is not None for c in used))
    yield ready("l03_materials_reused")
    materials.on_next()
    yield ready("l04_review")
    window.end_session("cancelled")

    link.online = False
    consent = to_consent()
    consent.agree()
    pump(lambda: consent.state == "answered")
    yield ready("l05_needs_link")
    consent.on_next()
    through_form()
    yield ready("l06_materials_needs_link")
    window.end_session("cancelled")
    link.online = True


def render(out: Path, sizes: tuple[tuple[int, int], ...]) -> list[Path]:
    from ui.kiosk.render_screens import SIZE, close_window, demo_kiosk, open_window
    from ui.screenshots import application, shoot

    application(out)
    shots: list[Path] = []
    with demo_kiosk() as demo:
        link = licence_link()
        attach_library(demo, link)
        for lang in ("zh", "en"):
            for text in ("normal", "large"):
                window = open_window(demo, lang, text == "large", sizes[0])
                shots += shoot(window, walk_licences(window, demo, link), out, sizes,
                               lambda name: f"{name}_{lang}_{text}", SIZE)
                close_window(window)
    return shots


def main(argv: list[str]) -> int:
    from ui.screenshots import SIZE, parse_sizes

    rest, sizes = parse_sizes(argv, default=(SIZE,))
    for path in render(Path(rest[0]) if rest else Path("out/licence-screens"), sizes):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
