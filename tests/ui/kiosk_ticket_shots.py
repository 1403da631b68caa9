"""Screenshots of taking a number and of help on request, with the in-memory hall as the hub.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.kiosk_ticket_shots [OUT_DIR] [--screens | --size WxH ...]

(`ui.kiosk.render_screens` draws every other kiosk screen; the ticket screens need a hall hub, which a
development machine does not have, so this runs them with `tests.helpers.fake_hall.FakeHall`.) Also writes
the printed ticket as the printer would print it: ticket_print_<lang>.png.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def demo_hall() -> object:
    from tests.helpers.fake_hall import FakeHall
    from ui.kiosk.render_screens import DemoHall

    hall = FakeHall(counter_no=3, device_name="kiosk-1")
    from kiosk.queue.model import Priority

    for _ in range(14):  # a morning's line ahead of the citizen
        hall.issue("A", Priority.NORMAL)

    def reachable(on: bool) -> None:
        hall.reachable = on

    return DemoHall(hall, hall.acknowledge_help, reachable)


def ticket_prints(out: Path) -> list[Path]:
    from kiosk.queue.model import Priority
    from kiosk.settings import load_settings
    from kiosk.usecases.ticket_print import ticket_payload
    from printing.preview import ticket_preview_png
    from tests.helpers.fake_hall import FakeHall

    hall = FakeHall()
    for _ in range(14):
        hall.issue("A", Priority.NORMAL)
    issued = hall.issue("A", Priority.ELDERLY)
    settings = load_settings(out)
    paths = []
    for lang in ("zh", "en"):
        path = out / f"ticket_print_{lang}.png"
        path.write_bytes(ticket_preview_png({"lang": lang, "ticket": ticket_payload(issued, hall.categories()[0])},
                                            settings))
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    from ui.kiosk.render_screens import render
    from ui.screenshots import SIZE, parse_sizes

    rest, sizes = parse_sizes(argv, default=(SIZE,))
    out = Path(rest[0]) if rest else Path("out/ticket-screens")
    for path in render(out, sizes, hall=demo_hall(), only_ticket=True) + ticket_prints(out):  # type: ignore[arg-type]
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
