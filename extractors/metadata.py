"""Report metadata from a document's text: publisher, report year, publication date.

* year — the year in the title "20XX年(度)…政府信息公开工作年度报告" (the report's year, not the year it
  was published in);
* publisher — the most official full name the document prints for its issuing body. Candidates: the
  name before the year in the title (or the line above the title), a 发布机构/发布单位/来源 line, and
  the signature above the date at the end; a name taken from a sentence of prose ("根据…，现将某某局
  2023年度…报告公布如下") is cut to the name itself. The title's body wins over other bodies; a
  candidate naming the same body more officially replaces it (景芝镇人民政府 → 安丘市景芝镇人民政府,
  小王庄镇 → 小王庄镇人民政府 when printed), and a bare place name is completed to "…人民政府" when the
  document prints that;
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


_ISSUER = re.compile(r"(?:发布机构|发布单位|发文机关|发布部门|来源|信息来源)\s*[:：]\s*([\u4e00-\u9fff（）()]{2,40})")
_OFFICIAL = (("人民政府办公室", "人民政府办公厅", "人民政府"), ("办公室", "办公厅", "委员会", "管理委员会", "局", "厅",
                                                           "街道办事处", "办事处", "中心", "院", "署", "政府"),
             ("镇", "乡", "街道", "区", "县", "市"))
_PROSE_LEAD = re.compile(r"^.*?(?:现将|特将|现就|现|特|将|根据|按照|依据|关于|公布|发布|编制|印发)(?=[\u4e00-\u9fff])")


def _issuer_line(lines: list[str]) -> str | None:
    """The body named by a 发布机构 / 发布单位 / 来源 line (CMS page chrome)."""
    for line in lines:
        m = _ISSUER.search(line)
        if m and "网" not in m.group(1):  # "来源：某某市政府网" names a website, not the issuing body
            return m.group(1)
    return None


def _plausible_name(name: str) -> bool:
    return 2 <= len(name) <= 40 and bool(re.fullmatch(r"[\u4e00-\u9fff（）()]+", name))


def _rank(name: str) -> tuple[int, int]:
    """How official a name is: a government or agency suffix over a bare place name, then length."""
    for r, suffixes in enumerate(_OFFICIAL):
        if name.endswith(suffixes):
            return (len(_OFFICIAL) - r, len(name))
    return (0, len(name))


def _tidy_name(s: str) -> str:
    s = clean(s)
    if re.search(r"[，,。；;]", s):
        # a sentence of prose before the year: keep the name just before it
        s = re.split(r"[，,。；;]", s)[-1]
        s = _PROSE_LEAD.sub("", s)
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
                for near in head[max(0, i - 1): i + 3]:
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
    others = [x for x in (_issuer_line(lines[:40] + lines[-12:]), signature) if x]
    name = title_name if title_name and _plausible_name(title_name) else None
    if name is None:
        name = next((x for x in others if _plausible_name(x)), None)
    for cand in others:
        if name is not None and _plausible_name(cand) and _same_body(name, cand) and _rank(cand) >= _rank(name):
            name = cand
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
    from extractors.claims import cn_int  # (claims reads these digits: imported here, not at the top)

    return cn_int(s) or 0


def _core(name: str) -> str:
    return re.sub(r"(人民政府|政府)$", "", name)


def _same_body(title_name: str, signature: str) -> bool:
    a, b = _core(title_name), _core(signature)
    return bool(a) and (a in b or b in a)
