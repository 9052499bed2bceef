"""Text printed twice, word by word: a PDF whose bold is faked by drawing every glyph twice, a hair
apart (common where a font has no bold face), run through a converter that prints both copies
(``pdftotext -raw``). Each word then appears twice — the second copy on the line after the first, or a
few words later — so a row's label and its values no longer line up.

:func:`undouble` recognises such text and gives it once. The test is strict: the words must pair up,
in order, each word with a later copy of itself on a later line (first-in first-out, the two copies
never overtaking each other), with nothing left over. Ordinary text never passes it — its labels and
prose are not repeated — and text that passes is two identical copies merged, so giving one copy
loses nothing. Form feeds (pages) are kept.
"""

from __future__ import annotations

import re
from collections import deque

_CJK = re.compile(r"[\u3400-\u9fff]")
MIN_WORDS = 12  # shorter texts are not judged
MIN_CJK_WORDS = 6  # a report in Chinese: numbers alone never decide it
MAX_LAG = 2000  # words printed but not yet seen again: the copies stay close


def undouble(text: str) -> str | None:
    """The text once, when every word of it is printed twice (see the module doc); else None."""
    lines = text.split("\n")
    words = [(i, w) for i, line in enumerate(lines) for w in line.split()]
    if len(words) < MIN_WORDS or sum(1 for _, w in words if _CJK.search(w)) < MIN_CJK_WORDS:
        return None
    pending: deque[tuple[int, str]] = deque()
    firsts: list[tuple[int, str]] = []
    for i, w in words:
        if pending and pending[0][1] == w and pending[0][0] < i:
            pending.popleft()  # the second copy of the oldest word not yet seen twice
            continue
        pending.append((i, w))
        firsts.append((i, w))
        if len(pending) > MAX_LAG:
            return None
    if pending:
        return None
    out: list[str] = []
    prev: int | None = None
    for i, w in firsts:
        if prev is not None:
            if i == prev:
                out.append(" ")
            else:
                out.append("\f\n" if any("\f" in line for line in lines[prev + 1:i + 1]) else "\n")
        out.append(w)
        prev = i
    return "".join(out) + "\n"
