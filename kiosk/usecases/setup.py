"""`onewindow setup` and the set-up window: enroll the terminal, then test each device, and keep the results.

Typed on `Terminal`, Qt-free; the CLI and `ui.setup` call these. The enrollment itself is the link's code
(`sync.setup_enroll`, reached through the ``onewindow.enrollment`` entry point, since the domain never imports
`sync`); the printer's and the voice's tests come through ``onewindow.device_tests``.

Bad input changes nothing: the typed values are checked first (`request_problems`), then the platform is
asked with the hall code, and refuses a code of another hall without using it up. Only after the platform
said yes are the credential stored and the hall code and platform address written into the settings file.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import entry_points
from typing import Any, Protocol

from kiosk.errors import Message, UserFacingError, ValidationFailed
from kiosk.settings import Settings, load_settings
from kiosk.setup.device_checks import BUILT_IN, DeviceTest
from kiosk.setup.request import SetupRequest, request_problems
from kiosk.setup.results import FAIL, DeviceResult, SetupReport, load_report, new_report, save_report
from kiosk.setup.settings_file import check_writable, set_values, settings_file
from kiosk.terminal import Terminal

log = logging.getLogger("onewindow.setup")
ENROLLMENT_GROUP = "onewindow.enrollment"
DEVICE_TESTS_GROUP = "onewindow.device_tests"
#: how long the card and page tests wait for the technician's hand when nobody is asked first
DEFAULT_WAIT_SECONDS = 20.0
NO_LINK_CODE = Message("本安装不含平台连接组件，无法注册。", "This installation lacks the platform link; it cannot enroll.")


class Enroll(Protocol):
    def __call__(self, terminal: Terminal, *, platform_url: str, code: str, hall_code: str, ca_file: str | None,
                 insecure: bool) -> dict[str, Any]:
        """Enroll with the platform and store the credential; raises `UserFacingError` (refused, unreachable)."""


def _enroller() -> Enroll:
    for ep in entry_points(group=ENROLLMENT_GROUP):
        return ep.load()  # type: ignore[no-any-return]
    raise UserFacingError(NO_LINK_CODE, code="no_link")


def check_request(request: SetupRequest) -> SetupRequest:
    """The request with its spaces trimmed, or `ValidationFailed` naming every bad field."""
    request = request.normalised()
    problems = request_problems(request)
    if problems:
        raise ValidationFailed(problems)
    return request


def enroll(terminal: Terminal, request: SetupRequest) -> dict[str, Any]:
    """Check, enroll, then write the hall code and platform address into the settings file.

    Returns what the platform assigned (device number, role...). On any refusal nothing is stored.
    """
    request = check_request(request)
    path = settings_file(terminal.settings)
    check_writable(path)
    enrolled = _enroller()(terminal, platform_url=request.platform_url, code=request.code,
                           hall_code=request.hall_code, ca_file=request.ca_file, insecure=request.insecure)
    set_values(path, {"hall_code": request.hall_code, "platform_url": request.platform_url})
    terminal.settings = replace(load_settings(terminal.settings.home if _home_given() else None),
                                home=terminal.settings.home)
    log.info("set-up enrolled this terminal: %s; settings written to %s", enrolled, path)
    return {**enrolled, "settings_file": str(path)}


def _home_given() -> bool:
    return bool(os.environ.get("ONEWINDOW_HOME"))


def device_tests() -> list[DeviceTest]:
    """The built-in tests and those the installed layers add, in the order a technician goes round."""
    tests: list[DeviceTest] = list(BUILT_IN)
    for ep in entry_points(group=DEVICE_TESTS_GROUP):
        try:
            tests.append(ep.load())
        except Exception:  # noqa: BLE001 - a broken layer leaves its device out, and the log says why
            log.exception("device test %s could not be loaded", ep.name)
    return sorted(tests, key=lambda t: t.order)


def run_device_test(terminal: Terminal, test: DeviceTest, *, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> DeviceResult:
    """One test; a defect in it becomes a failed result with the error named, so the list stays complete."""
    try:
        return test.run(terminal.settings, wait_seconds=wait_seconds)
    except Exception as exc:  # noqa: BLE001 - a test's defect must not hide the other devices' results
        log.exception("device test %s failed unexpectedly", test.device)
        return DeviceResult(test.device, FAIL, Message(f"检测出错（{type(exc).__name__}：{exc}）。",
                                                       f"The test itself failed: {type(exc).__name__}: {exc}"),
                            Message("重新检测；仍出错时把日志发给技术支持。",
                                    "Test again; if it fails again, send the log to support."))


def run_device_tests(terminal: Terminal, *, wait_seconds: float = DEFAULT_WAIT_SECONDS,
                     tests: list[DeviceTest] | None = None,
                     before: Callable[[DeviceTest], None] | None = None,
                     after: Callable[[DeviceResult], None] | None = None) -> list[DeviceResult]:
    """Every test in turn; `before` (the CLI's "place a card, press Enter") and `after` see each one."""
    results = []
    for test in tests if tests is not None else device_tests():
        if before is not None:
            before(test)
        result = run_device_test(terminal, test, wait_seconds=wait_seconds)
        results.append(result)
        if after is not None:
            after(result)
    return results


def record_results(terminal: Terminal, results: list[DeviceResult],
                   enrollment: dict[str, Any] | None = None) -> SetupReport:
    """Keep this run's list in the data dir; `onewindow doctor` shows it. A run that only re-tested devices
    keeps the enrollment the last run recorded."""
    if enrollment is None:
        try:
            previous = load_report(terminal.settings.home)
        except ValueError:
            previous = None
        enrollment = previous.enrollment if previous is not None else None
    report = new_report(results, enrollment)
    save_report(terminal.settings.home, report)
    return report


def last_report(terminal: Terminal) -> SetupReport | None:
    return load_report(terminal.settings.home)


def live_results(settings: Settings) -> list[DeviceResult]:
    """Each device's quick look now (`DeviceTest.live`: nothing printed, scanned or waited for), for doctor."""
    results = []
    for test in device_tests():
        try:
            found = test.live(settings)
        except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
            log.exception("live look at %s failed", test.device)
            found = DeviceResult(test.device, FAIL, Message(f"检查出错（{type(exc).__name__}：{exc}）。",
                                                            f"The check failed: {type(exc).__name__}: {exc}"))
        if found is not None:
            results.append(found)
    return results
