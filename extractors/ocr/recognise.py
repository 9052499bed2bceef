"""Recognition: cut a cell (or a band of page text) into text lines and read them with rapidocr's
recogniser, one inference thread per worker process.

The detector of a general OCR is not needed inside a ruled cell: the cell is already the text's
box. A cell's ink (ruling remnants and isolated specks removed) is split into lines by its row
profile; each line is cropped with a margin and read. A tall, narrow single run is a vertical
header: read as a stack of glyphs, and as text turned either way, whichever the recogniser is
surest of. Every reading carries the recogniser's confidence (the mean of its per-character
probabilities); a cell's confidence is that of its weakest line.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import cv2
import numpy as np

_ENGINE = None
_LOCK = threading.Lock()
# One line per inference: measured faster than batches (a batch pads every line to its widest) and
# it keeps the address space small (batch 8: +500 MB peak).
REC_BATCH = 1


def engine():
    """The process's recogniser (rapidocr, models from its wheel), built on first use with one
    inference thread: the extraction workers are one process per core."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr import RapidOCR

            threads = int(os.environ.get("GONGKAI_OCR_THREADS", "1"))
            cv2.setNumThreads(threads)
            _ENGINE = RapidOCR(params={
                "Global.log_level": "error",
                "Global.use_det": False, "Global.use_cls": False,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "Rec.rec_batch_num": REC_BATCH,
            })
        return _ENGINE


def read_lines(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """(text, confidence) of each line image (grey or BGR)."""
    if not crops:
        return []
    imgs = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) if c.ndim == 2 else c for c in crops]
    res = engine().recognize_txt(imgs)
    return [(t or "", float(s or 0.0)) for t, s in zip(res.txts, res.scores, strict=True)]


# ------------------------------------------------------------------ cutting a cell into lines

@dataclass
class Line:
    crop: np.ndarray  # grey, white margin around the ink
    box: tuple[int, int, int, int]  # page pixels
    vertical: bool = False  # a tall narrow run: a vertical header


def clean_ink(ink: np.ndarray, text_h: float) -> np.ndarray:
    """The ink of a cell without specks. A small round blot is dust unless it sits where a decimal
    point or a numbering dot does — on the lower half of a line, with glyphs close on both sides
    ("2977.8555", "1.属于") — or where a minus sign does: flat, at mid-height, just before a glyph.
    Elongated small marks (a dash) stay."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    small = 0.55 * text_h
    keep = np.ones(n, dtype=bool)
    keep[0] = False
    big = [k for k in range(1, n) if not _dot_like(stats[k], small)]
    for k in range(1, n):
        if not _dot_like(stats[k], small):
            continue
        x, y, w, h, _ = stats[k]
        cy = y + h / 2
        left = right = minus = False
        for b in big:
            bx, by, bw, bh, _ = stats[b]
            if w >= 1.3 * h and 0 <= bx - (x + w) <= 0.4 * text_h and by + 0.3 * bh <= cy <= by + 0.75 * bh:
                minus = True  # a short flat stroke at mid-height just before a glyph: a (blurred) minus sign
            if not (by <= cy <= by + bh + 0.15 * text_h and cy >= by + 0.45 * bh):
                continue  # not on the lower half of this glyph's line
            if 0 <= x - (bx + bw) <= 0.6 * text_h:
                left = True
            if 0 <= bx - (x + w) <= 0.6 * text_h:
                right = True
        keep[k] = (left and right) or minus
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _dot_like(stat, small: float) -> bool:
    """Too small to be a glyph: round and under ~half a glyph's height, or an upright sliver under a
    third of one (a remnant of a ruling). A short flat stroke is not: it may be a minus sign."""
    _x, _y, w, h, _a = stat
    return (max(w, h) < 0.65 * small and h > w) or (max(w, h) < small and w < 2.2 * h and h < 2.2 * w)


def _drop_edge_slivers(ink: np.ndarray, text_h: float) -> np.ndarray:
    """Pieces of a ruling left at the cell's edge (a broken line, too short to be found as one):
    thin strokes along the edge they touch."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    thin = max(2, round(0.2 * text_h))
    drop = np.zeros(n, dtype=bool)
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        at_side = x <= 1 or x + bw >= w - 1
        at_end = y <= 1 or y + bh >= h - 1
        drop[k] = (at_side and bw <= thin and bh >= bw) or (at_end and bh <= thin and bw >= bh)
    if not drop.any():
        return ink
    return np.where(drop[labels], 0, ink).astype(np.uint8)


def _runs(profile: np.ndarray) -> list[tuple[int, int]]:
    on = profile > 0
    runs, start = [], None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(on)))
    return runs


def _merge_runs(runs: list[tuple[int, int]], text_h: float) -> list[tuple[int, int]]:
    """Join the pieces of one line (三's three strokes, a dot above a glyph): a thin run joins its
    nearer neighbour when the gap is small and the joined run is no taller than a line."""
    runs = list(runs)
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for i, (a, b) in enumerate(runs):
            if b - a >= 0.6 * text_h:
                continue
            cands = []
            if i > 0 and a - runs[i - 1][1] <= 0.5 * text_h and b - runs[i - 1][0] <= 1.35 * text_h:
                cands.append((a - runs[i - 1][1], i - 1))
            if i + 1 < len(runs) and runs[i + 1][0] - b <= 0.5 * text_h and runs[i + 1][1] - a <= 1.35 * text_h:
                cands.append((runs[i + 1][0] - b, i + 1))
            if cands:
                _, j = min(cands)
                lo, hi = min(i, j), max(i, j)
                runs[lo:hi + 1] = [(runs[lo][0], runs[hi][1])]
                changed = True
                break
    return runs


def cell_lines(grey: np.ndarray, ink: np.ndarray, lines_mask: np.ndarray, box: tuple[int, int, int, int],
               text_h: float, inset: int = 3, margin: int = 5) -> list[Line]:
    """The text lines inside a cell's box (page pixels): each a grey crop, ink-tight plus a white
    margin, with ruling remnants and specks painted white."""
    x0, y0, x1, y1 = box
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    rule = cv2.dilate(lines_mask[y0:y1, x0:x1], np.ones((5, 5), np.uint8))
    raw_ink = cv2.bitwise_and(ink[y0:y1, x0:x1], cv2.bitwise_not(rule))
    cell_ink = clean_ink(_drop_edge_slivers(raw_ink, text_h), text_h)
    if not cell_ink.any():
        return []
    g = grey[y0:y1, x0:x1].copy()
    # paint out what is not text — ruling remnants, specks — and nothing else: a faint stroke the
    # threshold missed (a blurred minus sign) stays for the recogniser to see
    dropped = cv2.dilate(cv2.bitwise_and(raw_ink, cv2.bitwise_not(cell_ink)), np.ones((3, 3), np.uint8))
    g[(rule > 0) | (dropped > 0)] = 255
    pad = round(0.5 * text_h)
    out = []
    for a, b in _merge_runs(_runs(cell_ink.sum(axis=1)), text_h):
        cols = np.nonzero(cell_ink[a:b].any(axis=0))[0]
        if cols.size == 0:
            continue
        c0, c1 = max(0, int(cols[0]) - pad), min(g.shape[1], int(cols[-1]) + 1 + pad)
        crop = g[a:b, c0:c1]
        crop = cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)
        vertical = (b - a) > 1.8 * text_h and (c1 - c0) < 1.6 * text_h
        out.append(Line(crop, (x0 + c0, y0 + a, x0 + c1, y0 + b), vertical))
    return out


def band_segments(grey: np.ndarray, ink: np.ndarray, text_h: float, margin: int = 5) -> list[Line]:
    """Text outside tables: lines by the row profile, each split at gaps wider than three glyphs
    (a date right-aligned on the line of a signature is its own segment)."""
    out = []
    for a, b in _merge_runs(_runs(ink.sum(axis=1)), text_h):
        if b - a < 0.35 * text_h:
            continue
        cols = ink[a:b].any(axis=0)
        segs = _runs(cols.astype(np.uint8))
        joined: list[list[int]] = []
        for s0, s1 in segs:
            if joined and s0 - joined[-1][1] <= 3 * text_h:
                joined[-1][1] = s1
            else:
                joined.append([s0, s1])
        for s0, s1 in joined:
            if s1 - s0 < 0.7 * text_h and b - a < 0.7 * text_h:
                continue  # smaller than one glyph, alone on its line: a blot, not text
            crop = grey[a:b, s0:s1]
            crop = cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)
            out.append(Line(crop, (s0, a, s1, b)))
    return out


def read_vertical(line: Line, text_h: float) -> tuple[str, float]:
    """A tall narrow run: glyphs stacked one per line, or a line of text turned by 90° either way."""
    h = line.crop.shape[0]
    n = max(1, round((h - 10) / (text_h * 1.05)))
    step = (h - 10) / n
    glyphs = [line.crop[max(0, int(5 + k * step) - 2):int(5 + (k + 1) * step) + 2, :] for k in range(n)]
    glyphs = [cv2.copyMakeBorder(gl, 3, 3, 3, 3, cv2.BORDER_CONSTANT, value=255) for gl in glyphs]
    turned = [cv2.rotate(line.crop, cv2.ROTATE_90_CLOCKWISE), cv2.rotate(line.crop, cv2.ROTATE_90_COUNTERCLOCKWISE)]
    res = read_lines(glyphs + turned)
    stacked = ("".join(t for t, _ in res[:n]), min(s for _, s in res[:n]))
    options = [stacked, res[n], res[n + 1]]
    return max(options, key=lambda o: (o[1], len(o[0])))
