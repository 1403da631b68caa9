"""Files from a USB stick (or any path): JPEG, PNG, TIFF and PDF.

Reading a stick is device I/O like any other (a slow or failing stick
blocks), so `import_file` runs on the device thread. Each file is checked by
`kiosk.materials.intake` first (type from content, size, pixel and page
limits); a refusal names the file and nothing is kept.
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.devices.thread import DeviceThread, device_thread
from kiosk.materials.intake import IntakeLimits, MaterialFile, import_path
from kiosk.materials.pages import CapturedPage
from kiosk.materials.pipeline import pages_from_file

IMPORTABLE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf", ".webp")


@dataclass(frozen=True)
class ImportedFile:
    """A checked file; ``pages`` holds its images (empty for a PDF, which is kept as it is)."""

    checked: MaterialFile
    pages: list[CapturedPage] = field(default_factory=list)


def _import(path: Path, limits: IntakeLimits) -> ImportedFile:
    checked = import_path(path, limits)
    return ImportedFile(checked=checked, pages=pages_from_file(checked))


def import_file(path: Path, limits: IntakeLimits = IntakeLimits(),
                thread: DeviceThread | None = None) -> Future[ImportedFile]:
    return (thread or device_thread()).submit(_import, Path(path), limits)


def candidate_files(folder: Path, limit: int = 500) -> list[Path]:
    """Files on a stick worth offering, by name only (content is checked on import)."""
    found: list[Path] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMPORTABLE_SUFFIXES and not path.name.startswith("."):
            found.append(path)
            if len(found) >= limit:
                break
    return found
