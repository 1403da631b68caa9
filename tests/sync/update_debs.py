"""Tiny real Debian packages of `onewindow` and a scratch dpkg root to install them into, for the update
tests: each package carries a health check (`/opt/onewindow/bin/health`) that passes or fails, and an
incompressible payload so a download has a middle to be cut in."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path


def build_deb(out_dir: Path, version: str, *, healthy: bool = True, payload_bytes: int = 4096,
              arch: str = "all") -> Path:
    """`dpkg-deb --build` of a package `onewindow` at `version`; its health command exits 0 or 1."""
    tree = out_dir / f"tree-{version}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "opt/onewindow/bin").mkdir(parents=True)
    (tree / "DEBIAN/control").write_text(
        f"Package: onewindow\nVersion: {version}\nArchitecture: {arch}\nMaintainer: OneWindow tests "
        f"<tests@example.org>\nDescription: update test package\n", "utf-8")
    health = tree / "opt/onewindow/bin/health"
    health.write_text(f"#!/bin/sh\necho 'version {version}'\nexit {0 if healthy else 1}\n", "utf-8")
    health.chmod(0o755)
    (tree / "opt/onewindow/VERSION").write_text(version + "\n", "utf-8")
    (tree / "opt/onewindow/payload.bin").write_bytes(os.urandom(payload_bytes))
    deb = out_dir / f"onewindow_{version}_{arch}.deb"
    subprocess.run(["dpkg-deb", "-Zgzip", "-z1", "--root-owner-group", "--build", str(tree), str(deb)],
                   check=True, capture_output=True)
    return deb


class DpkgRoot:
    """A throw-away system root with its own dpkg database: `dpkg --root` installs into it for real."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.admindir = path / "var/lib/dpkg"
        for d in ("info", "updates", "triggers"):
            (self.admindir / d).mkdir(parents=True, exist_ok=True)
        for f in ("status", "available"):
            (self.admindir / f).touch()

    def install_command(self) -> list[str]:
        return ["dpkg", f"--root={self.path}", "--force-downgrade", "-i", "{package}"]

    def version_command(self) -> list[str]:
        return ["dpkg-query", f"--admindir={self.admindir}", "-W", "-f=${Version}", "onewindow"]

    def install(self, deb: Path) -> None:
        subprocess.run([a.replace("{package}", str(deb)) for a in self.install_command()], check=True,
                       capture_output=True)

    def version(self) -> str:
        return subprocess.run(self.version_command(), capture_output=True, text=True, check=True).stdout.strip()

    @property
    def health(self) -> Path:
        return self.path / "opt/onewindow/bin/health"
