"""What every screen may use: the terminal, the citizen's session, and how to report.

Screens never import each other or the window; they get this object and
emit signals, and the navigator decides where the citizen goes next.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.settings import Settings
from ui.kiosk.draft_saver import DraftSaver
from ui.kiosk.session import CitizenSession

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kiosk.catalog import Catalog
    from kiosk.terminal import Terminal


@dataclass
class KioskContext:
    """`terminal` and `catalog` are None for the first moments, while the store opens in the background.

    `catalog` is the one this session started with: a newer catalog that sync installs meanwhile is
    picked up at the next session, never in the middle of a citizen's application.
    """

    settings: Settings
    terminal: "Terminal | None"
    catalog: "Catalog | None"
    session: CitizenSession
    saver: DraftSaver
    report: Callable[[BaseException], None] = field(default=lambda exc: None)
    clear_report: Callable[[], None] = field(default=lambda: None)
    extras: dict[str, Any] = field(default_factory=dict)
    # Where screens are born: the window's stack. A screen made parentless and added later is restyled
    # as a whole when it moves under the stack (the style sheet's rules are matched again for every
    # child), which was a third of the time a citizen waited for the next screen.
    screens_parent: "QWidget | None" = None

    def save_draft(self) -> None:
        self.saver.request(self.session.snapshot(self.catalog.version))

    def save_draft_soon(self) -> None:
        self.saver.request_soon(lambda: self.session.snapshot(self.catalog.version))
