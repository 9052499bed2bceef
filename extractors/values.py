"""Parse one printed table value by its column kind.

``parse_value(text, kind) -> Parsed(value, status, issue)``:

* blank text (empty / whitespace) → status ``blank``, value None — blank is not 0;
* markers for "nothing" ("—", "-", "/", "无" …) → status ``marker``, value None;
* counts → int ("12", "１２", "12件"); changes → signed int ("-15", "减4", "增3", "+2");
* amounts → :class:`~decimal.Decimal` in 万元 ("2977.8555万元", "251000元" → 25.1, bare numbers are 万元,
  thousands separators allowed);
* anything else → status ``unreadable`` with issue ``unreadable_value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from extractors import errors
from extractors.model import BLANK, MARKER, OK, UNREADABLE
from extractors.normalize import clean
from extractors.vocab import AMOUNT, CHANGE, COUNT

MARKERS = frozenset({"—", "-", "－", "/", "／", "无", "——", "--", "———", "\\", "×", "空", "–", "一", "/ ", "暂无"})


@dataclass(frozen=True)
class Parsed:
    value: int | Decimal | None
    status: str
    issue: str | None = None


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_COUNT_RE = re.compile(rf"^(?P<num>{_NUM})\s*(?:件|个|项|次|条|宗|人|例|起)?$")
_CHANGE_RE = re.compile(rf"^(?P<sign>[+\-]|增加?|减少?|新增)?\s*(?P<num>{_NUM})\s*(?:件|个|项|次|条)?$")
_AMOUNT_RE = re.compile(rf"^(?P<num>{_NUM})\s*(?P<unit>万元|万|元|亿元)?$")


_SPACED_DIGITS = re.compile(r"\d\s+\d")
MAX_DIGITS = 15  # digits in one number (thousands separators aside); more is not a value of the form
_TOO_MANY_DIGITS = re.compile(rf"\d(?:,?\d){{{MAX_DIGITS}}}[\d,]*")


def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _tidy(d: Decimal) -> Decimal:
    d = d.normalize()
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d


def _strip(text: str) -> str:
    t = clean(text)
    t = re.sub(r"</?[a-zA-Z][^>]*>", "", t)
    t = t.replace(" ", "").strip("*_`|")
    t = re.sub(r"[（(]\s*(件|个|项|万元|元)\s*[)）]$", r"\1", t)
    return t


def is_blank(text: str | None) -> bool:
    return text is None or _strip(text) == ""


@lru_cache(maxsize=65536)
def parse_value(text: str | None, kind: str = COUNT) -> Parsed:
    """Parse a printed value (see module doc). Never raises."""
    if text is None:
        return Parsed(None, BLANK)
    if _SPACED_DIGITS.search(clean(text)):
        # "1 0": two values in one cell, or one spaced out — never guess which
        return Parsed(None, UNREADABLE, errors.UNREADABLE_VALUE)
    t = _strip(text)
    if t == "":
        return Parsed(None, BLANK)
    if t in MARKERS or re.fullmatch(r"[—\-－/／_]+", t):
        return Parsed(None, MARKER)
    if _TOO_MANY_DIGITS.search(t):
        # no count or amount of the form has this many digits (and Python refuses to convert 4,300+):
        # that cell is unreadable, the document is not
        return Parsed(None, UNREADABLE, errors.UNREADABLE_VALUE)
    if kind == AMOUNT:
        m = _AMOUNT_RE.match(t)
        if m:
            d = _dec(m.group("num"))
            if d is not None:
                unit = m.group("unit")
                if unit == "元":
                    d = d / Decimal(10000)
                elif unit == "亿元":
                    d = d * Decimal(10000)
                return Parsed(_tidy(d), OK)
        return Parsed(None, UNREADABLE, errors.UNREADABLE_VALUE)
    if kind == CHANGE:
        m = _CHANGE_RE.match(t)
        if m and "." not in m.group("num"):
            n = int(m.group("num").replace(",", ""))
            sign = m.group("sign") or ""
            if sign == "-" or sign.startswith("减"):
                n = -n
            return Parsed(n, OK)
        return Parsed(None, UNREADABLE, errors.UNREADABLE_VALUE)
    m = _COUNT_RE.match(t)
    if m and "." not in m.group("num"):
        return Parsed(int(m.group("num").replace(",", "")), OK)
    if m and re.fullmatch(r"\d+\.0+", m.group("num")):  # "12.0" from spreadsheet exports
        return Parsed(int(Decimal(m.group("num"))), OK)
    return Parsed(None, UNREADABLE, errors.UNREADABLE_VALUE)


@lru_cache(maxsize=65536)
def looks_like_value(text: str | None) -> bool:
    """True when a non-empty cell reads as a value of some kind (number, signed number, amount,
    marker): used to tell a row's label cells from its value cells."""
    if text is None or _strip(text) == "":
        return False
    if _TOO_MANY_DIGITS.fullmatch(_strip(text)):
        return True  # a number too long to be read: in a value's place, read as that cell's `unreadable`
    if _DIGIT_RUN.match(_strip(text)):
        return True  # digits with separators in odd places: cells run together ("…5462,223")
    return any(parse_value(text, kind).status in (OK, MARKER) for kind in (CHANGE, AMOUNT))


_DIGIT_RUN = re.compile(r"^[+\-]?\d[\d,]*\d$")


def is_run_together(tokens: list[str], ncols: int) -> bool:
    """A row printed without separators between its cells ("640020470" for 7 columns): fewer
    tokens than columns, and one token is a long digit string with at least as many digits as the
    columns left to fill — do not try to split it (only the balancing identities could)."""
    if not tokens or len(tokens) >= ncols:
        return False
    digits = [re.sub(r"\D", "", _strip(t)) for t in tokens]
    missing = ncols - len(tokens)
    lens = sorted(len(d) for d in digits)
    longest = lens[-1]
    others = lens[:-1]
    typical = others[len(others) // 2] if others else 1
    return longest >= missing + 1 and (longest >= 2 * max(typical, 1) or len(tokens) == 1)
