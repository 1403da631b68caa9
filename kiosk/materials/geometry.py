"""Where the page is in the picture, and how to make it straight.

A document camera sees a sheet lying on a counter: the sheet is found as the
largest bright four-sided shape and warped flat. A flatbed scan usually shows
no page edge at all (white paper on a white lid): then the text lines
themselves tell the skew, found as the angle whose horizontal projection has
the sharpest rows. Both stay within about 15 degrees of upright; turning a
page on its side is the job of EXIF orientation, not of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

MAX_SKEW_DEGREES = 15.0
DETECT_LONG_SIDE = 800  # page detection works on a small copy; plenty for the outline
A4_ASPECT = 297 / 210
ID1_ASPECT = 85.6 / 53.98  # identity cards
A4_LONG_INCHES = 297 / 25.4
ID1_LONG_INCHES = 85.6 / 25.4


def apply_exif_orientation(image: Image.Image) -> Image.Image:
    """Camera and phone photos are stored sideways with a tag saying so; make the pixels upright."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block is not a reason to refuse the picture
        return image


@dataclass(frozen=True)
class PageOutline:
    """The page's four corners in the source image: top-left, top-right, bottom-right, bottom-left."""

    corners: np.ndarray  # shape (4, 2), float32

    @property
    def width(self) -> float:
        tl, tr, br, bl = self.corners
        return float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))

    @property
    def height(self) -> float:
        tl, tr, br, bl = self.corners
        return float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))


def _order_corners(points: np.ndarray) -> np.ndarray:
    pts = points.reshape(4, 2).astype(np.float32)
    by_sum = pts.sum(axis=1)
    by_diff = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(by_sum)], pts[np.argmin(by_diff)], pts[np.argmax(by_sum)],
                     pts[np.argmax(by_diff)]], dtype=np.float32)


def find_page(gray: np.ndarray) -> PageOutline | None:
    """The outline of a sheet clearly brighter than what it lies on, or None.

    None also when the "sheet" fills almost the whole picture (a flatbed scan
    without visible edges): cropping then would only cut text off.
    """
    h, w = gray.shape
    scale = DETECT_LONG_SIDE / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) \
        if scale < 1 else gray.copy()
    scale = min(scale, 1.0)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Close the dark text inside the sheet so the sheet is one blob.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    frame_area = small.shape[0] * small.shape[1]
    if area < 0.15 * frame_area or area > 0.97 * frame_area:
        return None
    hull = cv2.convexHull(contour)
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    quad = approx if len(approx) == 4 else cv2.boxPoints(cv2.minAreaRect(contour))
    quad = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    if not _looks_like_a_sheet(blurred, contour, quad):
        return None
    corners = _order_corners(quad) / scale
    return PageOutline(corners=corners)


def _looks_like_a_sheet(small: np.ndarray, contour: np.ndarray, quad: np.ndarray) -> bool:
    """A sheet is a filled four-sided shape, clearly brighter than an even surround.

    Bright patches inside a photograph fail this (ragged outline, or a
    surround as bright and varied as the patch), so a flatbed scan of a
    photograph is never "cropped" to one of its own highlights.
    """
    quad_area = cv2.contourArea(quad)
    if quad_area <= 0 or cv2.contourArea(contour) / quad_area < 0.9:
        return False
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    # Ignore a band around the outline: shadows and blur live there.
    band = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    core = cv2.erode(inside, band).astype(bool)
    surround = ~cv2.dilate(inside, band).astype(bool)
    if surround.sum() < 0.02 * small.size or core.sum() == 0:
        return False
    paper = float(np.median(small[core]))
    rest = small[surround]
    return paper - float(np.median(rest)) > 40 and float(np.percentile(rest, 90)) < paper - 20


def warp_page(image: np.ndarray, outline: PageOutline) -> np.ndarray:
    """The sheet alone, flattened to a rectangle (handles rotation and camera perspective)."""
    width, height = max(1, round(outline.width)), max(1, round(outline.height))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(outline.corners, target)
    border = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def _ink_mask(gray: np.ndarray, long_side: int = 1000) -> np.ndarray:
    h, w = gray.shape
    scale = min(1.0, long_side / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) \
        if scale < 1 else gray
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink.astype(np.float32)


def _profile_sharpness(ink: np.ndarray, angle: float) -> float:
    h, w = ink.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = rotated.sum(axis=1)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(gray: np.ndarray, limit: float = MAX_SKEW_DEGREES) -> float:
    """Degrees to rotate (counter-clockwise positive, as OpenCV) to make the text lines level.

    0.0 when there is too little ink to tell (a blank page).
    """
    ink = _ink_mask(gray)
    if ink.mean() < 0.002:
        return 0.0
    coarse = np.arange(-limit, limit + 0.01, 1.0)
    best = max(coarse, key=lambda a: _profile_sharpness(ink, float(a)))
    fine = np.arange(best - 1.0, best + 1.01, 0.1)
    best = max(fine, key=lambda a: _profile_sharpness(ink, float(a)))
    return round(float(best), 2)


def rotate(image: np.ndarray, angle: float, *, expand: bool = False) -> np.ndarray:
    """Rotate about the centre, filling with white.

    A flatbed scan keeps its size (the page is the scan area, and only margin
    leaves at the corners); ``expand`` grows the canvas so no corner is cut.
    """
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    new_w, new_h = w, h
    if expand:
        cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
        new_w, new_h = int(h * sin + w * cos), int(h * cos + w * sin)
        matrix[0, 2] += new_w / 2 - w / 2
        matrix[1, 2] += new_h / 2 - h / 2
    border = (255, 255, 255) if image.ndim == 3 else 255
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def guess_dpi(width: int, height: int) -> float | None:
    """For a camera frame: the dpi if the sheet is A4 or an identity card, judged by its shape."""
    long_px, short_px = max(width, height), min(width, height)
    if short_px == 0:
        return None
    aspect = long_px / short_px
    if abs(aspect - A4_ASPECT) / A4_ASPECT < 0.08:
        return long_px / A4_LONG_INCHES
    if abs(aspect - ID1_ASPECT) / ID1_ASPECT < 0.06:
        return long_px / ID1_LONG_INCHES
    return None
