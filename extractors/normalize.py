"""Text normalisation for matching printed labels.

PDF text layers and Word exports print the same label in many ways: Kangxi radicals (⼀ U+2F00
instead of 一), full-width digits and punctuation, spaces and line breaks inside words ("自 然 人",
"商业\\n企业"), half- or full-width brackets, numbering "1、" / "1." / "1．". :func:`clean` makes text
readable and comparable; :func:`label_key` reduces a label to the key used for matching.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

# CJK Radicals Supplement (U+2E80–2EFF) has no NFKC decomposition; the common ones map by hand
# to the unified ideograph they stand for.
_SUPPLEMENT = {
    "\u2e80": "丷", "\u2e81": "厂", "\u2e82": "乛", "\u2e83": "乚", "\u2e84": "乙", "\u2e85": "亻",
    "\u2e86": "冂", "\u2e87": "几", "\u2e88": "刀", "\u2e89": "刂", "\u2e8a": "卜", "\u2e8b": "㔾",
    "\u2e8c": "小", "\u2e8d": "小", "\u2e8e": "兀", "\u2e8f": "尢", "\u2e90": "尢", "\u2e91": "尢",
    "\u2e92": "巳", "\u2e93": "幺", "\u2e94": "彑", "\u2e95": "彐", "\u2e96": "忄", "\u2e97": "心",
    "\u2e98": "扌", "\u2e99": "攵", "\u2e9b": "旡", "\u2e9c": "日", "\u2e9d": "月", "\u2e9e": "歹",
    "\u2e9f": "母", "\u2ea0": "民", "\u2ea1": "氵", "\u2ea2": "氺", "\u2ea3": "灬", "\u2ea4": "爫",
    "\u2ea5": "爫", "\u2ea6": "丬", "\u2ea7": "牛", "\u2ea8": "犭", "\u2ea9": "王", "\u2eaa": "疋",
    "\u2eab": "目", "\u2eac": "示", "\u2ead": "礻", "\u2eae": "竹", "\u2eaf": "糹", "\u2eb0": "纟",
    "\u2eb1": "罒", "\u2eb2": "罒", "\u2eb3": "罒", "\u2eb4": "罒", "\u2eb5": "罒", "\u2eb6": "羊",
    "\u2eb7": "羊", "\u2eb8": "羊", "\u2eb9": "耂", "\u2eba": "聿", "\u2ebb": "聿", "\u2ebc": "月",
    "\u2ebd": "臼", "\u2ebe": "艹", "\u2ebf": "艹", "\u2ec0": "艹", "\u2ec1": "虎", "\u2ec2": "衤",
    "\u2ec3": "覀", "\u2ec4": "西", "\u2ec5": "见", "\u2ec6": "角", "\u2ec7": "角", "\u2ec8": "讠",
    "\u2ec9": "贝", "\u2eca": "足", "\u2ecb": "车", "\u2ecc": "辶", "\u2ecd": "辶", "\u2ece": "辶",
    "\u2ecf": "阝", "\u2ed0": "钅", "\u2ed1": "长", "\u2ed2": "长", "\u2ed3": "长", "\u2ed4": "门",
    "\u2ed5": "阜", "\u2ed6": "阝", "\u2ed7": "雨", "\u2ed8": "青", "\u2ed9": "韦", "\u2eda": "页",
    "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食", "\u2ede": "食", "\u2edf": "食", "\u2ee0": "饣",
    "\u2ee1": "首", "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟",
    "\u2ee7": "卤", "\u2ee8": "麦", "\u2ee9": "黄", "\u2eea": "黾", "\u2eeb": "斉", "\u2eec": "齐",
    "\u2eed": "歯", "\u2eee": "齿", "\u2eef": "竜", "\u2ef0": "龙", "\u2ef1": "龜", "\u2ef2": "亀",
    "\u2ef3": "龟",
}

# Characters that NFKC leaves alone but that print the same thing.
_EXTRA = {
    "\u3000": " ", "\u00a0": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
    "〔": "(", "〕": ")", "【": "(", "】": ")", "［": "(", "］": ")",
    "－": "-", "—": "—", "‐": "-", "‑": "-", "‒": "-", "–": "-", "−": "-",
    "、": "、", "．": ".", "。": "。",
    "“": "“", "”": "”", "＂": '"',
}


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Kangxi Radicals (U+2F00–2FDF) and CJK Compatibility Ideographs decompose under NFKC.
    for cp in list(range(0x2F00, 0x2FE0)) + list(range(0xF900, 0xFB00)):
        ch = chr(cp)
        n = unicodedata.normalize("NFKC", ch)
        if n != ch:
            table[cp] = n
    for k, v in _SUPPLEMENT.items():
        table[ord(k)] = v
    for k, v in _EXTRA.items():
        table[ord(k)] = v
    return table


_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}（）()、，,：:“”])\s+(?=[{_CJK}（）()、，,：:“”])")


def clean(text: str | None) -> str:
    """Readable, comparable text: NFKC, Kangxi radicals mapped, full-width → half-width, brackets
    unified to ASCII "()", whitespace inside CJK runs removed, other whitespace collapsed."""
    if not text:
        return ""
    if text.isascii():
        return re.sub(r"\s+", " ", text).strip()
    t = unicodedata.normalize("NFKC", text.translate(_table()))
    t = t.translate(_table())  # NFKC may produce characters of the extra table (e.g. U+3000)
    t = _SPACE_IN_CJK.sub("", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t


_NOISE = re.compile(r"[\s\"'“”‘’`*_#<>|]|</?p>")
_PUNCT_TAIL = re.compile(r"[:：;；,，。.、]+$")


@lru_cache(maxsize=65536)
def label_key(text: str | None) -> str:
    """The key two printed labels are compared by: :func:`clean`, then all whitespace, quotes,
    markdown/html remnants removed, numbering unified ("1、" "1．" "1 ." → "1."; "（一）" → "(一)"),
    trailing punctuation dropped."""
    t = clean(text)
    t = re.sub(r"</?[a-zA-Z][^>]*>", "", t)
    t = _NOISE.sub("", t)
    # numbering: "(1)" / "①" / "1、" / "1," / "1．" → "1."
    t = re.sub(r"^\((\d{1,2})\)", r"\1.", t)
    if t and "\u2460" <= t[0] <= "\u2473":  # ① … ⑳
        t = f"{ord(t[0]) - 0x2460 + 1}.{t[1:]}"
    t = re.sub(r"^(\d{1,2})[、,，.．]", r"\1.", t)
    t = re.sub(r"^(\d{1,2})(?=[^\d.])", r"\1.", t) if re.match(r"^\d{1,2}[\u4e00-\u9fff]", t) else t
    # "一." / "一," → "一、"
    t = re.sub(r"^([一二三四五六七八九十]{1,3})[.,，．]", r"\1、", t)
    if re.fullmatch(r"\d{1,2}\.|[一二三四五六七八九十]{1,3}、", t):
        return t  # numbering alone ("1.") keeps its mark
    t = _PUNCT_TAIL.sub("", t)
    return t


_NUMBERING = re.compile(
    r"^(?:\((?P<paren>[一二三四五六七八九十]{1,3})\)|(?P<dun>[一二三四五六七八九十]{1,3})、|(?P<digit>\d{1,2})\.)"
)


def split_numbering(key: str) -> tuple[str | None, str | None, str]:
    """Split a label key into (kind, number, text): kind is "paren" for "(三)", "dun" for "三、",
    "digit" for "3."; (None, None, key) when the label has no numbering."""
    m = _NUMBERING.match(key)
    if not m:
        return None, None, key
    for kind in ("paren", "dun", "digit"):
        if m.group(kind):
            return kind, m.group(kind), key[m.end():]
    return None, None, key  # pragma: no cover


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """Fuzzy similarity of two label keys in [0, 1] (difflib ratio, boosted for containment)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    from difflib import SequenceMatcher

    r = SequenceMatcher(None, a, b, autojunk=False).ratio()
    if len(a) >= 2 and len(b) >= 2 and (a in b or b in a):
        r = max(r, 0.6 + 0.4 * min(len(a), len(b)) / max(len(a), len(b)))
    return r


# ---- control characters: what an extracted string may never carry (one pass over every Record)

# ANSI/VT escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \ — sets a terminal's title),
# DCS/SOS/PM/APC strings, and two-character ESC sequences
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates, and lone
# surrogates (not valid Unicode text: no database or terminal accepts them)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def strip_controls(text: str | None) -> str | None:
    """``text`` without terminal escape sequences, control characters (tab and newline are kept; a
    carriage return becomes a newline), bidi overrides or lone surrogates."""
    if not text or (text.isprintable() and text.isascii()):
        return text
    t = _ESCAPES.sub("", text)
    t = t.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", t)


_LAYOUT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def strip_layout_controls(text: str) -> str:
    """Decoded document text without terminal escape sequences and control characters, but with its
    layout (tab, newline, carriage return, form feed) kept: what a reader parses, so that an escape
    inside a title does not hide the name it wraps."""
    if text.isascii() and text.isprintable():
        return text
    return _LAYOUT_CONTROLS.sub("", _ESCAPES.sub("", text))


def strip_record_controls(rec):
    """Strip control characters from every extracted string of a Record (in place; returns it)."""
    r = rec.report
    r.publisher, r.published_on, r.format_version = (strip_controls(r.publisher),
                                                     strip_controls(r.published_on),
                                                     strip_controls(r.format_version))
    for c in rec.cells:
        c.raw = strip_controls(c.raw)
    for i in rec.issues:
        i.message = strip_controls(i.message)
    if rec.error is not None:
        rec.error.message = strip_controls(rec.error.message)
    rec.source.media_type = strip_controls(rec.source.media_type)
    return rec
