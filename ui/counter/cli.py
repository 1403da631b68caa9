"""`onewindow counter [--lang zh|en] [--lock-minutes N] [--document-printer URI]`: the clerk's window.

Staff accounts come from `onewindow staff add NAME --role clerk|supervisor|administrator`.
"""
from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("counter", help="start the counter window for hall staff (login required)")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="starting language (default: settings)")
    p.add_argument("--lock-minutes", type=int, default=5, help="lock the counter after this many idle minutes")
    p.add_argument("--document-printer", default="cups:",
                   help="where A4 notices print (cups: for the default CUPS queue, cups:QUEUE for another)")
    p.add_argument("--fullscreen", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from PySide6.QtWidgets import QApplication

    from kiosk.logs import configure_logging
    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from ui.counter.services import CounterServices
    from ui.counter.window import CounterWindow
    from ui.errors import install_excepthook
    from ui.fonts import install_fonts
    from ui.connectivity import watch_connectivity
    from ui.kiosk.app import configured_scanner
    from ui.kiosk.services import start_sync_worker
    from ui.pyside_fixes import repair_singleton_refcounts
    from ui.threads import install_gc_guard

    if args.lock_minutes < 1:
        print("--lock-minutes must be at least 1 / 锁屏时间至少1分钟", file=sys.stderr)
        return 2
    settings = load_settings(getattr(args, "home", None))
    configure_logging(settings.home)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_gc_guard()  # garbage collection on the GUI thread only (see ui/threads.py)
    repair_singleton_refcounts()  # PySide6 6.12.0 on CPython 3.11 would abort after about two hours (ui/pyside_fixes.py)
    install_fonts(app)
    terminal = Terminal.open(settings)
    camera, _feed = counter_camera(settings)  # _feed keeps the camera running while the window is open
    services = CounterServices(terminal, document_printer=args.document_printer,
                               scanner=configured_scanner(settings), camera=camera,
                               sync_worker=start_sync_worker(terminal))
    window = CounterWindow(services, language=args.lang, lock_seconds=args.lock_minutes * 60)
    watch_connectivity(services.sync_worker, window)
    install_excepthook(window.report)
    if args.fullscreen:
        window.showFullScreen()
    else:
        window.resize(1920, 1080)
        window.show()
    try:
        return app.exec()
    finally:
        services.close()


def counter_camera(settings):  # noqa: ANN001, ANN201 - (FrameSource | None, CameraFeed | None)
    """The document camera named in the settings, fed through Qt Multimedia on this (GUI) thread."""
    if not settings.camera:
        return None, None
    from kiosk.devices.camera import FrameSource
    from ui.camera_feed import CameraFeed, find_camera

    device = find_camera(settings.camera)
    if device is None:
        print(f"未找到高拍仪 {settings.camera!r} / document camera {settings.camera!r} not found", file=sys.stderr)
        return None, None
    source = FrameSource(device.description())
    return source, CameraFeed(source, device)
