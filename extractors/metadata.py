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
_SIGNATURE_ORG = re.compile(r"^[\u4e00-\u9fff（）()]{1,40}(人民政府|政府|办公室|办公厅|委员会|局|厅|管理委员会|街道办事处|中心|院|署)$")
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
    s = re.sub(r"^(关于)?(印发|公布|发布)?", "", s)
    s = re.sub(r"(关于|的)$", "", s)  # "某某县人民政府办公室关于2022年度…报告"
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
        # "…政府信息公开工作年度报告" with the year on a line of its own ("（2023年度）")
        for i, line in enumerate(head[:15]):
            if "年度报告" in line:
                for near in head[max(0, i - 1): i + 2]:
                    ym = re.search(r"(20\d{2})\s*年", near)
                    if ym:
                        md.year = int(ym.group(1))
                        break
            if md.year is not None:
                break
    if md.year is None:
        m = _TITLE_RE.search(" ".join(head))
        if m:
            md.year = int(m.group("year"))
            title_name = _tidy_name(m.group("pre")) or None

    if title_name is None:
        for line in head[:10]:
            if "政府信息公开" in line and "年度报告" in line:
                pre = _tidy_name(re.sub(r"20\d{2}\s*年\s*度?", "", line.split("政府信息公开")[0]))
                if 2 <= len(pre) <= 40:
                    title_name = pre
                break

    # ---- signature + date at the end
    tail = lines[-8:]
    signature = None
    for j in range(len(tail) - 1, -1, -1):
        line = tail[j].replace(" ", "")
        dm = _DATE_CN.match(_cn_digits(line))
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


_CN_DIGIT = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def _cn_digits(line: str) -> str:
    """"二〇二四年一月二十二日" → "2024年1月22日" (dates in signatures are often in Chinese numerals)."""
    m = re.fullmatch(r"([〇○零Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,4})日", line)
    if not m:
        return line
    year = "".join(_CN_DIGIT[ch] for ch in m.group(1))
    return f"{year}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日"


def _cn_number(s: str) -> int:
    if "十" not in s:
        return int(_CN_DIGIT.get(s, "0"))
    tens, _, ones = s.partition("十")
    return (int(_CN_DIGIT[tens]) if tens else 1) * 10 + (int(_CN_DIGIT[ones]) if ones else 0)


def _core(name: str) -> str:
    return re.sub(r"(人民政府|政府)$", "", name)


def _same_body(title_name: str, signature: str) -> bool:
    a, b = _core(title_name), _core(signature)
    return bool(a) and (a in b or b in a)
