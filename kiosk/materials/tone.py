"""Tones: evening out the light, telling text from photographs, and clean black-and-white.

A camera photo of a sheet is darker at one corner than another, and a
global threshold then blackens that corner. Dividing by an estimate of the
paper's own brightness (the page with the ink closed away) makes the paper
uniformly white first; after that, text pages have almost no mid-tones and
photographs have plenty, which is how a page is classified.
"""
from __future__ import annotations

import cv2
import numpy as np

PHOTO_DARK_SHARE = 0.12  # above this share of dark area (no paper nearby) a page is a photograph


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide out uneven lighting so the paper is white everywhere (uint8 in, uint8 out)."""
    h, w = gray.shape
    scale = min(1.0, 600 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    # Close the ink (dark strokes) away: what is left is the paper's brightness.
    size = max(3, int(round(min(small.shape) / 40)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    paper = cv2.medianBlur(paper, 5)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    flat = gray.astype(np.float32) * (255.0 / np.maximum(paper, 32.0))
    return np.clip(flat, 0, 255).astype(np.uint8)


def dark_area_share(gray: np.ndarray) -> float:
    """Share of the page where even the brightest nearby pixel is dark.

    On a text page every small window holds some bare paper between the
    strokes and lines, so its local maximum is paper-bright everywhere (the
    lighting may fall off, but not by 40 %). A photograph has broad dark
    areas with no paper in them.
    """
    h, w = gray.shape
    scale = min(1.0, 800 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    local_paper = cv2.dilate(small, kernel).astype(np.float32)
    reference = float(np.percentile(local_paper, 95))
    return float(np.count_nonzero(local_paper < 0.6 * reference)) / local_paper.size


def is_photograph(gray: np.ndarray) -> bool:
    """Judged on the unlevelled page (levelling would whiten a photograph's dark areas)."""
    return dark_area_share(gray) > PHOTO_DARK_SHARE


def binarize(levelled_gray: np.ndarray) -> np.ndarray:
    """Black text on white (uint8 0/255) from a levelled grayscale page.

    Otsu's threshold on levelled paper separates ink well; it is nudged
    towards keeping thin strokes (Chinese characters at 10 points are only
    two or three pixels wide at 200 dpi), and lone specks are cleared.
    """
    otsu, _ = cv2.threshold(levelled_gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    level = min(235.0, otsu + 0.25 * (255 - otsu))
    _, bw = cv2.threshold(levelled_gray, level, 255, cv2.THRESH_BINARY)
    return bw


def despeckle(bw: np.ndarray) -> np.ndarray:
    """Remove isolated black specks (scanner dust, paper grain) that cost bytes and carry nothing."""
    ink = (bw == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= 2
    small[0] = False
    cleaned = bw.copy()
    cleaned[small[labels]] = 255
    return cleaned
