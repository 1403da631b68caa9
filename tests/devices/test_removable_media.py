"""Finding USB sticks and the files on them in a fake /proc, /sys and mount tree."""
from __future__ import annotations

import os
from pathlib import Path

from kiosk.devices.removable_media import MediaFile, Medium, importable_files, is_on_medium, list_media

MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0
tmpfs /run tmpfs rw,nosuid,nodev 0 0
/dev/sdb1 /media/kiosk/KINGSTON vfat rw,nosuid,nodev,relatime 0 0
/dev/sdc1 /mnt/usb\\040stick exfat rw,relatime 0 0
/dev/mmcblk0p1 /mnt/card vfat rw,relatime 0 0
/dev/sdd1 /run/media/clerk/PHOTOS ntfs3 rw,relatime 0 0
/dev/sda1 /data ext4 rw,relatime 0 0
overlay /media/kiosk/overlay overlay rw 0 0
"""


def fake_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "proc/mounts").write_text(MOUNTS)
    for mount in ("media/kiosk/KINGSTON", "mnt/usb stick", "mnt/card", "run/media/clerk/PHOTOS", "data",
                  "boot/efi", "media/kiosk/overlay"):
        (root / mount).mkdir(parents=True)
    # sdc: a USB disk that does not call itself removable (many USB hard drives and some sticks)
    usb = root / "sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0"
    usb.mkdir(parents=True)
    (root / "sys/class/block/sdc1").mkdir(parents=True)
    os.symlink(usb, root / "sys/class/block/sdc1/device")
    # mmcblk0: a card reader that says removable
    (root / "sys/block/mmcblk0").mkdir(parents=True)
    (root / "sys/block/mmcblk0/removable").write_text("1\n")
    # sda: the kiosk's own second disk, on SATA, not removable
    (root / "sys/block/sda").mkdir(parents=True)
    (root / "sys/block/sda/removable").write_text("0\n")
    sata = root / "sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0"
    sata.mkdir(parents=True)
    (root / "sys/class/block/sda1").mkdir(parents=True)
    os.symlink(sata, root / "sys/class/block/sda1/device")
    return root


def test_only_removable_media_are_listed(tmp_path):
    root = fake_root(tmp_path)
    media = list_media(root)
    assert [(m.name, m.device) for m in media] == [
        ("card", "/dev/mmcblk0p1"), ("KINGSTON", "/dev/sdb1"), ("PHOTOS", "/dev/sdd1"), ("usb stick", "/dev/sdc1")]
    assert media[3].path == root / "mnt/usb stick"
    assert all(m.path.is_dir() for m in media)


def test_no_stick_no_media_and_unreadable_mounts_are_no_error(tmp_path):
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "proc/mounts").write_text("/dev/nvme0n1p2 / ext4 rw 0 0\nproc /proc proc rw 0 0\n")
    assert list_media(root) == []
    assert list_media(tmp_path / "nowhere") == []
    (root / "proc/mounts").write_text("garbage\n\n/dev/sdb1\n")
    assert list_media(root) == []


def test_a_stick_listed_in_mounts_but_not_mounted_here_is_skipped(tmp_path):
    root = fake_root(tmp_path)
    (root / "media/kiosk/KINGSTON").rmdir()
    assert "KINGSTON" not in [m.name for m in list_media(root)]


def _write(path: Path, data: bytes = b"x" * 100) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_importable_files_images_and_pdfs_only_hidden_and_system_folders_skipped(tmp_path):
    stick = tmp_path / "stick"
    _write(stick / "户口本.jpg")
    _write(stick / "scan.PDF")
    _write(stick / "照片/身份证 正面.png")
    _write(stick / "notes.txt")
    _write(stick / "virus.exe")
    _write(stick / ".hidden.jpg")
    _write(stick / "._户口本.jpg")  # macOS resource fork
    _write(stick / ".Trashes/old.jpg")
    _write(stick / "System Volume Information/tracking.jpg")
    _write(stick / "empty.jpg", b"")
    _write(stick / "huge.tif", b"x" * 5000)
    medium = Medium("STICK", stick, "/dev/sdb1")
    files = importable_files(medium, max_bytes=1000)
    assert [(f.relative, f.kind) for f in files] == [
        ("scan.PDF", "pdf"), ("户口本.jpg", "image"), ("照片/身份证 正面.png", "image")]
    assert all(isinstance(f, MediaFile) and f.size == 100 and f.medium is medium for f in files)


def test_links_never_lead_off_the_stick(tmp_path):
    outside = tmp_path / "kiosk-secrets"
    _write(outside / "secret.jpg")
    stick = tmp_path / "stick"
    _write(stick / "ok.jpg")
    os.symlink(outside / "secret.jpg", stick / "link.jpg")
    os.symlink(outside, stick / "folder-link")
    medium = Medium("STICK", stick, "/dev/sdb1")
    files = importable_files(medium, max_bytes=1000)
    assert [f.relative for f in files] == ["ok.jpg"]
    assert is_on_medium(medium, stick / "ok.jpg")
    assert not is_on_medium(medium, stick / "link.jpg")
    assert not is_on_medium(medium, stick / "folder-link" / "secret.jpg")
    assert not is_on_medium(medium, outside / "secret.jpg")
    assert not is_on_medium(medium, stick / ".." / "kiosk-secrets" / "secret.jpg")
    assert not is_on_medium(medium, stick)
    assert not is_on_medium(medium, stick / "gone.jpg")


def test_depth_and_count_are_bounded(tmp_path):
    stick = tmp_path / "stick"
    deep = stick
    for n in range(10):
        deep = deep / f"d{n}"
        _write(deep / f"p{n}.jpg")
    for n in range(30):
        _write(stick / f"many/{n:02d}.jpg")
    medium = Medium("STICK", stick, "/dev/sdb1")
    names = [f.relative for f in importable_files(medium, max_bytes=1000, max_depth=3)]
    assert "d0/d1/d2/p2.jpg" in names and not any("p3.jpg" in n for n in names)
    assert len(importable_files(medium, max_bytes=1000, limit=7)) == 7
