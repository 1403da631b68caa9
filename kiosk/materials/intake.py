"""Taking a file in: what it really is, and whether it is safe to keep.

The type comes from the bytes, never from the file name (a ``.jpg`` that is
an executable is refused). Sizes, pixel counts and PDF page counts are
bounded before anything is decoded in full, so a decompression bomb or a
5,000-page PDF is refused cheaply. Every refusal names the file.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile

from kiosk.errors import Message, UserFacingError

IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff", "image/webp"}
ACCEPTED_TYPES = IMAGE_TYPES | {"application/pdf"}


@dataclass(frozen=True)
class IntakeLimits:
    max_bytes: int = 30 * 1024 * 1024
    max_pixels: int = 80_000_000  # an A3 page at 600 dpi is about 70 MP
    max_pdf_pages: int = 200


@dataclass(frozen=True)
class MaterialFile:
    """A checked file, ready to be stored as an attachment."""

    name: str
    data: bytes
    media_type: str
    page_count: int


class MaterialRefused(UserFacingError):
    def __init__(self, name: str, why: Message, code: str) -> None:
        super().__init__(Message(f"文件“{name}”无法使用：{why.zh}", f"The file '{name}' cannot be used: {why.en}"),
                         code=code)
        self.file_name = name
        self.reason = code


def detect_media_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def _load_complete(img: ImageFile.ImageFile) -> None:
    """Decode the frame fully; a truncated file is an error here even if someone set LOAD_TRUNCATED_IMAGES."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        img.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(name: str, data: bytes, limits: IntakeLimits) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                frames = getattr(img, "n_frames", 1)
                if frames > limits.max_pdf_pages:
                    raise MaterialRefused(name, Message(f"页数超过{limits.max_pdf_pages}页。",
                                                        f"it has more than {limits.max_pdf_pages} pages."), "too_many_pages")
                total = 0
                # Every frame of a multi-page TIFF is checked before it is decoded, not only the first.
                for index in range(frames):
                    img.seek(index)
                    width, height = img.size
                    total += width * height
                    if width * height > limits.max_pixels or width * height == 0 or total > 4 * limits.max_pixels:
                        raise MaterialRefused(name, Message("图像尺寸过大或异常，可能是恶意文件。",
                                                            "the image is far too large or malformed (a possible decompression bomb)."),
                                              "too_many_pixels")
                    _load_complete(img)
        return frames
    except MaterialRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MaterialRefused(name, Message("图像尺寸过大或异常，可能是恶意文件。",
                                            "the image is far too large or malformed (a possible decompression bomb)."),
                              "too_many_pixels") from None
    except Exception:  # Pillow raises many types for broken files
        raise MaterialRefused(name, Message("图像文件已损坏或不完整。", "the image is damaged or incomplete."),
                              "corrupt") from None


def _check_pdf(name: str, data: bytes, limits: IntakeLimits) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise MaterialRefused(name, Message("PDF 文件已加密，请提供未加密的文件。",
                                                "the PDF is encrypted; please provide an unencrypted file."), "encrypted")
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if isinstance(declared, int) and declared > limits.max_pdf_pages:
            # refused from the page tree's own count, before walking thousands of pages
            raise MaterialRefused(name, Message(f"页数超过{limits.max_pdf_pages}页。",
                                                f"it has more than {limits.max_pdf_pages} pages."), "too_many_pages")
        pages = len(reader.pages)
    except MaterialRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise MaterialRefused(name, Message("PDF 文件已损坏。", "the PDF is damaged."), "corrupt") from None
    if pages == 0:
        raise MaterialRefused(name, Message("PDF 文件没有页面。", "the PDF has no pages."), "empty")
    if pages > limits.max_pdf_pages:
        raise MaterialRefused(name, Message(f"页数超过{limits.max_pdf_pages}页。",
                                            f"it has more than {limits.max_pdf_pages} pages."), "too_many_pages")
    return pages


def check_bytes(name: str, data: bytes, limits: IntakeLimits = IntakeLimits()) -> MaterialFile:
    if not data:
        raise MaterialRefused(name, Message("文件是空的。", "the file is empty."), "empty")
    if len(data) > limits.max_bytes:
        mb = limits.max_bytes // (1024 * 1024)
        raise MaterialRefused(name, Message(f"文件超过{mb}MB。", f"it is larger than {mb} MB."), "too_large")
    media_type = detect_media_type(data[:1024])
    if media_type is None:
        raise MaterialRefused(name, Message("只接受 JPEG、PNG、TIFF、WebP 图片或 PDF 文件。",
                                            "only JPEG, PNG, TIFF, WebP images or PDF files are accepted."),
                              "unsupported_type")
    pages = _check_pdf(name, data, limits) if media_type == "application/pdf" else _check_image(name, data, limits)
    return MaterialFile(name=name, data=data, media_type=media_type, page_count=pages)


def import_path(path: Path, limits: IntakeLimits = IntakeLimits()) -> MaterialFile:
    name = path.name or str(path)
    try:
        if not path.is_file():
            raise MaterialRefused(name, Message("找不到该文件。", "the file was not found."), "not_found")
        size = path.stat().st_size
        if size > limits.max_bytes:
            mb = limits.max_bytes // (1024 * 1024)
            raise MaterialRefused(name, Message(f"文件超过{mb}MB。", f"it is larger than {mb} MB."), "too_large")
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except PermissionError:
        raise MaterialRefused(name, Message("没有读取该文件的权限。", "the file cannot be read (permission denied)."),
                              "unreadable") from None
    except OSError:
        raise MaterialRefused(name, Message("无法读取该文件。", "the file cannot be read."), "unreadable") from None
    return check_bytes(name, data, limits)
