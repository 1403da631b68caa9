#!/usr/bin/env python3
"""Kiosk start-up time and GUI-thread stalls.

1. Start-up: time from process start (the parent's spawn) to the first
   interactive frame (the window has painted and the event loop is running),
   for the kiosk and for a bare PySide6 window started the same way, several
   times each, alternating. Prints the medians and their ratio (target <= 2.5x).
2. Stalls: the kiosk window runs with a 10 ms heartbeat timer while, through
   the kiosk's own job helper, a real sync pass uploads an application with
   ~20 MB of attachments to the reference platform (a separate process on
   127.0.0.1) and a receipt-copy PDF is rendered. Prints the longest gap
   between heartbeats (target <= 50 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk_startup.py [--runs 5] [--mb 20]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.free_ports import free_port  # noqa: E402 - ports for the platform child, below the ephemeral range

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")


# --- child processes: measure one start-up ------------------------------------------------------
def child(kind: str, home: str | None) -> None:
    t0 = float(os.environ["OW_T0"])
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    if kind == "bare":
        window = QMainWindow()
        window.setCentralWidget(QLabel("hello"))
        window.resize(1600, 900)
        window.show()
    else:
        from kiosk.settings import load_settings
        from ui.kiosk.app import build_window

        window = build_window(settings=load_settings(home, device_no=1))  # as `onewindow kiosk` starts

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and not hasattr(self, "done"):
                self.done = True
                QTimer.singleShot(0, finish)  # the loop is running again: the frame is interactive
            return False

    def finish() -> None:
        print(json.dumps({"seconds": time.time() - t0}), flush=True)
        app.quit()

    spy = FirstPaint()
    window.installEventFilter(spy)
    window.update()
    app.exec()
    os._exit(0)  # skip teardown of background threads; the measurement is done


def run_child(kind: str, home: Path) -> float:
    env = dict(os.environ, OW_T0=repr(time.time()))
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--home", str(home)], env=env,
                         capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return float(json.loads(line)["seconds"])
    raise SystemExit(f"{kind} child failed:\n{out.stderr[-2000:]}")


# --- stalls -------------------------------------------------------------------------------------------
def render_receipt_pdf(home: str, application_id: str) -> tuple[int, float]:
    """Runs in the kiosk's worker process (see ui.jobs.run_process_job)."""
    from kiosk.settings import load_settings
    from kiosk.store.models import Application
    from kiosk.terminal import Terminal
    from printing.pdf.documents import build_document

    start = time.monotonic()
    terminal = Terminal.open(load_settings(home, device_no=1))
    catalog = terminal.catalog
    with terminal.store.transaction() as s:
        data = build_document("receipt_copy", s.get(Application, application_id), terminal.settings, catalog)
    return len(data), time.monotonic() - start


def measure_stalls(work: Path, mb: int, only: str = "") -> dict[str, float]:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.settings import load_settings
    from kiosk.terminal import Terminal
    from sync.client import PlatformClient, Timeouts
    from sync.credentials import Credential, save_credential
    from sync.demo_data import submit_demo
    from sync.embedded import start_platform
    from sync.engine import SyncEngine

    platform_home = work / "platform"
    port = free_port()
    server = start_platform(platform_home, "127.0.0.1", port)
    try:
        home = work / "stall-kiosk"
        home.mkdir()
        terminal = Terminal.open(load_settings(home, device_no=1))
        submitted = submit_demo(terminal, 1, 20, mb * 1024 // 20, seed=5)[0]
        code = subprocess.run([sys.executable, "-m", "kiosk", "platform", "enroll-code", "--home", str(platform_home),
                               "--hall", terminal.settings.hall_code, "--device-name", "bench", "--role", "kiosk"],
                              capture_output=True, text=True, check=True).stdout.strip().split()[-1]
        url = f"http://127.0.0.1:{port}/api/v1"
        answer = PlatformClient(url).json("POST", "enroll", json_body={"code": code})
        credential = Credential(url, answer["device_id"], answer["hall_code"], answer["device_name"], answer["token"])
        save_credential(terminal.settings, credential)

        app = QApplication.instance() or QApplication(sys.argv[:1])
        from ui.jobs import run_job, run_process_job
        from ui.kiosk.app import build_window

        window = build_window(terminal)
        from kiosk.processes import process_pool

        process_pool().submit(int).result(60)  # the kiosk warms its worker process after the first frame
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.nsecsElapsed()]

        def beat() -> None:
            now = clock.nsecsElapsed()
            gaps.append((now - last[0]) / 1e6)
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(beat)
        heartbeat.start()
        results: dict[str, float] = {}

        def sync_pass() -> object:
            start = time.monotonic()
            client = PlatformClient.for_credential(credential, Timeouts(connect=5, read=30))
            report = SyncEngine(terminal, client).run_pass()
            results["sync_seconds"] = time.monotonic() - start
            return report

        def pdf_done(answer: tuple[int, float]) -> None:
            results["pdf_seconds"] = answer[1]
            done()

        pending = {"n": 1 if only else 2}

        def done(_r: object = None) -> None:
            pending["n"] -= 1
            if pending["n"] == 0:
                QTimer.singleShot(50, app.quit)

        def failed(exc: BaseException) -> None:
            print("job failed:", getattr(exc, "__traceback_text__", exc), file=sys.stderr)
            done()

        def start_work() -> None:
            gaps.clear()
            last[0] = clock.nsecsElapsed()
            if only != "pdf":
                run_job("bench-sync", sync_pass, on_done=done, on_error=failed)
            if only != "sync":
                run_process_job("bench-pdf", render_receipt_pdf, str(home), submitted.id, on_done=pdf_done,
                                on_error=failed)

        QTimer.singleShot(500, start_work)  # let start-up settle first
        app.exec()
        heartbeat.stop()
        report_pending = SyncEngine(terminal, PlatformClient.for_credential(credential)).pending()
        terminal.close()
        return {"longest_gap_ms": max(gaps), "median_gap_ms": statistics.median(gaps), "beats": len(gaps),
                "uploaded_mb": mb, "still_pending": report_pending[0], **results}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=("bare", "kiosk"))
    parser.add_argument("--home")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--only", choices=("sync", "pdf"), default="", help="one background job (to find a stall)")
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.home)
        return
    with tempfile.TemporaryDirectory(prefix="ow-kiosk-bench-") as tmp:
        work = Path(tmp)
        home = work / "kiosk"
        from kiosk.settings import load_settings
        from kiosk.terminal import Terminal

        Terminal.open(load_settings(home, device_no=1)).store.close()  # migrations done once, as on an installed kiosk
        if not args.skip_startup:
            bare, kiosk = [], []
            run_child("bare", home)  # warm the OS file cache for both
            run_child("kiosk", home)
            for _ in range(args.runs):
                bare.append(run_child("bare", home))
                kiosk.append(run_child("kiosk", home))
            b, k = statistics.median(bare), statistics.median(kiosk)
            print(f"start-up to first interactive frame (median of {args.runs}): bare PySide6 {b * 1000:.0f} ms, "
                  f"kiosk {k * 1000:.0f} ms, ratio {k / b:.2f}x (target <= 2.5x)")
        stalls = measure_stalls(work, args.mb, args.only)
        print(f"GUI heartbeat (10 ms) during a {stalls['uploaded_mb']} MB sync upload "
              f"({stalls.get('sync_seconds', float('nan')):.1f} s) and a receipt PDF render "
              f"({stalls.get('pdf_seconds', float('nan')):.2f} s): longest gap {stalls['longest_gap_ms']:.1f} ms, "
              f"median {stalls['median_gap_ms']:.1f} ms over {stalls['beats']} beats (target <= 50 ms); "
              f"outbox items still pending after the pass: {stalls['still_pending']}")


if __name__ == "__main__":
    main()
