"""From raw pages to the file a material is stored as.

Pure functions on pixels: no device, no database, no Qt, so the UI runs
them on a worker thread and the CLI and tests call them directly. The steps,
in order: upright by EXIF, find and flatten the sheet, resample to about
200 dpi, level the text, then level the light and pick the encoding the
material's catalog entry asks for (a text page that turns out to be a
photograph keeps its grey tones rather than being turned into black blots).
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import cv2
import numpy as np
from PIL import Image, ImageSequence

from kiosk.materials import encode, geometry, tone
from kiosk.materials.intake import IntakeLimits, MaterialFile, import_path
from kiosk.materials.pages import CapturedPage

TARGET_DPI = 200.0
MAX_UPSCALE = 2.0
COLOURS = ("bilevel", "grayscale", "colour")


@dataclass(frozen=True)
class PageReport:
    """What the pipeline did to one page: shown to staff and printed by the benchmark."""

    cropped: bool
    skew_degrees: float
    photograph: bool
    source_dpi: float
    encoded: encode.EncodedPage


def _plausible_dpi(dpi: float | None, width: int, height: int) -> float | None:
    """A file's dpi tag, unless it is the meaningless 72 of a phone photo or implies a sheet bigger than A3."""
    if not dpi or dpi < 100:
        return None
    if max(width, height) / dpi > 17.5:
        return None
    return float(dpi)


def _fallback_dpi(width: int, height: int) -> float:
    """No dpi known and no recognisable sheet: treat the picture as A4, never enlarging it."""
    return max(TARGET_DPI, max(width, height) / geometry.A4_LONG_INCHES)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit scans scaled (not clipped) to 8 bits; transparency laid on white paper."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        pixels = np.asarray(image, dtype=np.uint32 if image.mode == "I" else np.uint16)
        peak = 65535 if image.mode != "I" or pixels.max() > 255 else 255
        return Image.fromarray((pixels.astype(np.float32) * (255.0 / peak)).clip(0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image


def process_page(page: CapturedPage, colour: str = "bilevel", *, target_dpi: float = TARGET_DPI) -> PageReport:
    if colour not in COLOURS:
        raise ValueError(f"colour must be one of {COLOURS}")
    image = _eight_bit(geometry.apply_exif_orientation(page.image))
    want_colour = colour == "colour"
    if want_colour:
        pixels = np.asarray(image.convert("RGB"))
        gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    else:
        gray = np.asarray(image.convert("L"))
        pixels = gray

    outline = geometry.find_page(gray)
    if outline is not None:
        pixels = geometry.warp_page(pixels, outline)
        gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if want_colour else pixels
    h, w = gray.shape
    dpi = _plausible_dpi(page.dpi, w, h) if page.dpi else None
    if dpi is None:
        dpi = (geometry.guess_dpi(w, h) if outline is not None else None) or _fallback_dpi(w, h)

    photo = tone.is_photograph(gray)
    skew = 0.0 if photo else geometry.estimate_skew(gray)  # a photograph has no text lines to level
    scale = min(MAX_UPSCALE, target_dpi / dpi)
    if abs(scale - 1.0) > 0.02:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    out_dpi = dpi * scale
    if abs(skew) >= 0.2:
        pixels = geometry.rotate(pixels, skew, expand=False)

    if want_colour:
        encoded = encode.encode_jpeg(Image.fromarray(pixels, "RGB"), out_dpi)
        return PageReport(outline is not None, skew, photo, dpi, encoded)
    levelled = tone.flatten_background(pixels)
    if colour == "bilevel" and not photo:
        bw = tone.binarize(levelled)
        encoded = encode.encode_bilevel(Image.fromarray(bw, "L"), out_dpi)
        if encoded.size > encode.TEXT_PAGE_BUDGET:
            encoded = encode.encode_bilevel(Image.fromarray(tone.despeckle(bw), "L"), out_dpi)
        return PageReport(outline is not None, skew, False, dpi, encoded)
    grey = pixels if photo else levelled
    encoded = encode.encode_jpeg(Image.fromarray(grey, "L"), out_dpi)
    return PageReport(outline is not None, skew, photo, dpi, encoded)


def material_file_from_pages(pages: Sequence[CapturedPage], colour: str, name: str) -> MaterialFile:
    """All pages of one material as one stored file: a JPEG for a single photo, else one PDF."""
    if not pages:
        raise ValueError("a material needs at least one page")
    reports = [process_page(p, colour) for p in pages]
    stem = PurePath(name).stem or "material"
    if len(reports) == 1 and reports[0].encoded.media_type == "image/jpeg":
        return MaterialFile(name=f"{stem}.jpg", data=reports[0].encoded.data, media_type="image/jpeg", page_count=1)
    pdf = encode.pages_to_pdf([r.encoded for r in reports])
    return MaterialFile(name=f"{stem}.pdf", data=pdf, media_type="application/pdf", page_count=len(reports))


def pages_from_file(checked: MaterialFile) -> list[CapturedPage]:
    """The page images of an imported image file (every frame of a multi-page TIFF); [] for a PDF."""
    if checked.media_type == "application/pdf":
        return []
    pages: list[CapturedPage] = []
    with Image.open(io.BytesIO(checked.data)) as img:
        for index, frame in enumerate(ImageSequence.Iterator(img)):
            raw_dpi = frame.info.get("dpi") or img.info.get("dpi")
            dpi = float(raw_dpi[0]) if isinstance(raw_dpi, tuple) and raw_dpi and raw_dpi[0] else None
            copy = frame.copy()
            if index == 0 and "exif" in img.info:
                copy.info["exif"] = img.info["exif"]
            pages.append(CapturedPage(image=copy, dpi=dpi, source="file", label=f"{checked.name}#{index + 1}"))
    return pages


def _colour_of(spec: object) -> str:
    colour = spec if isinstance(spec, str) else getattr(spec, "colour", "grayscale")
    return colour if colour in COLOURS else "grayscale"


def prepare_material_files(paths: Iterable[Path], spec: object,
                           limits: IntakeLimits = IntakeLimits()) -> list[MaterialFile]:
    """Import files for one material and return what `kiosk.submission` stores.

    Every file is checked first (a refusal raises `MaterialRefused` naming
    the file, and nothing is returned, so nothing is stored). Image files
    become the pages of one processed file, in the order given; a PDF is a
    finished document and is kept as it came. ``spec`` is the catalog's
    `MaterialSpec` (its ``colour`` is used) or a colour name.
    """
    return process_checked_files([import_path(Path(p), limits) for p in paths], spec)


def process_checked_files(checked: list[MaterialFile], spec: object) -> list[MaterialFile]:
    """`prepare_material_files` for files already taken in (so each file is read and checked once)."""
    colour = _colour_of(spec)
    pages: list[CapturedPage] = []
    first_image_name = ""
    out: list[MaterialFile] = []
    for item in checked:
        if item.media_type == "application/pdf":
            out.append(item)
            continue
        first_image_name = first_image_name or item.name
        pages.extend(pages_from_file(item))
    if pages:
        out.insert(0, material_file_from_pages(pages, colour, first_image_name))
    return out
