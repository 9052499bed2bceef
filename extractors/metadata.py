"""Report metadata from a document's text: publisher, report year, publication date.

* year — the year in the title "20XX年(度)…政府信息公开工作年度报告" (the report's year, not the year it
  was published in);
* publisher — the official name as printed: the name before the year in the title (or the line
  above the title), replaced by the signature at the end when that is the same body's fuller name
  (景芝镇人民政府 → 安丘市景芝镇人民政府), or completed to "…人民政府" when the document prints that;
* published_on — "发布日期: 2021-01-27", or the date printed under the signature ("2021年1月26日").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.normalize import clean

_TITLE_RE = re.compile(
    r"(?P<pre>[^\n]{0,60}?)\s*(?P<year>20\d{2})\s*年\s*度?\s*(?:本级|本机关)?\s*(?:政府信息|政务)公开(?:工作)?\s*年\s*度\s*报\s*告"
)
_TITLE_YEAR_FIRST = re.compile(
    r"(?P<year>20\d{2})\s*年\s*度?\s*(?P<name>[\u4e00-\u9fff（）()]{2,30}?)\s*(?:政府信息|政务)公开(?:工作)?\s*年\s*度\s*报\s*告"
)
_ORG_SUFFIX = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|局|厅|委|办|中心|街道办事处|管委会|院|署|所|镇|乡|街道|区|县|市)$")
_SIGNATURE_ORG = re.compile(r"^[\u4e00-\u9fff（）()]{3,40}(人民政府|政府|办公室|办公厅|委员会|局|厅|管理委员会|街道办事处|中心|院|署)$")
_DATE_CN = re.compile(r"^(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_DATE_PUB = re.compile(r"发布(?:日期|时间)\s*[:：]\s*(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass
class Metadata:
    publisher: str | None = None
    year: int | None = None
    published_on: str | None = None


def _iso(y: str, m: str, d: str) -> str | None:
    mi, di = int(m), int(d)
    if 1 <= mi <= 12 and 1 <= di <= 31:
        return f"{int(y):04d}-{mi:02d}-{di:02d}"
    return None


def _tidy_name(s: str) -> str:
    s = clean(s)
    s = re.sub(r"^.*?[:：>》]\s*", "", s) if re.search(r"[:：>》]", s) else s
    s = re.sub(r"[\s\"“”《》<>#*]", "", s)
    s = re.sub(r"^(关于)?", "", s)
    return s.strip("，,。.、 ")


def read_metadata(text: str) -> Metadata:
    md = Metadata()
    if not text:
        return md
    lines = [clean(x) for x in text.splitlines()]
    lines = [x for x in lines if x]
    head = lines[:40]

    # ---- year + title name
    title_name = None
    for i, line in enumerate(head):
        m = _TITLE_RE.search(line)
        if not m:
            continue
        md.year = int(m.group("year"))
        pre = _tidy_name(m.group("pre"))
        if not pre and i > 0:
            prev = _tidy_name(head[i - 1])
            if 2 <= len(prev) <= 30 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", prev):
                pre = prev
        title_name = pre or None
        break
    if md.year is None:
        for line in head:
            m = _TITLE_YEAR_FIRST.search(line)
            if m:
                md.year = int(m.group("year"))
                title_name = _tidy_name(m.group("name")) or None
                break
    if md.year is None:
        m = _TITLE_RE.search(" ".join(head))
        if m:
            md.year = int(m.group("year"))
            title_name = _tidy_name(m.group("pre")) or None

    # ---- signature + date at the end
    tail = lines[-8:]
    signature = None
    for j in range(len(tail) - 1, -1, -1):
        line = tail[j].replace(" ", "")
        dm = _DATE_CN.match(line)
        if dm and md.published_on is None:
            md.published_on = _iso(*dm.groups())
            if j > 0 and _SIGNATURE_ORG.match(tail[j - 1].replace(" ", "")):
                signature = tail[j - 1].replace(" ", "")
            break
    if md.published_on is None:
        pm = _DATE_PUB.search(text[:5000])
        if pm:
            md.published_on = _iso(*pm.groups())

    # ---- publisher
    name = title_name
    if signature and (name is None or (_same_body(name, signature) and len(signature) >= len(name))):
        name = signature
    if name and not re.search(r"(人民政府|政府|局|委员会|办公室|办事处|中心|厅|院|署)$", name):
        compact = re.sub(r"\s+", "", text)
        for k in range(len(name) - 1):
            cand = name[k:] + "人民政府"
            if cand in compact:
                name = cand
                break
    md.publisher = name
    return md


def _core(name: str) -> str:
    return re.sub(r"(人民政府|政府)$", "", name)


def _same_body(title_name: str, signature: str) -> bool:
    a, b = _core(title_name), _core(signature)
    return bool(a) and (a in b or b in a)
