"""Opening the terminal for a window: the store, its parts' workers, and the configured devices.

Shared by the kiosk and the counter. The store opens off the GUI thread
(migrations and imports take about a second); the document camera's feed is
a Qt object and is made on the GUI thread afterwards (`attach_camera`).
"""
from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QObject

from kiosk.devices.base import Scanner
from kiosk.processes import call_in_process
from kiosk.devices.id_card_reader import IdCardReader
from kiosk.settings import Settings
from kiosk.terminal import Devices, Terminal
from ui.camera_feed import CameraFeed

log = logging.getLogger("onewindow.ui")


def configured_scanner(settings: Settings) -> Scanner | None:
    """The SANE scanner named in the settings, or None (the materials step then offers other ways)."""
    if not settings.scanner:
        return None
    from kiosk.devices.sane_scanner import SaneScanner

    return SaneScanner(settings.scanner)


def configured_id_reader(settings: Settings) -> IdCardReader | None:
    """The ID card reader named in the settings, or None (the identity screen then asks for typing)."""
    from kiosk.devices.idcard.factory import make_reader

    return make_reader(settings)


def open_terminal(settings: Settings, devices: Devices | None = None) -> Terminal:
    """Blocking: run it in a job. The parts' background workers (sync, printing) start here.

    A4 notices are laid out in the worker process: reportlab in a thread of
    this process kept the GUI thread waiting 60-120 ms for Python's lock at
    the counter's decide (issue 10)."""
    terminal = Terminal.open(settings, background=True)
    if terminal.printing is not None:
        terminal.printing.lay_out_documents_with(call_in_process)
    terminal.devices = devices or Devices(scanner=configured_scanner(settings),
                                          id_reader=configured_id_reader(settings))
    return terminal


#: `camera = "none"` in the settings: no document camera, not even a kiosk's default one
NO_CAMERA = "none"


def camera_name(settings: Settings) -> str:
    """The camera to open: the one named in the settings; on a kiosk with none named, the system's default
    video input (the document camera is how a kiosk takes materials in); "" for none."""
    name = settings.camera.strip()
    if name.lower() == NO_CAMERA:
        return ""
    if not name and settings.device_kind == "kiosk":
        return "default"
    return name


def attach_camera(terminal: Terminal, parent: QObject | None = None) -> CameraFeed | None:
    """On the GUI thread: the document camera (see `camera_name`) feeds `terminal.devices.camera`."""
    name = camera_name(terminal.settings)
    if not name or terminal.devices.camera is not None:
        return None
    from kiosk.devices.camera import FrameSource
    from ui.camera_feed import find_camera

    device = find_camera(name)
    if device is None:
        if not terminal.settings.camera.strip():  # a kiosk's default: many have none, and say so elsewhere
            log.info("no document camera found; the kiosk offers USB sticks and the counter instead")
            return None
        log.warning("document camera %r not found; photographing is off", name)
        print(f"未找到高拍仪 {name!r} / document camera {name!r} not found", file=sys.stderr)
        return None
    source = FrameSource(device.description())
    feed = CameraFeed(source, device, parent)
    terminal.devices.camera = source
    return feed
