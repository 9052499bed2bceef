"""Split work into mapped-task batches: never one Airflow task per document."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> list[list[T]]:
    """`items` in consecutive lists of at most `size` (the last may be shorter); [] for no items."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    out: list[list[T]] = []
    cur: list[T] = []
    for x in items:
        cur.append(x)
        if len(cur) == size:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def plan_batches(
    items: Sequence[T],
    *,
    batch_size: int = 50,
    max_batches: int | None = None,
    key: Callable[[T], Hashable] | None = None,
) -> list[list[T]]:
    """Batches for mapped tasks.

    * Duplicates (by `key`, default the item itself) are dropped, first one kept: a URL is fetched once.
    * The order of the items is kept.
    * `max_batches` caps the number of mapped task instances (Airflow's ``max_map_length`` defaults to
      1024): when there are more items than ``batch_size * max_batches``, the batches grow instead.
    """
    keyf = key or (lambda x: x)
    seen: set = set()
    unique: list[T] = []
    for x in items:
        k = keyf(x)
        if k in seen:
            continue
        seen.add(k)
        unique.append(x)
    size = max(1, batch_size)
    if max_batches and len(unique) > size * max_batches:
        size = -(-len(unique) // max_batches)
    return batched(unique, size)


def plan_extract_batches(
    docs: Sequence[dict],
    *,
    text_batch_size: int = 25,
    ocr_batch_pages: int = 12,
    max_batches: int | None = None,
) -> dict[str, list[list[dict]]]:
    """Extraction batches, text and scans apart: ``{"text": [...], "ocr": [...]}``.

    A document goes to OCR when it has pages only OCR can read (its ``ocr_pages`` count, from
    :func:`extractors.ocr.ocr_pages`, is above 0), to text otherwise. Text batches hold
    `text_batch_size` documents; OCR batches are cut by pages (at most `ocr_batch_pages` a batch, a
    larger document alone), so one batch is minutes of OCR, not hours. Order is kept in each list;
    `max_batches` caps each list (batches grow instead)."""
    text = [d for d in docs if not int(d.get("ocr_pages") or 0)]
    scans = [d for d in docs if int(d.get("ocr_pages") or 0)]
    ocr: list[list[dict]] = []
    cur: list[dict] = []
    pages = 0
    limit = max(1, ocr_batch_pages)
    if max_batches and scans:
        limit = max(limit, -(-sum(int(d["ocr_pages"]) for d in scans) // max_batches))
    for d in scans:
        n = int(d["ocr_pages"])
        if cur and pages + n > limit:
            ocr.append(cur)
            cur, pages = [], 0
        cur.append(d)
        pages += n
    if cur:
        ocr.append(cur)
    return {"text": plan_batches(text, batch_size=text_batch_size, max_batches=max_batches, key=id),
            "ocr": ocr}
