"""A page as it arrives from a scanner, a document camera or a file.

Every source hands the pipeline the same thing, so a flatbed scan, a frame
from a counter's "high-shot" camera and a photo from a USB stick are treated
alike from here on.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

SOURCES = ("scanner", "camera", "file", "fake")


@dataclass
class CapturedPage:
    """One raw page image.

    ``dpi`` is known for scans and most files; for a camera frame it is None
    and the pipeline works the scale out from the detected page (an A4 sheet).
    """

    image: Image.Image
    dpi: float | None = None
    source: str = "file"
    label: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size
