"""Prose claims: the numbers a report's prose quotes about itself ("共收到政府信息公开申请5件",
"主动公开政府信息296条", "全年未发生因政府信息公开被行政复议、提起行政诉讼情况"), as data.

``read_claims(text, year, page_starts)`` → one :class:`~extractors.model.Claim` per number quoted for a
measure of :data:`MEASURES`: the sentence (trimmed), the number, the measure it names, the period it
is about, the page (where the medium has pages) and the character offset of the number in the text.

Precision over recall — a wrong claim makes R8 accuse a report of contradicting itself:

* a claim is a *measure phrase* (收到…申请, 予以公开, 行政复议 …) followed only by filler words
  (共, 合计, 为 …) and then a number with a unit (件, 条, 例 …): "较上年增加3件", "同比增长20%",
  "第二十条", "4055余件" (approximate), "3至5件" (a range) and numbers with no measure are never claims;
* the measure must be unambiguous: outcome phrases (予以公开 …) only where the prose speaks of
  applications, review and litigation only of 政府信息公开 ones, channel parts ("通过政务微信主动公开
  …177条") and parts after 其中 of a measure already claimed are left out;
* zero said in words is a claim of 0 ("未收到依申请公开事项", "未发生…行政复议、…行政诉讼");
  numbers in Chinese numerals ("五件", "两件", "十二件") and with 万 are read exactly;
* the period: ``report_year`` unless the sentence says otherwise — 上年/去年 or the year before
  (``previous_year``: not a claim about this report's tables), another year or a span from another
  year ("2019年截至目前": ``unclear``). 上年结转 is this year's carried-over row, not last year's.

Each measure maps to the form's cells (:data:`MEASURES`, the vocabulary of :mod:`extractors.vocab`): the
sum of those cells in the report's format version is what R8 compares the claim with. A measure the form
has no cell for (the number of items proactively published, the fees collected) is still a claim; R8
does not evaluate it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from extractors import vocab
from extractors.metadata import _CN_DIGIT as _DATE_DIGITS
from extractors.model import Claim
from extractors.normalize import _table as _normal_table

REPORT_YEAR, PREVIOUS_YEAR, UNCLEAR = "report_year", "previous_year", "unclear"
PERIODS = (REPORT_YEAR, PREVIOUS_YEAR, UNCLEAR)


@dataclass(frozen=True)
class Measure:
    code: str
    label: str                               # the form's Chinese words for it
    rows: tuple[tuple[str, str], ...] = ()   # (table, row) cells of the 总计/total column it sums; () = no cell

    def cells(self, format_version: str) -> tuple[tuple[str, str, str], ...]:
        """The (table, row, column) cells of this measure in `format_version` (only rows the format has)."""
        index = vocab.cell_index(format_version)
        return tuple((t, r, "total") for t, r in self.rows if (t, r, "total") in index)


def _apps(*rows: str) -> tuple[tuple[str, str], ...]:
    return tuple(("applications", r) for r in rows)


_WITHHELD = tuple(r for r in vocab.OUTCOME_ROWS if r.startswith("withheld_"))
_UNAVAILABLE = tuple(r for r in vocab.OUTCOME_ROWS if r.startswith("unavailable_"))
_NOT_PROCESSED = tuple(r for r in vocab.OUTCOME_ROWS if r.startswith("not_processed_"))

MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("applications.new_received.total", "本年新收政府信息公开申请数量", _apps("new_received")),
    Measure("applications.carried_over.total", "上年结转政府信息公开申请数量", _apps("carried_over")),
    Measure("applications.total_handled.total", "本年度办理结果总计（办结、答复）", _apps("total_handled")),
    Measure("applications.carried_forward.total", "结转下年度继续办理", _apps("carried_forward")),
    Measure("applications.granted.total", "予以公开", _apps("granted")),
    Measure("applications.partially_granted.total", "部分公开", _apps("partially_granted")),
    Measure("applications.withheld.total", "不予公开（八项之和）", _apps(*_WITHHELD)),
    Measure("applications.unavailable.total", "无法提供（三项之和）", _apps(*_UNAVAILABLE)),
    Measure("applications.not_processed.total", "不予处理（五项之和）", _apps(*_NOT_PROCESSED)),
    Measure("review_litigation.administrative_review.total", "政府信息公开行政复议总计",
            (("review_litigation", "administrative_review"),)),
    Measure("review_litigation.litigation.total", "政府信息公开行政诉讼总计（未经复议直接起诉 + 复议后起诉）",
            (("review_litigation", "litigation_direct"), ("review_litigation", "litigation_after_review"))),
    Measure("review_litigation.litigation_direct.total", "行政诉讼·未经复议直接起诉总计",
            (("review_litigation", "litigation_direct"),)),
    Measure("review_litigation.litigation_after_review.total", "行政诉讼·复议后起诉总计",
            (("review_litigation", "litigation_after_review"),)),
    Measure("proactive.items_published", "主动公开政府信息条数（表中无此格）"),
    Measure("fees.collected_yuan", "收取信息处理费（元；表中无此格）"),
)}


# ------------------------------------------------------------------ the text, normalised with an offset map

_PAGE_NUMBER_LINE = re.compile(r"^[ \t]*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*/?\s*共\s*\d+\s*页)?)[ \t]*$", re.M)
_BOUNDARY = "\n"


def _norm_char(ch: str) -> str:
    t = ch.translate(_normal_table())
    if t and not t.isascii():
        t = unicodedata.normalize("NFKC", t).translate(_normal_table())
    return t


def prose_text(text: str) -> tuple[str, list[int]]:
    """`text` normalised for matching (NFKC, full-width digits, no spaces or line breaks inside a
    sentence, page-number lines dropped; tabs and blank lines as sentence boundaries), and for each
    character of it the offset of the character of `text` it comes from."""
    skip = bytearray(len(text))
    for m in _PAGE_NUMBER_LINE.finditer(text):
        skip[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    out: list[str] = []
    where: list[int] = []
    pending = ""  # since the last kept character: "" nothing, "space", "break" (one line break), "boundary"
    pending_at = 0
    for i, ch in enumerate(text):
        if skip[i]:
            continue
        if ch == "\n":
            # one line break is a wrapped line; a blank line ends the sentence
            pending = "boundary" if pending in ("break", "boundary") else "break"
        elif ch == "\t":
            pending = "boundary"  # table cells
        elif ch.isspace() or ch in "\u200b\ufeff":
            pending = pending or "space"
        else:
            t = _norm_char(ch)
            if not t:
                continue
            if pending == "boundary" and out:
                out.append(_BOUNDARY)
                where.append(pending_at)
            elif pending and out and out[-1].isascii() and out[-1].isalnum() and t[0].isascii() and t[0].isalnum():
                out.append(" ")  # "95 0 0": table values stay apart; "申请 17 件" closes up
                where.append(pending_at)
            pending = ""
            for c in t:
                out.append(c)
                where.append(i)
            continue
        pending_at = i
    return "".join(out), where


# ------------------------------------------------------------------ numbers

# the digits of dates (extractors.metadata) without the look-alikes years are printed with (○, O), and 两
_CN_DIGITS = {k: int(v) for k, v in _DATE_DIGITS.items() if "\u4e00" <= k <= "\u9fff" or k == "〇"} | {"两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?P<wan>万)?"


def cn_int(s: str) -> int | None:
    """A number in Chinese numerals ("五", "十二", "一百零五", "两千") → int; None if malformed."""
    if not s:
        return None
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return _CN_DIGITS[s]
        return None  # "一二" is not a number (and "二〇二〇" is a year, not a count)
    total, digit = 0, None
    last_unit = 10_000
    for c in s:
        if c in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[c] != 0:
                return None
            digit = _CN_DIGITS[c] if _CN_DIGITS[c] != 0 else None
        elif c in _CN_UNITS:
            unit = _CN_UNITS[c]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    return total + (digit or 0)


def _value(num: str, wan: str | None) -> int | Decimal | None:
    if num[0].isdigit():
        d = Decimal(num.replace(",", ""))
    else:
        n = cn_int(num)
        if n is None:
            return None
        d = Decimal(n)
    if wan:
        d *= 10_000
    if d == d.to_integral_value():
        return int(d)
    return d


# ------------------------------------------------------------------ the measure phrases

_FILL = r"(?:共计|合计|总计|累计|总数|共|计|为|是|了|达到|达|有|的|:)*"
_UNIT_APPS = r"(?:件|个|份|宗|起|例|条)"
_UNIT_CASES = r"(?:件|起|例|宗|个)"
_GI = r"(?:政府信息公开|信息公开|依申请公开(?:政府信息)?)"
# applications, named unambiguously: 政府信息公开申请, 依申请公开（事项）
_APPLICATIONS = r"(?:(?:政府信息公开|信息公开)(?:的)?(?:申请|申请件|申请事项)|依申请公开(?:政府信息)?(?:的)?(?:申请|事项|申请事项)?)"


@dataclass(frozen=True)
class _Pattern:
    measure: str | None        # None: the measure is chosen from the words (litigation kinds)
    regex: re.Pattern[str]
    unit: str
    needs: str | None = None   # a word the sentence (or the one before) must contain
    context: str | None = None  # a regex the text before the phrase (this sentence and the one before) must match


def _p(measure: str | None, phrase: str, unit: str = _UNIT_APPS, needs: str | None = None,
       context: str | None = None) -> _Pattern:
    return _Pattern(measure, re.compile(rf"(?P<phrase>{phrase}){_FILL}{_NUM}(?P<unit>{unit})"), unit, needs,
                    re.compile(context) if context else None)


_NOT_ON_TIME = r"(?<!按时)(?<!按期)(?<!及时)(?<!逾期)(?<!限期)(?<!当场)(?<!当日)(?<!时限内)"

_PATTERNS: tuple[_Pattern, ...] = (
    # 上年结转 first: this year's carried-over row (not a claim about last year)
    _p("applications.carried_over.total",
       rf"上一?年度?结转(?:的)?(?:{_GI})?(?:申请)?(?:数量|事项)?"),
    _p("applications.carried_forward.total",
       rf"结转(?:至|到)?下一?年度?(?:继续)?(?:办理)?(?:的)?(?:{_GI})?(?:申请)?(?:数量|事项)?"),
    _p("applications.new_received.total",
       rf"(?:新收|收到|接收|接到|受理)(?:各类|群众|公民|社会公众|公众)?(?:的)?{_APPLICATIONS}"),
    # "（二）依申请公开情况。共收到申请5件": the words before say which applications
    _p("applications.new_received.total",
       r"(?:新收|收到|接收|接到|受理)(?:各类|群众|公民|社会公众|公众)?(?:的)?申请(?:件|事项)?",
       context=r"依申请公开|政府信息公开申请"),
    _p("applications.total_handled.total", rf"{_NOT_ON_TIME}(?:办结|答复|办理|处理)(?:了)?{_APPLICATIONS}"),
    _p("applications.granted.total", r"(?:予以公开|同意公开)(?:答复)?(?:的)?", needs="申请"),
    _p("applications.partially_granted.total", r"部分公开(?:答复)?(?:的)?", needs="申请"),
    _p("applications.withheld.total", r"不予公开(?:答复)?(?:的)?", needs="申请"),
    _p("applications.unavailable.total", r"无法提供(?:的)?", needs="申请"),
    _p("applications.not_processed.total", r"不予处理(?:的)?", needs="申请"),
    _p("review_litigation.administrative_review.total",
       r"(?<!后)(?:被申请|申请|提起|发生|引发|涉及)?(?:的)?(?:行政)?复议(?:申请)?(?:案件)?(?!后)",
       _UNIT_CASES, needs="信息公开"),
    _p(None, r"(?:提起|发生|引发|涉及)?(?:的)?(?:(?:未经复议)?直接起诉|复议后起诉|行政诉讼|涉诉|诉讼)(?:案件)?",
       _UNIT_CASES, needs="信息公开"),
    _p("proactive.items_published", r"主动公开(?:各类)?(?:政府)?信息", r"(?:条)"),
    _p("fees.collected_yuan", r"收取(?:政府信息公开)?(?:信息处理费|处理费)", r"(?:元)"),
)

# zero in words
_NO = r"(?:未|没有|无)(?:发生|出现|收到|接到|产生|受理)?"
_ZERO_RECEIVED = re.compile(
    rf"(?:未|没有)(?:收到|接到|受理)(?:任何|过)?(?:的)?{_APPLICATIONS}|无依申请公开(?:事项|申请)")
_ZERO_CASES = re.compile(
    rf"{_NO}(?:因|涉及)?(?:政府)?信息公开(?:工作|事项|申请)?(?:而|被|引起的?|引发的?|方面的?)?"
    r"(?P<list>(?:(?:提起|申请|被)?(?:行政)?(?:复议|诉讼)(?:案件)?(?:[、和及或与]|以及)?)+)")
_ZERO_CASES_AFTER = re.compile(
    r"(?P<list>(?:(?:行政)?(?:复议|诉讼)(?:案件)?(?:[、和及或与]|以及)?){1,3})(?:数量|案件)?(?:均|都)?为(?:零|0)(?!\d)")

_CLAUSE_MARK = re.compile(r"[,，;；:：]")
_YEAR = re.compile(r"(20\d{2})年(?!\d)")
_SPAN_AFTER_YEAR = re.compile(r"^(?:度)?(?:以来|截至|截止|至今|到目前|至目前|截至目前|底以来)")
_PREV_WORDS = re.compile(r"(?:上一?年(?!度?结转)|去年|前一年|上年度(?!结转))")
_CHANNEL = re.compile(r"(?:通过|利用|依托|在)[^,，;；。]{0,30}$")
_APPROX_BEFORE = re.compile(r"(?:约|近|逾|超过|多达|不足|不到|大约)$")
_APPROX_AFTER = re.compile(r"^(?:余|多|左右)")


@dataclass
class _Found:
    measure: str
    value: int | Decimal
    start: int        # of the number (or the words saying zero), in the normalised text
    end: int
    raw: str
    period: str


def read_claims(text: str, year: int | None = None, page_starts: list[int] | None = None) -> list[Claim]:
    """The claims of a document's text (see the module doc). `year`: the report's year; `page_starts`:
    the offset in `text` where each page begins (page 1 first), for media with pages."""
    if not text:
        return []
    norm, where = prose_text(text)
    claims: list[Claim] = []
    prev_sentence = ""
    for s_start, s_end in _sentences(norm):
        sentence = norm[s_start:s_end]
        found = _in_sentence(sentence, prev_sentence, year)
        prev_sentence = sentence
        for f in found:
            raw_offset = where[s_start + f.start]
            page = None
            if page_starts:
                page = bisect.bisect_right(page_starts, raw_offset)
            claims.append(Claim(measure=f.measure, value=f.value, raw=f.raw, period=f.period,
                                sentence=_trim(sentence.strip()), page=page, offset=raw_offset))
    return claims


def _sentences(norm: str):
    start = 0
    for m in re.finditer(r"[。！？!?；;\n]", norm):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(norm):
        yield start, len(norm)


def _trim(s: str, limit: int = 300) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _period(sentence: str, at: int, year: int | None, carried_over: bool) -> str:
    """The period a number at `at` of `sentence` is about."""
    clause_start = max((m.end() for m in _CLAUSE_MARK.finditer(sentence, 0, at)), default=0)
    if not carried_over and _PREV_WORDS.search(sentence, clause_start, at):
        return PREVIOUS_YEAR
    before = re.sub(r"《[^》]*》", lambda m: "_" * len(m.group()), sentence[:at])
    years = list(_YEAR.finditer(before))
    if not years:
        return REPORT_YEAR
    last = years[-1]
    y = int(last.group(1))
    if y == year:
        return REPORT_YEAR
    span = bool(_SPAN_AFTER_YEAR.match(sentence[last.end():]))
    if year is not None and y == year - 1 and not span:
        return PREVIOUS_YEAR
    return UNCLEAR


def _in_sentence(sentence: str, prev_sentence: str, year: int | None) -> list[_Found]:
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    for pat in _PATTERNS:
        if pat.needs and pat.needs not in sentence and pat.needs not in prev_sentence:
            continue
        for m in pat.regex.finditer(sentence):
            if not free(m.start("phrase"), m.end()):
                continue
            if pat.context and not pat.context.search(prev_sentence + sentence[: m.start("phrase")]):
                continue
            measure = pat.measure or _litigation_measure(m.group("phrase"))
            if measure is None:
                continue
            if _APPROX_BEFORE.search(sentence, 0, m.start("num")) or _APPROX_AFTER.match(sentence[m.end("num"):]):
                continue
            if re.match(r"^[-~～至到]\s*\d", sentence[m.end("num"):]) or \
                    re.search(r"\d[-~～至到]$", sentence[: m.start("num")]):
                continue  # a range
            if sentence[max(0, m.start("num") - 1): m.start("num")] == "第":
                continue
            value = _value(m.group("num"), m.group("wan"))
            if value is None:
                continue
            if measure == "proactive.items_published":
                clause_start = max((c.end() for c in _CLAUSE_MARK.finditer(sentence, 0, m.start())), default=0)
                if _CHANNEL.search(sentence[clause_start: m.start()]):
                    continue  # one channel's part ("通过政务微信主动公开…177条")
            period = _period(sentence, m.start("phrase"), year,
                             carried_over=measure == "applications.carried_over.total")
            taken.append((m.start("phrase"), m.end()))
            found.append(_Found(measure, value, m.start("num"), m.end(), m.group(0), period))

    for m in _ZERO_RECEIVED.finditer(sentence):
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            found.append(_Found("applications.new_received.total", 0, m.start(), m.end(), m.group(0),
                                _period(sentence, m.start(), year, False)))
    for rx in (_ZERO_CASES, _ZERO_CASES_AFTER):
        for m in rx.finditer(sentence):
            if not free(m.start(), m.end()):
                continue
            kinds = m.group("list")
            period = _period(sentence, m.start(), year, False)
            taken.append((m.start(), m.end()))
            if "复议" in kinds:
                found.append(_Found("review_litigation.administrative_review.total", 0, m.start(), m.end(),
                                    m.group(0), period))
            if "诉讼" in kinds:
                found.append(_Found("review_litigation.litigation.total", 0, m.start(), m.end(), m.group(0), period))

    found.sort(key=lambda f: f.start)
    return _drop_parts(sentence, found)


def _litigation_measure(phrase: str) -> str | None:
    if "败诉" in phrase or "胜诉" in phrase:
        return None
    if "复议后" in phrase:
        return "review_litigation.litigation_after_review.total"
    if "直接起诉" in phrase:
        return "review_litigation.litigation_direct.total"
    return "review_litigation.litigation.total"


def _drop_parts(sentence: str, found: list[_Found]) -> list[_Found]:
    """A measure claimed again after 其中 in the same sentence is a part of the first claim, not the
    measure ("主动公开政府信息296条。其中，…主动公开政府信息119条"): dropped."""
    out: list[_Found] = []
    for f in found:
        earlier = [g for g in out if g.measure == f.measure]
        if earlier and "其中" in sentence[earlier[-1].end: f.start]:
            continue
        if earlier and earlier[-1].value == f.value and earlier[-1].period == f.period:
            continue  # the same number said twice in one sentence
        out.append(f)
    return out
