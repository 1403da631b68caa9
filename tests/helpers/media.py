"""A fake machine with a USB stick mounted, for the kiosk's stick picker (`UsbPicker.media_root`)."""
from __future__ import annotations

from pathlib import Path


def fake_stick(tmp_path: Path, name: str = "KINGSTON", mounted: bool = True) -> tuple[Path, Path]:
    """(root, stick folder): root holds proc/mounts; the stick is mounted (udisks-style) when `mounted`."""
    root = tmp_path / "machine"
    (root / "proc").mkdir(parents=True, exist_ok=True)
    stick = root / "media" / "kiosk" / name
    stick.mkdir(parents=True, exist_ok=True)
    mount_stick(root, name, mounted)
    return root, stick


def mount_stick(root: Path, name: str = "KINGSTON", mounted: bool = True) -> None:
    lines = ["/dev/nvme0n1p2 / ext4 rw,relatime 0 0", "proc /proc proc rw 0 0"]
    if mounted:
        lines.append(f"/dev/sdb1 /media/kiosk/{name} vfat rw,nosuid,nodev,relatime 0 0")
    (root / "proc" / "mounts").write_text("\n".join(lines) + "\n")
