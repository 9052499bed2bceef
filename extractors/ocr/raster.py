"""Pages as images: a PDF page rasterised with pypdfium2, or an image file (PNG, JPEG, TIFF — every
frame of a multi-page TIFF), as one 8-bit grey image per page at a working scale of about 150 dpi.

Colour pages are turned grey with their **red ink taken out**: the red seal stamped over a table
(公章) fades to white while black print stays black, so the seal hides neither the ruling lines nor
the digits under it.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

DPI = 150
A4_WIDTH_PX = round(210 / 25.4 * DPI)  # 1240: the width a full page is normalised to
_MAX_SIDE = 6000  # a page image larger than this is scaled down first (memory)


def to_grey(img: np.ndarray) -> np.ndarray:
    """8-bit grey from a decoded image (grey, BGR, BGRA). Red ink (a seal, 公章) is taken out: where a
    pixel is clearly red, its grey is its red channel brightened (a seal's red multiplies the page
    by ~0.85 in red), so the print under the seal stays as dark as elsewhere and the seal itself
    turns white."""
    if img.dtype != np.uint8:
        img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if img.ndim == 2:
        return img
    if img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        img = (img[:, :, :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    b, g, r = (img[:, :, k].astype(np.float32) for k in range(3))
    lum = 0.299 * r + 0.587 * g + 0.114 * b
    redness = r - np.maximum(g, b)
    w = np.clip((redness - 30) / 40, 0, 1)
    out = lum * (1 - w) + np.minimum(255, r * 1.2) * w
    return out.clip(0, 255).astype(np.uint8)


def pdf_page(doc, index: int, dpi: int = DPI) -> np.ndarray:
    """Page ``index`` (0-based) of an open ``pypdfium2.PdfDocument`` as a grey image."""
    page = doc[index]
    try:
        bitmap = page.render(scale=dpi / 72, grayscale=False, draw_annots=True)
        rgb = bitmap.to_numpy()
        mode = bitmap.mode
    finally:
        page.close()
    if rgb.ndim == 2:
        return rgb.copy()
    # pypdfium2 renders BGR(A)/BGRx by default
    return to_grey(rgb[:, :, :3] if mode.startswith("BGR") else rgb[:, :, 2::-1])


def image_pages(data: bytes) -> Iterator[np.ndarray]:
    """The pages of an image file (one for PNG/JPEG, every frame of a TIFF), grey, at their own scale."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ok, frames = cv2.imdecodemulti(buf, cv2.IMREAD_UNCHANGED)
    if not ok or not frames:
        one = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        frames = [] if one is None else [one]
    for f in frames:
        yield to_grey(f)


def normalise_scale(grey: np.ndarray) -> np.ndarray:
    """An image of a whole page at the working scale: the shorter side of a portrait A4-like page
    becomes ~1240 px (150 dpi). Images that are not page-shaped (a cropped table) keep their scale
    unless they are very large."""
    h, w = grey.shape[:2]
    if max(h, w) > _MAX_SIDE:
        f = _MAX_SIDE / max(h, w)
        grey = cv2.resize(grey, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        h, w = grey.shape[:2]
    ratio = max(h, w) / max(1, min(h, w))
    if 1.25 <= ratio <= 1.6:  # a page (A4 is 1.41)
        f = A4_WIDTH_PX / min(h, w)
        if abs(f - 1) > 0.08:
            interp = cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC
            grey = cv2.resize(grey, (round(w * f), round(h * f)), interpolation=interp)
    return grey
