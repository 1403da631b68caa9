"""`onewindow setup`: a technician's set-up of this terminal, headless or in the set-up window.

`onewindow setup --hall CODE --platform URL --code CODE --yes` runs without a question: it enrolls, tests
each device and prints the pass/fail list (`--json` for a script). Without the flags, on a terminal, it
asks for what is missing, and before each device test says what to put in place. `--window` opens the
full-screen guided window instead (`ui.setup`). `--devices-only` tests the devices again after a fix.
Exit 0: every device passed or is absent; 1: a device failed (the list says what to do); 2: bad input or
the platform refused (nothing was changed).
"""
from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from kiosk.cli import EXIT_FAILED, EXIT_INVALID, EXIT_OK, terminal_from_args
from kiosk.errors import Message, UserFacingError

MARK = {"pass": "✔", "fail": "✘", "absent": "–"}
MISSING = Message("缺少 {zh}：请加上 {flags}，或在终端中运行 onewindow setup 按提示输入。",
                  "Missing {en}: add {flags}, or run onewindow setup in a terminal and answer its questions.")
FIELDS = (("hall", Message("大厅编码（6到12位数字）", "hall code (6 to 12 digits)")),
          ("platform", Message("平台地址（如 https://平台域名/api/v1）", "platform address (https://.../api/v1)")),
          ("code", Message("注册码（平台管理员提供）", "enrollment code (from the platform's administrator)")))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("setup", help="set this terminal up: enroll it, then test the printer, scanner, camera, "
                                     "ID card reader and voice")
    p.add_argument("--hall", help="the hall code, 6 to 12 digits")
    p.add_argument("--platform", help="the platform's API address, e.g. https://platform.example/api/v1")
    p.add_argument("--code", help="the one-time enrollment code from `onewindow platform enroll-code`")
    p.add_argument("--ca", type=Path, default=None, help="CA certificate file to trust for the platform's TLS")
    p.add_argument("--insecure", action="store_true", help="allow plain http:// to another machine (a lab only)")
    p.add_argument("--yes", action="store_true", help="ask nothing: no confirmation, no pause before each test")
    p.add_argument("--devices-only", action="store_true", help="only test the devices again (already enrolled)")
    p.add_argument("--wait", type=float, default=20.0, metavar="SECONDS",
                   help="how long the ID card test waits for a card (default 20)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--window", action="store_true", help="open the guided set-up window instead")
    p.add_argument("--fullscreen", action="store_true", help="with --window: full screen, frameless")
    p.set_defaults(handler=run, failure_message=Message("安装未完成；已完成的步骤见日志。",
                                                        "The set-up did not finish; the log says which steps did."))


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(label: Message) -> str:
    return input(f"{label.zh} / {label.en}: ").strip()


def _confirm(question: Message) -> bool:
    return input(f"{question.zh} / {question.en} [y/N] ").strip().lower() in ("y", "yes", "是", "好")


def _request(args: argparse.Namespace) -> Any:
    from kiosk.setup.request import SetupRequest

    values = {name: getattr(args, name) for name, _ in FIELDS}
    missing = [(name, label) for name, label in FIELDS if not (values[name] or "").strip()]
    if missing and not _interactive():
        raise UserFacingError(Message(
            MISSING.zh.format(zh="、".join(lbl.zh for _, lbl in missing), flags=" ".join(f"--{n}" for n, _ in missing)),
            MISSING.en.format(en=", ".join(lbl.en for _, lbl in missing), flags=" ".join(f"--{n}" for n, _ in missing))),
            code="missing")
    for name, label in missing:
        values[name] = _ask(label)
    return SetupRequest(values["hall"] or "", values["platform"] or "", values["code"] or "",
                        str(args.ca.resolve()) if args.ca else None, args.insecure)


def _print_result(result: Any) -> None:
    print(f"{MARK[result.outcome]} {result.label.zh} / {result.label.en}: "
          f"{result.reason.zh} / {result.reason.en}", flush=True)
    if result.outcome != "pass" or result.action.en != "Nothing to do.":
        print(f"    → {result.action.zh} / {result.action.en}", flush=True)


def run(args: argparse.Namespace) -> int:
    if args.window:
        for ep in entry_points(group="onewindow.setup_window"):
            return int(ep.load()(args))
        raise UserFacingError(Message("本安装不含图形界面。", "This installation has no windows."), code="no_ui")
    from kiosk.usecases import setup as usecase

    terminal = terminal_from_args(args)
    enrollment: dict[str, Any] | None = None
    if not args.devices_only:
        request = usecase.check_request(_request(args))
        if not args.yes and _interactive() and not _confirm(Message(
                f"用注册码在平台 {request.platform_url} 为大厅 {request.hall_code} 注册本终端？",
                f"Enroll this terminal with {request.platform_url} for hall {request.hall_code}?")):
            print("未做任何更改。 / Nothing was changed.", file=sys.stderr)
            return EXIT_INVALID
        enrollment = usecase.enroll(terminal, request)
        if not args.json:
            print(f"✔ 已注册：大厅 {enrollment['hall_code']}，设备编号 {enrollment['device_no']}，角色 {enrollment['role']} / "
                  f"Enrolled: hall {enrollment['hall_code']}, device number {enrollment['device_no']}, role "
                  f"{enrollment['role']}", flush=True)

    def before(test: Any) -> None:
        if test.prompt is not None and not args.yes and _interactive() and test.expects_hands(terminal.settings):
            input(f"{test.prompt.zh} / {test.prompt.en} — 好了按回车 / press Enter when ready ")

    results = usecase.run_device_tests(terminal, wait_seconds=args.wait, before=before,
                                       after=None if args.json else _print_result)
    report = usecase.record_results(terminal, results, enrollment)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        verdict = ("全部通过（或未连接） / every device passed or is absent" if report.ok else
                   "有设备未通过，请按上面的提示处理后运行 onewindow setup --devices-only / a device failed: do what "
                   "it says above, then run onewindow setup --devices-only")
        print(verdict)
    return EXIT_OK if report.ok else EXIT_FAILED
