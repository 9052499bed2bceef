"""Page geometry before the grid is read: a photographed page cut out of its background and its
perspective undone, the scale brought to ~150 dpi, and the remaining skew (a scan fed in at an
angle) measured and rotated away.

* :func:`page_quad` finds the sheet of paper in a photograph: the largest bright four-sided
  region that does not fill the whole frame (a flatbed scan or a rendered page fills it);
* :func:`skew_angle` maximises the sharpness of the row profile of the ink over small angles
  (ruled tables and text lines give sharp peaks only when level);
* :func:`straighten` runs the three steps and returns the page the grid finder reads.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.ocr.raster import A4_WIDTH_PX, normalise_scale

A4_RATIO = 297 / 210
MAX_SKEW_DEG = 4.0


def page_quad(grey: np.ndarray) -> np.ndarray | None:
    """The four corners (tl, tr, br, bl) of a sheet photographed on a darker background, or None
    when the image is the page itself."""
    h, w = grey.shape
    small_f = 800 / max(h, w)
    small = cv2.resize(grey, (max(1, round(w * small_f)), max(1, round(h * small_f))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    total = small.shape[0] * small.shape[1]
    if not 0.2 * total <= area <= 0.93 * total:
        return None
    # the background must be clearly darker than the sheet
    inside = cv2.mean(small, mask=mask)[0]
    outside = cv2.mean(small, mask=255 - mask)[0]
    if inside - outside < 40:
        return None
    approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
    if len(approx) != 4:
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(approx) != 4:
            return None
    pts = approx.reshape(4, 2).astype(np.float32) / small_f
    return _order(pts)


def _order(pts: np.ndarray) -> np.ndarray:
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def unwarp(grey: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The sheet inside ``quad`` as an upright rectangle (A4 proportions when it is nearly A4)."""
    tl, tr, br, bl = quad
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    ratio = height / max(width, 1.0)
    if abs(ratio - A4_RATIO) < 0.2 * A4_RATIO:
        ratio = A4_RATIO
    w = A4_WIDTH_PX
    h = round(w * ratio)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def _sharpness_fn(grey: np.ndarray, side: int, interp: int):
    h, w = grey.shape
    f = min(1.0, side / max(h, w))
    small = cv2.resize(grey, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    ink = ink.astype(np.float32)
    sh, sw = ink.shape
    centre = (sw / 2, sh / 2)

    def sharpness(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        r = cv2.warpAffine(ink, m, (sw, sh), flags=interp, borderValue=0)
        prof = r.sum(axis=1)
        return float(np.dot(prof, prof))

    return sharpness


def skew_angle(grey: np.ndarray) -> float:
    """The angle (degrees, counter-clockwise positive as OpenCV rotates) that levels the page:
    a coarse search on a small copy, then a fine one at full working size."""
    coarse = _sharpness_fn(grey, 700, cv2.INTER_NEAREST)
    best = max(np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-9, 0.25), key=coarse)
    fine = _sharpness_fn(grey, 1800, cv2.INTER_LINEAR)
    return float(max(np.arange(best - 0.3, best + 0.3 + 1e-9, 0.02), key=fine))


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def straighten(grey: np.ndarray) -> tuple[np.ndarray, dict]:
    """The page, cut out of a photograph, at ~150 dpi and level; with what was done (for debug)."""
    done: dict = {}
    quad = page_quad(grey)
    if quad is not None:
        grey = unwarp(grey, quad)
        done["perspective"] = quad.round(1).tolist()
    else:
        grey = normalise_scale(grey)
    angle = skew_angle(grey)
    if abs(angle) >= 0.05:
        grey = rotate(grey, angle)
        done["deskew_deg"] = round(angle, 2)
    return grey, done
