"""The Debian package on this machine, as a hall's technician gets it: built, installed, started, upgraded, removed.

Two versions are built once per session (`packaging/build_deb.sh`, zstd -1; the dependencies' venv is
cached between builds). The first is installed with apt (which waits for the dpkg lock and resolves the
system dependencies), its units pass `systemd-analyze verify`, and the kiosk is started the way its unit
starts it: the unit's own ExecStart, User, Environment and WorkingDirectory, under Xvfb instead of a VT
(cage nests in X with WLR_BACKENDS=x11 and the pixman renderer), with a datagram socket standing in for
systemd's $NOTIFY_SOCKET and a WATCHDOG_PID naming cage, as systemd would. The kiosk must say READY=1,
feed the watchdog, show its welcome screen, and stop cleanly on SIGTERM to every process (systemd's
KillMode). `onewindow doctor --json` runs as the service user; then the second build is installed over
the first and the package is removed, and the data directory, the keys and the edited settings stay.

Needs root (it installs a package, as CI does on its throw-away machine).
"""
from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageGrab

from tests.conftest import ROOT
from tests.ui.test_xcb_app import BACKGROUND, TOP_BAR, close_to, xvfb

PACKAGING = ROOT / "packaging"
UNIT_DIR = Path("/lib/systemd/system")
DATA = Path("/var/lib/onewindow")
APT = ["apt-get", "-y", "-q", "--no-install-recommends", "--allow-downgrades", "-o", "DPkg::Lock::Timeout=600"]
SERVICE_USER = "onewindow"
CAGE_OUTPUT = (1024, 768)  # the size of the X window a nested wlroots output opens with


def _base_version() -> str:
    match = re.search(r'(?m)^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert match, "pyproject.toml has no version"
    return match.group(1)


def _build(version: str, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([str(PACKAGING / "build_deb.sh"), sys.executable, "--version", version,
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _built(build: subprocess.Popen[str]) -> Path:
    out, err = build.communicate(timeout=900)
    assert build.returncode == 0, f"the package build failed:\n{err[-4000:]}"
    deb = Path(out.strip().splitlines()[-1])
    assert deb.is_file(), out
    return deb


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Version 1 built and waited for; version 2 building in the background while version 1 is tried."""
    assert os.geteuid() == 0, "the package test installs a package: run it as root (CI does)"
    out = tmp_path_factory.mktemp("dist")
    base = _base_version()
    first, second = f"{base}.post9001", f"{base}.post9002"
    v1 = _built(_build(first, out))
    v2_build = _build(second, out)
    found: dict[str, Path] = {"v1": v1}

    def v2() -> Path:
        if "v2" not in found:
            found["v2"] = _built(v2_build)
        return found["v2"]

    yield {"v1": v1, "versions": (first, second), "v2": v2}  # type: ignore[dict-item]  # v2(): waits for it
    if v2_build.poll() is None:
        v2_build.kill()
        v2_build.communicate()


def run(cmd: list[str], timeout: float = 600, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{shlex.join(cmd)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def deb_field(deb: Path, name: str) -> str:
    return run(["dpkg-deb", "-f", str(deb), name]).stdout.strip()


def test_the_package_holds_its_venv_every_unit_and_its_system_dependencies(packages: dict[str, Path]) -> None:
    deb = packages["v1"]
    assert re.fullmatch(r"onewindow_[0-9.]+post9001_[a-z0-9]+\.deb", deb.name)
    assert deb_field(deb, "Architecture") == run(["dpkg", "--print-architecture"]).stdout.strip()
    depends = {d.strip().split(" ")[0] for d in deb_field(deb, "Depends").split(",")}
    assert {"python3.11", "python3", "cage", "xwayland", "fonts-wqy-zenhei", "libxcb-cursor0", "libegl1",
            "libwayland-client0", "adduser"} <= depends
    listing = run(["dpkg-deb", "-c", str(deb)]).stdout
    names = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    for unit in sorted((PACKAGING / "systemd").iterdir()):
        assert f"/lib/systemd/system/{unit.name}" in names, unit.name
    for path in ("/opt/onewindow/venv/bin/onewindow", "/opt/onewindow/bin/onewindow", "/usr/bin/onewindow",
                 "/opt/onewindow/venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Core.so.6",
                 "/opt/onewindow/venv/lib/python3.11/site-packages/assets/fonts",
                 "/usr/share/applications/onewindow-counter.desktop", "/etc/onewindow/kiosk.toml"):
        assert any(n.rstrip("/") == path for n in names), path
    assert not [n for n in names if "libQt6WebEngine" in n or n.endswith("QtWebEngineCore.abi3.so")]
    assert "/etc/onewindow/kiosk.toml" in run(["dpkg-deb", "-I", str(deb), "conffiles"]).stdout


def _unit(path: Path) -> dict[str, list[str]]:
    """The [Service] keys of a unit file, each with every value it is given (Environment= comes many times)."""
    values: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _service_user() -> tuple[int, int, list[int], str]:
    entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid, os.getgrouplist(SERVICE_USER, entry.pw_gid), entry.pw_dir


def _as_service_user(cmd: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    uid, gid, groups, _home = _service_user()
    return subprocess.run(cmd, user=uid, group=gid, extra_groups=groups, env=env, capture_output=True, text=True,
                          timeout=timeout, cwd="/")


def _service_env(home: str) -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "USER": SERVICE_USER, "LOGNAME": SERVICE_USER,
            "LANG": "C.UTF-8"}


def _messages(sock: socket.socket, want: str, count: int, timeout: float,
              sender: subprocess.Popen[bytes] | None = None) -> list[str]:
    """Notifications until `count` of them contain `want`; fails at the deadline or when the sender has ended."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while sum(want in m for m in seen) < count:
        left = deadline - time.monotonic()
        assert left > 0, f"waited {timeout:.0f} s for {count} × {want!r}; got {seen}"
        if sender is not None and sender.poll() is not None:
            out = sender.stdout.read().decode(errors="replace") if sender.stdout else ""
            raise AssertionError(f"the kiosk ended (exit {sender.returncode}) before {want!r}; got {seen}:\n{out[-3000:]}")
        sock.settimeout(min(left, 1.0))
        try:
            seen.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
    return seen


def _welcome_shown(display: str, out: Path) -> Image.Image:
    """The X screen once the kiosk's top bar and page colours are on it (the first frames may still be black)."""
    deadline = time.monotonic() + 60
    while True:
        shot = ImageGrab.grab(xdisplay=display)
        if close_to(shot.getpixel((10, 10)), TOP_BAR) and close_to(shot.getpixel((20, 700)), BACKGROUND):
            shot.save(out)
            return shot
        assert time.monotonic() < deadline, f"the kiosk's screen never appeared; last screen: {shot.getpixel((10, 10))}"
        time.sleep(0.5)  # polling the X server for a frame: there is no event to wait on from outside


def _read_title(shot: Image.Image, tmp: Path) -> str:
    crop = shot.convert("L").crop((0, 0, CAGE_OUTPUT[0], 260))
    crop.save(tmp / "title.png")
    done = run(["tesseract", str(tmp / "title.png"), "-", "-l", "chi_sim", "--psm", "3"], timeout=120)
    return "".join(done.stdout.split())


def _start_kiosk_like_its_unit(display: str, runtime: Path, notify: str) -> subprocess.Popen[bytes]:
    unit = _unit(UNIT_DIR / "onewindow-kiosk.service")
    assert unit["Type"] == ["notify"] and unit["NotifyAccess"] == ["all"] and unit["Restart"] == ["always"]
    assert unit["User"] == [SERVICE_USER]
    _uid, _gid, _groups, home = _service_user()
    env = _service_env(home)
    for assignment in unit.get("Environment", []):
        for item in shlex.split(assignment):
            key, value = item.split("=", 1)
            env[key] = value
    env.update({
        # what a VT and systemd give it, here: the nested X display instead of a seat, our socket for systemd's
        "DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime), "WLR_BACKENDS": "x11", "WLR_RENDERER": "pixman",
        "NOTIFY_SOCKET": notify, "WATCHDOG_USEC": "4000000",
    })
    exec_start = unit["ExecStart"][0]
    assert exec_start.startswith("/usr/bin/cage ") and "/opt/onewindow/bin/onewindow" in exec_start
    uid, gid, groups, _home = _service_user()
    # systemd sets WATCHDOG_PID to the main process, cage: the shell's pid is cage's after exec
    return subprocess.Popen(["/bin/sh", "-c", f'WATCHDOG_PID=$$; export WATCHDOG_PID; exec {exec_start}'],
                            user=uid, group=gid, extra_groups=groups, env=env, cwd=unit["WorkingDirectory"][0],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _stop_like_systemd(kiosk: subprocess.Popen[bytes]) -> str:
    """SIGTERM to every process of the service (KillMode=control-group), then what it printed."""
    try:
        os.killpg(kiosk.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        out, _ = kiosk.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(kiosk.pid, signal.SIGKILL)
        out, _ = kiosk.communicate(timeout=30)
        raise AssertionError(f"the kiosk did not stop within 60 s of SIGTERM:\n{out.decode(errors='replace')[-3000:]}")
    return out.decode(errors="replace")


def _installed_version() -> str:
    return run(["dpkg-query", "-W", "-f", "${Version}", "onewindow"]).stdout


def _app_version() -> str:
    # from / : `python -c` puts the working directory first on sys.path, and this checkout's egg-info is there
    return run(["/opt/onewindow/venv/bin/python", "-c",
                "import importlib.metadata as m; print(m.version('onewindow'))"], cwd="/").stdout.strip()


def _doctor(home: str) -> dict[str, dict[str, object]]:
    done = _as_service_user(["/opt/onewindow/bin/onewindow", "--home", str(DATA / "kiosk"), "doctor", "--json"],
                            _service_env(home))
    report = json.loads(done.stdout)
    return {check["name"]: check for check in report["checks"]}


def test_install_start_the_kiosk_doctor_upgrade_remove_and_the_data_stays(
        packages: dict[str, object], tmp_path: Path) -> None:
    first, second = packages["versions"]  # type: ignore[misc]
    try:
        run(APT + ["install", str(packages["v1"])])
        assert _installed_version() == first and _app_version() == first

        # --- what the maintainer scripts made ---------------------------------------------------------------
        uid, gid, _groups, home = _service_user()
        assert home == str(DATA)
        for role in ("kiosk", "counter", "hub", "platform"):
            st = (DATA / role).stat()
            assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (uid, gid, 0o700), role
        assert os.readlink(DATA / "kiosk" / "onewindow.toml") == "/etc/onewindow/kiosk.toml"
        assert "video" in {grp.getgrgid(g).gr_name for g in _service_user()[2]}

        # --- the units, as systemd reads them; a broken copy shows the check bites ----------------------------
        units = sorted(str(UNIT_DIR / p.name) for p in (PACKAGING / "systemd").iterdir())
        verified = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0 and "onewindow" not in verified.stdout + verified.stderr, verified.stderr
        kiosk_unit = (UNIT_DIR / "onewindow-kiosk.service").read_text(encoding="utf-8")
        for wrong, says in (("/usr/bin/cage", "/usr/bin/no-such-cage"), ("Type=notify", "Type=notifyy")):
            broken = tmp_path / wrong.strip("/").replace("/", "-") / "onewindow-kiosk.service"
            broken.parent.mkdir()
            broken.write_text(kiosk_unit.replace(wrong, says), encoding="utf-8")
            refused = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True, text=True,
                                     timeout=120)
            assert says.split("=")[-1] in refused.stderr, (says, refused.stderr)

        # the technician's edit of the settings, which the upgrade must keep
        # (a run before this one may have left it edited: `remove` keeps conffiles)
        settings = Path("/etc/onewindow/kiosk.toml")
        lines = [line for line in settings.read_text(encoding="utf-8").splitlines() if not line.startswith("device_no")]
        settings.write_text("\n".join(lines + ["device_no = 7"]) + "\n", encoding="utf-8")

        # --- the kiosk, started as its unit starts it ---------------------------------------------------------
        runtime = Path(tempfile.mkdtemp(prefix="onewindow-runtime-", dir="/tmp"))
        try:
            os.chown(runtime, uid, gid)
            os.chmod(runtime, 0o700)
            notify_path = str(runtime / "notify")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            listener.bind(notify_path)
            os.chown(notify_path, uid, gid)
            with listener, xvfb(1280, 1024) as display:
                kiosk = _start_kiosk_like_its_unit(display, runtime, notify_path)
                try:
                    seen = _messages(listener, "READY=1", 1, timeout=150, sender=kiosk)
                    assert "STATUS=onewindow kiosk" in seen[0]
                    _messages(listener, "WATCHDOG=1", 2, timeout=20, sender=kiosk)  # every 2 s: half of WATCHDOG_USEC
                    shot = _welcome_shown(display, tmp_path / "kiosk-under-cage.png")
                    assert shot.size == (1280, 1024)
                    assert shot.getpixel((CAGE_OUTPUT[0] + 50, CAGE_OUTPUT[1] + 50))[:3] == (0, 0, 0)  # cage's output ends
                    title = _read_title(shot, tmp_path)
                    assert "欢迎" in title and "政务服务中心" in title, title
                finally:
                    output = _stop_like_systemd(kiosk)
                assert "STOPPING=1" in "".join(_messages(listener, "STOPPING=1", 1, timeout=30)), output
        finally:
            shutil.rmtree(runtime, ignore_errors=True)

        # --- doctor, as the service user ------------------------------------------------------------------------
        checks = _doctor(home)
        for name in ("python", "configuration", "data_dir", "store", "data_key", "file_modes", "catalog",
                     "cjk_font", "qt", "device_number"):
            assert checks[name]["status"] == "ok", checks[name]
        assert checks["last_run"]["status"] == "ok" and "cleanly" in str(checks["last_run"]["detail"]), \
            checks["last_run"]
        assert "/var/lib/onewindow/.config/onewindow/keys/" in str(checks["data_key"]["detail"])
        store_before = checks["store"]["data"]

        marker = DATA / "kiosk" / "kept-by-the-upgrade.txt"
        marker.write_text(first, encoding="utf-8")
        kept = {p: p.read_bytes() for p in [marker, *(DATA / ".config" / "onewindow" / "keys").iterdir()]}

        # --- upgrade -----------------------------------------------------------------------------------------------
        run(APT + ["install", str(packages["v2"]())])  # type: ignore[operator]
        assert _installed_version() == second and _app_version() == second
        assert "device_no = 7" in settings.read_text(encoding="utf-8")
        assert {p: p.read_bytes() for p in kept} == kept
        after = _doctor(home)
        assert after["store"]["status"] == "ok" and after["data_key"]["status"] == "ok"
        assert after["store"]["data"] == store_before

        # --- remove ------------------------------------------------------------------------------------------------
        run(APT + ["remove", "onewindow"])
        assert subprocess.run(["dpkg-query", "-W", "-f", "${Status}", "onewindow"], capture_output=True,
                              text=True).stdout.strip() in ("", "deinstall ok config-files")
        assert not Path("/opt/onewindow").exists() and not (UNIT_DIR / "onewindow-kiosk.service").exists()
        assert {p: p.read_bytes() for p in kept} == kept
        assert (DATA / "kiosk" / "onewindow.sqlite3").is_file()
        assert "device_no = 7" in settings.read_text(encoding="utf-8")  # a removed package's conffiles stay
        assert pwd.getpwnam(SERVICE_USER).pw_dir == str(DATA)
    finally:
        if Path("/opt/onewindow").exists():
            subprocess.run(APT + ["remove", "onewindow"], capture_output=True, timeout=600)
