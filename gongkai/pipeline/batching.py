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
