"""`onewindow doctor`: what IT staff check first when a terminal misbehaves.

Each check returns a status (ok, warn, fail) and a detail. Packages above
`kiosk` add their own checks through the ``onewindow.doctor_checks`` entry
point group (the Qt check lives in `ui`, since only `ui` may load Qt).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import func, select, text

from kiosk.assets import asset
from kiosk.settings import Settings, config_path
from kiosk.workdays import default_calendar

if TYPE_CHECKING:  # the terminal opens the store; doctor must work when that fails
    from kiosk.terminal import Terminal


@dataclass
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


def cjk_fonts() -> list[str]:
    """Font files that cover Chinese: bundled ones first, then fontconfig's."""
    found = [str(p) for p in sorted(asset("fonts").glob("*.tt[fc]"))] if asset("fonts").is_dir() else []
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
        found += sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    return found


def check_fonts() -> Check:
    fonts = cjk_fonts()
    truetype = [f for f in fonts if f.lower().endswith((".ttf", ".ttc"))]
    if not fonts:
        return Check("cjk_font", "fail", "no font covering Chinese; run ./dev.sh setup (installs fonts-wqy-zenhei)")
    status = "ok" if truetype else "warn"
    detail = f"{len(fonts)} CJK font files, {len(truetype)} TrueType (PDFs need TrueType)"
    return Check("cjk_font", status, detail, {"fonts": fonts[:10]})


def check_home(settings: Settings) -> Check:
    home = settings.home
    if not home.is_dir():
        return Check("data_dir", "fail", f"{home} does not exist")
    writable = os.access(home, os.W_OK)
    free = shutil.disk_usage(home).free
    status = "ok" if writable and free > 1024**3 else ("warn" if writable else "fail")
    detail = f"{home} ({'writable' if writable else 'NOT writable'}, {free / 1024**3:.1f} GiB free)"
    return Check("data_dir", status, detail, {"path": str(home), "free_bytes": free})


def check_config(settings: Settings) -> Check:
    path = config_path(settings.home if os.environ.get("ONEWINDOW_HOME") else None)
    values = {k: str(v) for k, v in asdict(settings).items()}
    detail = f"{path} ({'present' if path.is_file() else 'absent: defaults in use'}); hall {settings.hall_code}, " \
             f"device_no setting {settings.device_no or 'not set'}"
    return Check("configuration", "ok", detail, {"file": str(path), "settings": values})


def check_store(terminal: Terminal) -> Check:
    from kiosk import outbox
    from kiosk.store.models import Application, Attachment

    try:
        with terminal.store.transaction() as s:
            quick = s.execute(text("PRAGMA quick_check")).scalar()
            mode = s.execute(text("PRAGMA journal_mode")).scalar()
            apps = s.scalar(select(func.count()).select_from(Application))
            atts = s.scalar(select(func.count()).select_from(Attachment))
            pending = outbox.owed_count(s)
            refused = len(outbox.refused(s))
            revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # doctor reports, it does not crash
        return Check("store", "fail", f"{type(exc).__name__}: {exc}")
    status = "ok" if quick == "ok" and mode == "wal" else "fail"
    return Check("store", status, f"{terminal.settings.db_path}: integrity {quick}, journal {mode}, schema {revision}; "
                                  f"{apps} applications, {atts} attachments, {pending} outbox items pending, "
                                  f"{refused} refused by the platform",
                 {"applications": apps, "attachments": atts, "outbox_pending": pending, "outbox_refused": refused,
                  "schema": revision})


def check_device_number(terminal: Terminal) -> Check:
    """The number in this terminal's receipt numbers, and where it comes from (see kiosk.device_identity)."""
    from kiosk.device_identity import device_number

    settings = terminal.settings
    try:
        with terminal.store.transaction() as s:
            number = device_number(s, settings)
    except Exception as exc:  # doctor reports, it does not crash
        return Check("device_number", "fail", f"{type(exc).__name__}: {exc}")
    data = {"device_no": number.device_no, "source": number.source, "settings_device_no": number.settings_no,
            "assigned_device_no": number.assignment.device_no if number.assignment else None,
            "assigned_hall": number.assignment.hall_code if number.assignment else None}
    if number.problem is not None:
        return Check("device_number", "fail", number.problem.message.en, data)
    if number.source == "platform":
        detail = f"{number.device_no}, assigned by the platform at enrollment (hall {settings.hall_code})"
        if number.settings_no is not None and number.settings_no != number.device_no:
            return Check("device_number", "warn", detail + f"; the device_no setting {number.settings_no} is ignored "
                                                           "(remove it from the settings)", data)
        return Check("device_number", "ok", detail, data)
    return Check("device_number", "ok", f"{number.device_no}, from the device_no setting (a hall without a platform: "
                                        "each terminal of the hall needs its own number)", data)


def check_stuck_devices(terminal: Terminal) -> Check:
    """A scanner or camera whose driver call never returned, in a program still running (`kiosk.device_states`):
    only ending that program frees the device, and until then every citizen who tries it is turned away."""
    from kiosk.device_states import stuck_devices

    try:
        with terminal.store.read() as s:
            stuck = stuck_devices(s)
    except Exception as exc:  # doctor reports, it does not crash
        return Check("stuck_devices", "fail", f"{type(exc).__name__}: {exc}")
    if not stuck:
        return Check("stuck_devices", "ok", "no scanner or camera call is stuck")
    said = "; ".join(f"the {device} {note.get('name', '')} has not returned from a scan since {note.get('since', '?')} "
                     f"(pid {note.get('pid', '?')})" for device, note in sorted(stuck.items()))
    return Check("stuck_devices", "fail", f"{said}: restart the kiosk program to free it (`systemctl restart "
                                          "onewindow-kiosk`, or close the window and start it again)", {"stuck": stuck})


def check_leftover_files(terminal: Terminal) -> Check:
    """Attachment files no row names (interrupted submissions or drafts); `onewindow purge` removes them."""
    from kiosk.retention import LEFTOVER_MIN_AGE_SECONDS, find_leftovers

    scan = find_leftovers(terminal.store, terminal.attachments)
    hours = LEFTOVER_MIN_AGE_SECONDS / 3600
    young = f"; {scan.young} written within {hours:g} h, kept (maybe a submission in progress)" if scan.young else ""
    data = {"files": [asdict(f) for f in scan.stale], "bytes": scan.bytes, "young": scan.young}
    if scan.stale:
        return Check("leftover_files", "warn", f"{len(scan.stale)} file(s) ({scan.bytes} bytes) under "
                                               f"{terminal.settings.attachments_dir} that no application names, left by "
                                               f"interrupted submissions; `onewindow purge` removes them{young}", data)
    return Check("leftover_files", "ok", f"none{young}", data)


def check_key(settings: Settings) -> Check:
    """How the keys that open personal data and attachments are protected (kiosk.data_key): sealed by the
    TPM or the host key, a file outside the data dir, or (a warning) inside it, where a copy decrypts all."""
    from kiosk.data_key import describe_protection
    from kiosk.store.db import key_dir_of

    found = describe_protection(settings.home, key_dir_of(settings))
    return Check("data_key", found.status, found.message.both(),
                 {"protection": found.protection, "path": str(found.path) if found.path else None,
                  "key_dir": str(key_dir_of(settings)), "zh": found.message.zh, "en": found.message.en})


def check_file_modes(settings: Settings) -> Check:
    """The data dir 0700, and the database with its WAL and SHM 0600: no other user reads them."""
    from kiosk.store.db import DB_SUFFIXES

    loose = []
    home = settings.home
    if home.is_dir() and home.stat().st_mode & 0o077:
        loose.append(f"{home} {home.stat().st_mode & 0o777:o}")
    for suffix in DB_SUFFIXES:
        path = settings.db_path.with_name(settings.db_path.name + suffix)
        if path.exists() and path.stat().st_mode & 0o077:
            loose.append(f"{path} {path.stat().st_mode & 0o777:o}")
    if loose:
        return Check("file_modes", "warn", "其他用户可读 / readable by other users: " + ", ".join(loose),
                     {"loose": loose})
    return Check("file_modes", "ok", "数据目录 0700，数据库文件 0600 / data dir 0700, database files 0600")


def check_calendar() -> Check:
    cal = default_calendar()
    this_year = date.today().year
    needed = [this_year, this_year + 1]
    missing = [y for y in needed if y not in cal.years]
    provisional = [y for y in needed if cal.years.get(y) == "provisional"]
    status = "fail" if this_year in missing else ("warn" if missing or provisional else "ok")
    detail = f"years {sorted(cal.years)}" + (f"; missing {missing}" if missing else "") + \
             (f"; provisional {provisional} (update when the State Council publishes)" if provisional else "")
    return Check("holiday_calendar", status, detail)


def check_catalog(terminal: Terminal) -> Check:
    try:
        catalog = terminal.catalog
    except Exception as exc:
        return Check("catalog", "fail", str(exc))
    return Check("catalog", "ok", f"version {catalog.version}, {len(catalog.items)} service items, "
                                  f"{len(catalog.departments())} departments")


def check_last_run(settings: Settings) -> Check:
    """Whether the last window on this data dir ended in order; a crash means a draft may wait for staff."""
    from kiosk.crash_log import crash_log_path
    from kiosk.instance_lock import inspect

    state = inspect(settings.home)
    crash = crash_log_path(settings.home)
    crash_size = crash.stat().st_size if crash.is_file() else 0
    data: dict[str, Any] = {"running_pid": state.running_pid, "record": state.record, "crash_log_bytes": crash_size}
    running = f"a window is running (pid {state.running_pid}); " if state.running_pid else ""
    unclean = state.last_unclean
    if unclean is not None:
        return Check("last_run", "warn",
                     f"{running}the run of onewindow {unclean.get('command', '?')} (pid {unclean.get('pid', '?')}, "
                     f"started {unclean.get('started_at', '?')}) ended uncleanly: killed, crashed or lost power. "
                     f"See {crash} ({crash_size} bytes); an application it was taking waits as a draft at the counter.",
                     data)
    record = state.record
    if record is None:
        return Check("last_run", "ok", "no window has run on this data dir yet", data)
    problems = record.get("shutdown_problems") or []
    if state.running_pid:
        return Check("last_run", "ok", f"{running}started {record.get('started_at', '?')}", data)
    detail = (f"onewindow {record.get('command', '?')} (pid {record.get('pid', '?')}) shut down cleanly at "
              f"{record.get('stopped_at', '?')}")
    if problems:
        return Check("last_run", "warn", detail + "; but: " + "; ".join(problems), data)
    return Check("last_run", "ok", detail, data)


def check_setup(settings: Settings) -> Check:
    """The last `onewindow setup`'s pass/fail list, kept in the data dir, and a quick live look at each device
    (its status now: nothing is printed or scanned). A device failing now fails; a set-up never run, or whose
    last run had failures, is a warning (run `onewindow setup --devices-only` again after fixing)."""
    from kiosk.setup.results import FAIL, OUTCOME_LABELS, load_report
    from kiosk.usecases.setup import live_results

    damaged = ""
    try:
        report = load_report(settings.home)
    except ValueError as exc:
        report, damaged = None, str(exc)
    live = live_results(settings)
    data: dict[str, Any] = {"last_setup": report.as_dict() if report else None,
                            "results": [r.as_dict() for r in report.results] if report else [],
                            "live": [r.as_dict() for r in live]}

    def listed(results: Any) -> str:
        return ", ".join(f"{r.device} {OUTCOME_LABELS[r.outcome].en}" for r in results) or "none"

    now = f"now: {listed(live)}"
    live_failed = [r for r in live if r.outcome == FAIL]
    failing_now = "; ".join(f"{r.label.en}: {r.reason.en} {r.action.en}" for r in live_failed)
    if report is None:
        why = damaged or "onewindow setup has not been run on this data dir"
        status = "fail" if live_failed else "warn"
        return Check("setup", status, f"{why}; {now}" + (f"; {failing_now}" if failing_now else ""), data)
    enrolled = report.enrollment or {}
    head = f"last set-up {report.at}" + (f" (hall {enrolled.get('hall_code')}, device no {enrolled.get('device_no')})"
                                         if enrolled else "")
    detail = f"{head}: {listed(report.results)}; {now}" + (f"; {failing_now}" if failing_now else "")
    status = "fail" if live_failed else ("warn" if not report.ok else "ok")
    return Check("setup", status, detail, data)


def check_python() -> Check:
    return Check("python", "ok", sys.version.split()[0], {"executable": sys.executable})


def verify_attachments(terminal: Terminal) -> Check:
    from kiosk.store.models import Attachment

    with terminal.store.transaction() as s:
        rows = list(s.scalars(select(Attachment).where(Attachment.purged_at.is_(None))))
    bad = []
    for row in rows:
        why = terminal.attachments.verify(row.sha256)
        if why:
            bad.append({"sha256": row.sha256, "problem": why})
    status = "ok" if not bad else "fail"
    return Check("attachments", status, f"{len(rows)} attachments re-hashed, {len(bad)} damaged", {"damaged": bad})


def run_checks(terminal: Terminal, *, verify: bool = False, only: frozenset[str] | None = None) -> list[Check]:
    """Every check, or with `only` the named ones: the window and device checks (entry points, which start Qt
    or the speech engine and take seconds) run only when named, so a quick look at one thing stays quick."""
    settings = terminal.settings
    checks = [check_python(), check_config(settings), check_home(settings), check_store(terminal),
              check_device_number(terminal), check_stuck_devices(terminal), check_leftover_files(terminal),
              check_key(settings),
              check_file_modes(settings),
              check_catalog(terminal), check_calendar(), check_fonts(), check_last_run(settings)]
    if only is not None:
        checks = [c for c in checks if c.name in only]
    if only is None or "setup" in only:  # asks the devices (a printer's status can take seconds): only when wanted
        checks.append(check_setup(settings))
    for ep in entry_points(group="onewindow.doctor_checks"):
        if only is not None and ep.name not in only:
            continue
        fn: Callable[[Any], Check] = ep.load()
        try:
            checks.append(fn(terminal))
        except Exception as exc:
            checks.append(Check(ep.name, "fail", f"{type(exc).__name__}: {exc}"))
    if verify:
        checks.append(verify_attachments(terminal))
    return checks


