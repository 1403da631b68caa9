"""USB sticks and memory cards plugged into the kiosk, and the files on them a citizen may import.

The kiosk's picker shows only these, never the file system: a citizen must
not wander into the kiosk's own folders, and an elderly one should see the
photos on their stick and nothing else. A medium counts as removable when
the kernel says so (`/sys/block/<disk>/removable`, or a USB device behind
`/sys/class/block/<dev>`) or when the desktop's automounter (udisks) put it
under `/media/<user>/` or `/run/media/<user>/`.

Listing never follows a symbolic link and never leaves the mount point (a
stick could carry a link to `/etc`); hidden files and the system folders
Windows and macOS write are skipped; files too large to import are left
out rather than offered and refused. Everything reads under `root`, so tests
build a fake `/proc/mounts`, `/sys` and mount tree in a temporary folder.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kiosk.devices.file_import import IMPORTABLE_SUFFIXES

#: file systems a stick or card carries; everything else in /proc/mounts (proc, tmpfs, overlay...) is not media
MEDIA_FILESYSTEMS = frozenset({"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "ext2", "ext3", "ext4",
                               "iso9660", "udf", "hfsplus", "btrfs", "xfs", "f2fs"})
#: where udisks mounts media for the desktop user
AUTOMOUNT_PARENTS = (PurePosixPath("/media"), PurePosixPath("/run/media"))
#: the kiosk's own places: never offered, whatever the kernel says about their disk
SYSTEM_MOUNTS = frozenset({"/", "/boot", "/boot/efi", "/home", "/usr", "/var", "/tmp", "/opt", "/srv"})
SKIPPED_FOLDERS = frozenset({"system volume information", "$recycle.bin", "recycler", "lost+found", "found.000",
                             "__macosx"})
MAX_DEPTH = 6
MAX_FILES = 300
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"})


@dataclass(frozen=True)
class Medium:
    """One mounted stick or card; `path` is where it is mounted (under `root` in tests)."""

    name: str      # what the citizen sees: the volume's folder name, e.g. "KINGSTON"
    path: Path
    device: str    # e.g. /dev/sdb1


@dataclass(frozen=True)
class MediaFile:
    medium: Medium
    path: Path
    relative: str  # shown under the thumbnail: "照片/户口本.jpg"
    size: int
    kind: str      # "image" | "pdf"


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in paths as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _inside(root: Path, absolute: str) -> Path:
    return root / absolute.lstrip("/")


def _disk_of(device: str) -> str:
    """sdb1 -> sdb, mmcblk0p1 -> mmcblk0, sdc -> sdc."""
    name = device.rsplit("/", 1)[-1]
    match = re.fullmatch(r"(mmcblk\d+)p\d+", name) or re.fullmatch(r"(sd[a-z]+)\d*", name)
    return match.group(1) if match else name


def _kernel_says_removable(root: Path, device: str) -> bool:
    if not device.startswith("/dev/"):
        return False
    name = device.rsplit("/", 1)[-1]
    disk = _disk_of(device)
    try:
        if (root / "sys/block" / disk / "removable").read_text().strip() == "1":
            return True
    except OSError:
        pass
    for candidate in (root / "sys/class/block" / name, root / "sys/class/block" / disk):
        try:
            if "/usb" in os.path.realpath(candidate / "device"):
                return True
        except OSError:
            continue
    return False


def _automounted(mount_point: str) -> bool:
    path = PurePosixPath(mount_point)
    return any(parent in path.parents and len(path.relative_to(parent).parts) >= 1 for parent in AUTOMOUNT_PARENTS)


def list_media(root: Path = Path("/")) -> list[Medium]:
    """The removable media mounted now, by name; an unreadable /proc/mounts is no media, never an error."""
    try:
        lines = (root / "proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found: dict[Path, Medium] = {}
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        device, mount_point, fstype = _unescape(fields[0]), _unescape(fields[1]), fields[2]
        if fstype not in MEDIA_FILESYSTEMS or mount_point.rstrip("/") in SYSTEM_MOUNTS or mount_point == "/":
            continue
        if not (_automounted(mount_point) or _kernel_says_removable(root, device)):
            continue
        path = _inside(root, mount_point)
        if not path.is_dir():
            continue
        found[path] = Medium(name=PurePosixPath(mount_point).name or device, path=path, device=device)
    return sorted(found.values(), key=lambda m: (m.name.lower(), str(m.path)))


def _kind(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in IMPORTABLE_SUFFIXES:
        return None
    return "pdf" if suffix == ".pdf" else "image"


def importable_files(medium: Medium, *, max_bytes: int, limit: int = MAX_FILES,
                     max_depth: int = MAX_DEPTH) -> list[MediaFile]:
    """Images and PDFs on the medium, folders first-level-first, by name; never through a link."""
    top = Path(os.path.realpath(medium.path))
    out: list[MediaFile] = []
    folders: list[tuple[Path, int]] = [(top, 0)]
    while folders and len(out) < limit:
        folder, depth = folders.pop(0)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name.lower())
        except OSError:
            continue  # an unreadable folder (a damaged stick) is skipped, not fatal
        for entry in entries:
            if entry.name.startswith(".") or entry.name.startswith("._"):
                continue
            try:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if depth + 1 <= max_depth and entry.name.lower() not in SKIPPED_FOLDERS:
                        folders.append((Path(entry.path), depth + 1))
                    continue
                kind = _kind(entry.name)
                if kind is None or not entry.is_file(follow_symlinks=False):
                    continue
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            if not 0 < size <= max_bytes:
                continue
            path = Path(entry.path)
            out.append(MediaFile(medium=medium, path=path, relative=path.relative_to(top).as_posix(),
                                 size=size, kind=kind))
            if len(out) >= limit:
                break
    return out


def is_on_medium(medium: Medium, path: Path) -> bool:
    """Checked again just before import: the path is a regular file inside the medium, reached by no link."""
    top = os.path.realpath(medium.path)
    try:
        real = os.path.realpath(path)
        if os.path.commonpath([top, real]) != top or real == top:
            return False
        relative = Path(path).relative_to(medium.path)
    except ValueError:
        return False
    current = Path(medium.path)
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return False
    return Path(real).is_file()
