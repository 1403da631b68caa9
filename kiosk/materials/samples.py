"""Generated test pages with known text, for the tests, the benchmark and a self-check.

A real document would carry someone's personal data; these pages carry
only public boilerplate, so they can be written to disk, OCR'd and shown.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.assets import assets_dir

A4_MM = (210, 297)

CHINESE = (
    "申请人应当如实提交有关材料和反映真实情况并对其申请材料实质内容的真实性负责。"
    "行政机关受理或者不予受理行政许可申请应当出具加盖本行政机关专用印章和注明日期的书面凭证。"
    "政务服务中心实行一窗受理集成服务群众办事只进一扇门只跑一次。"
    "居民身份证有效期满证件损坏难以辨认或者登记项目有误的应当申请换领新证。"
    "户口簿是登记户口的法律凭证申请人应妥善保管不得涂改转借出卖。"
    "材料齐全符合法定形式的应当场受理材料不全的应一次性告知需要补正的全部内容。"
)
LATIN = (
    "The applicant shall submit true and complete materials and is responsible for their content. "
    "Service item 330106000173002001, receipt 2026-0115-0001, fee CNY 20.00, promised within 15 working days. "
    "One window accepts any department's application; the citizen never has to come back. "
)


def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(assets_dir() / "fonts" / "wqy-zenhei.ttc"), size_px, index=0)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        trial = current + ch
        if draw.textlength(trial, font=font) > width:
            cut = current.rfind(" ") if ch != " " and " " in current and current.isascii() else -1
            if cut > 0:
                lines.append(current[:cut])
                current = current[cut + 1:] + ch
            else:
                lines.append(current)
                current = ch.lstrip()
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def text_page(dpi: int = 300, points: float = 10.0, lines: int | None = None, seed: int = 1) -> tuple[Image.Image, str]:
    """An A4 page (grayscale) of mixed Chinese and Latin text, and the text it carries line by line.

    ``lines`` limits the page to its first few lines (quick tests).
    """
    rng = random.Random(seed)
    w, h = round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)
    page = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(page)
    size = round(points / 72 * dpi)
    font = _font(size)
    margin = round(20 / 25.4 * dpi)
    step = round(size * 1.5)
    text_lines: list[str] = []
    paragraphs: list[str] = []
    while sum(len(p) for p in paragraphs) < 6000:
        start = rng.randrange(len(CHINESE))
        paragraphs.append(CHINESE[start:] + CHINESE[:start])
        start = rng.randrange(len(LATIN) // 2)
        paragraphs.append(LATIN[start:].lstrip() + " " + LATIN[:start])
    y = margin
    for paragraph in paragraphs:
        for line in _wrap(draw, paragraph, font, w - 2 * margin):
            if y + step > h - margin or (lines is not None and len(text_lines) >= lines):
                return page, "\n".join(text_lines)
            draw.text((margin, y), line, fill=0, font=font)
            text_lines.append(line)
            y += step
    return page, "\n".join(text_lines)


def photo_page(dpi: int = 300, seed: int = 2) -> Image.Image:
    """An A4 colour page that compresses like a photograph: gradients, shapes, texture and some text."""
    rng = np.random.default_rng(seed)
    w, h = round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([
        128 + 90 * np.sin(xx / 310.0) * np.cos(yy / 420.0),
        128 + 80 * np.sin((xx + yy) / 530.0),
        128 + 70 * np.cos(yy / 260.0),
    ], axis=-1)
    base += rng.normal(0, 10, size=(-(-h // 4), -(-w // 4), 1)).repeat(4, 0).repeat(4, 1)[:h, :w]
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(rng.integers(40, 300))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.ellipse((x0 - r, y0 - r, x0 + r, y0 + r), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    draw = ImageDraw.Draw(image)
    draw.text((200, 200), "营业执照  Business licence", fill=(0, 0, 0), font=_font(round(24 / 72 * dpi)))
    return image


def camera_shot(page: Image.Image, angle: float = 12.0, background: int = 60, margin: float = 0.12,
                seed: int = 3) -> Image.Image:
    """The page as a document camera or phone sees it: on a dark desk, turned, unevenly lit, a little noisy."""
    rng = np.random.default_rng(seed)
    rotated = page.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    mask = Image.new("L", page.size, 255).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    pad_w, pad_h = round(rotated.width * margin), round(rotated.height * margin)
    canvas = Image.new("L", (rotated.width + 2 * pad_w, rotated.height + 2 * pad_h), background)
    canvas.paste(rotated, (pad_w, pad_h), mask)
    pixels = np.asarray(canvas).astype(np.float32)
    h, w = pixels.shape
    light = np.linspace(0.78, 1.0, w, dtype=np.float32)[None, :] * np.linspace(0.9, 1.0, h, dtype=np.float32)[:, None]
    pixels = pixels * light + rng.normal(0, 4, size=pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def save_page(image: Image.Image, path: Path, dpi: int = 300) -> Path:
    image.save(path, dpi=(dpi, dpi))
    return path


def platen_frame(page: bool = True, *, offset: tuple[int, int] = (0, 0), hand_at: tuple[int, int] | None = None,
                 variant: int = 0, size: tuple[int, int] = (640, 480), seed: int = 0) -> np.ndarray:
    """One RGB frame from a document camera looking down at its platen (a dark mat), for stillness tests.

    `page` lays an A4-ish white sheet with lines of "text" on it, shifted by `offset`; `variant` changes
    where its text lines are (another page); `hand_at` puts a skin-coloured hand over the picture there;
    `seed` adds the sensor's small noise, different in every frame as in a real camera.
    """
    width, height = size
    rng = np.random.default_rng(seed)
    frame = np.full((height, width, 3), (52, 55, 60), dtype=np.int16)
    if page:
        pw, ph = int(height * 0.8 / 1.414), int(height * 0.8)
        x0, y0 = (width - pw) // 2 + offset[0], (height - ph) // 2 + offset[1]
        x1, y1 = max(0, x0), max(0, y0)
        frame[y1:max(y1, y0 + ph), x1:max(x1, x0 + pw)] = 235
        line_rng = random.Random(1000 + variant)
        for row in range(y0 + ph // 10, y0 + ph - ph // 10, max(6, ph // 24)):
            length = line_rng.randint(pw // 3, pw - pw // 5)
            left = x0 + pw // 10 + line_rng.randint(0, pw // 10)
            if 0 <= row < height:
                frame[row:min(height, row + 3), max(0, left):max(0, min(width, left + length))] = 30
    if hand_at is not None:
        hx, hy = hand_at
        yy, xx = np.ogrid[:height, :width]
        hand = ((xx - hx) / 70.0) ** 2 + ((yy - hy) / 110.0) ** 2 <= 1.0
        frame[hand] = (205, 160, 130)
    frame += rng.integers(-2, 3, size=frame.shape, dtype=np.int16)
    return np.clip(frame, 0, 255).astype(np.uint8)
