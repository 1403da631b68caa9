"""The GUI thread's work per tap of a kiosk flow, without the soak's link, printer and counter.

    .venv/bin/python bench/kiosk_steps.py [--flows 12] [--profile OUT.prof [--profile-step NAME]]

One window process, offscreen, on a fresh data dir with the demo catalog and
the recording scanner: each flow chooses a service, types the applicant and
form, scans every required material, submits and finishes, as
`bench/terminal_soak.py` does. For each step it prints the GUI thread's CPU
time from the tap until the step's screen is up (time.thread_time, mean and
max over the flows after the first) and the longest gap of a 5 ms heartbeat
meanwhile: the longest stretch the thread was busy in one go, which is what a
person sees as a stall. The soak measures the same under load; this is for
finding what a step costs. Not a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ("330106000173002001", "330106000177001001", "330106000184002001")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flows", type=int, default=12)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--profile-step", help="with --profile: profile only this step, from its tap until its "
                                               "screen is up (e.g. submit->result)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(ROOT / "bench"))
    from terminal_soak import endless_scanner_class

    from kiosk.demo import sample_form, valid_id
    from kiosk.settings import load_settings
    from kiosk.terminal import Devices
    from ui.fonts import install_fonts
    from ui.kiosk.window import KioskWindow
    from ui.terminal_setup import open_terminal
    from ui.threads import favour_gui_thread, freeze_start_up, install_gc_guard

    app = QApplication(sys.argv[:1])
    install_gc_guard()
    favour_gui_thread()  # as the entry points do
    install_fonts(app)
    from tests.printing.printer_server import PrinterServer

    printer = PrinterServer()  # a loopback receipt printer, as in the soak
    home = Path(tempfile.mkdtemp(prefix="onewindow-steps-"))
    settings = load_settings(home, idle_timeout_seconds=3600, printer=printer.uri, device_no=7)
    terminal = open_terminal(settings)
    terminal.devices = Devices(scanner=endless_scanner_class()())
    kiosk = KioskWindow(terminal, speech=False, sync_poll_ms=1000)
    kiosk.resize(1080, 1920)
    kiosk.show()
    freeze_start_up()

    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]
    gap = [0.0]

    def beat() -> None:
        now = clock.nsecsElapsed()
        gap[0] = max(gap[0], (now - last[0]) / 1e6)
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    figures: dict[str, list[tuple[float, float]]] = {}

    def flow(n: int):  # noqa: ANN202 - a generator of (step name, condition)
        nav = kiosk.nav
        code = ITEMS[n % len(ITEMS)]
        nav.show_browser()
        yield "browser", lambda: nav.current() is not None and nav.current().name == "browser"
        nav.show_guide(code)
        yield "guide", lambda: nav.current().name == "guide"
        nav.start_application(terminal.catalog.item(code))
        yield "identity", lambda: nav.current().name == "identity"
        ident = nav.screens["identity"]
        applicant = {"name": "张三" if n % 2 else "李𠮷", "phone": f"138{n:08d}"[:11],
                     "id_number": valid_id(f"110105{1950 + n % 50}0101{n % 1000:03d}")}
        for field in ident.applicant.fields:  # one field per turn, as a person types them seconds apart
            field.set_raw(applicant.get(field.key, ""))
            yield "type identity", lambda: True
        ident._store()
        ident.on_next()
        yield "identity->next", lambda: nav.current().name in ("licences", "form", "materials")
        if nav.current().name == "licences":
            nav.screens["licences"].decline()
            yield "licences->next", lambda: nav.current().name in ("form", "materials")
        if nav.current().name == "form":
            form = nav.screens["form"]
            for key, value in sample_form(code).items():
                form.view.field(key).set_raw(value)
                yield f"type form {type(form.view.field(key)).__name__}", lambda: True
            form.on_next()
            yield "form->materials", lambda: nav.current().name == "materials"
        materials = nav.screens["materials"]
        for spec in materials.item.materials:
            if spec.required:
                materials.panel.capture(spec.code, "scanner")
                yield "scan", lambda: not materials.busy
        materials.on_next()
        yield "materials->review", lambda: nav.current().name == "review"
        nav.screens["review"].on_next()
        yield "submit->result", lambda: "result" in nav.screens and nav.screens["result"].print_message is not None
        kiosk.end_session("done")
        yield "finish->welcome", lambda: nav.current().name == "welcome"

    def plan():  # noqa: ANN202
        for n in range(args.flows):
            yield from flow(n)

    steps = plan()
    state: dict[str, Any] = {"name": None, "cond": lambda: True, "cpu": 0.0, "n": 0}

    import cProfile
    import pstats

    profiled: list[Any] = [None, None]  # the profile of the step under way (if it is the one asked for), the sum

    def advance() -> None:
        if state["cond"]():
            if profiled[0] is not None:
                profiled[0].disable()
                stats = pstats.Stats(profiled[0])
                profiled[1] = stats if profiled[1] is None else profiled[1].add(stats)
                profiled[0] = None
            now = time.thread_time()
            if state["name"] is not None:
                figures.setdefault(state["name"], []).append(((now - state["cpu"]) * 1000, gap[0]))
            gap[0] = 0.0  # the tap itself runs inside next(): its CPU and its stretch count from before it
            last[0] = clock.nsecsElapsed()
            profiler = cProfile.Profile(time.thread_time) if args.profile_step else None
            if profiler is not None:
                profiler.enable()
            try:
                name, cond = next(steps)
            except StopIteration:
                if profiler is not None:
                    profiler.disable()
                app.quit()
                return
            if profiler is not None:
                if name == args.profile_step:
                    profiled[0] = profiler
                else:
                    profiler.disable()
            state.update(name=name, cond=cond)
            if os.environ.get("STEPS_VERBOSE"):
                print("step", name, flush=True)
            state["cpu"] = now
        QTimer.singleShot(2, advance)

    QTimer.singleShot(1500, advance)  # after the service list is prepared (200 ms after start)
    if args.profile_step:
        app.exec()
        if profiled[1] is not None:
            profiled[1].dump_stats(str(args.profile))
    elif args.profile:
        profiler = cProfile.Profile(time.thread_time)
        profiler.runcall(app.exec)
        profiler.dump_stats(str(args.profile))
    else:
        app.exec()
    heartbeat.stop()
    print(f"{'step':<20} {'n':>3} {'cpu mean':>9} {'cpu max':>8} {'gap mean':>9} {'gap max':>8}   (ms; first flow left out)")
    for name, values in figures.items():
        later = values[1:] if len(values) > 1 else values
        cpu = [c for c, _ in later]
        gaps = [g for _, g in later]
        print(f"{name:<20} {len(later):>3} {sum(cpu) / len(cpu):>9.1f} {max(cpu):>8.1f} "
              f"{sum(gaps) / len(gaps):>9.1f} {max(gaps):>8.1f}")
    kiosk.close()
    from ui.jobs import wait_idle

    wait_idle(30_000)
    terminal.close()
    printer.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
