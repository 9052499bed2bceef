"""After the shared assembler: what OCR adds to a record.

1. **Link** each record cell to the printed cell it came from. The assembler is used through its
   public entry point only, so the link is made by assembling a *shadow* document once more, in
   which every value-like OCR cell's text is replaced by a unique number: the value a record cell
   gets in the shadow names its printed cell. (Readers' control flow depends on a cell only
   through whether it looks like a value, which the tokens preserve; a link whose printed text
   does not match the record's ``raw`` is dropped.)
2. **Confidence**: every cell of an OCR-read page gets ``ocr: true`` and, when something was
   printed, the recogniser's ``confidence``. A reading below :data:`THRESHOLD` (or a reading that
   is not a number at all) is read again two other ways (:func:`extractors.ocr.reader.reread`); it
   is kept only when both re-readings agree on one value with confidence, else it is
   ``unreadable`` with the readings in ``raw`` (issue ``ocr_low_confidence``). Signed changes and
   amounts, which no identity checks, are always read again and must read the same.
3. **Identities** (R1–R6) on OCR-read cells: where one fails, its cells are read again, weakest
   first. A cell whose readings disagree is *unstable*. If exactly one choice among the readings of
   the unstable cells makes every identity they are in hold, the identity has confirmed those
   readings and they are kept; otherwise the unstable cells are ``unreadable`` (never a number an
   identity computed). When every reading is stable, the report really does not balance: the
   printed figures stay and the rule fails downstream. Each case is an ``ocr_identity_conflict``
   issue naming the cells and the readings.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from extractors import errors, vocab
from extractors.assemble import assemble
from extractors.grid import RawCell, RawDocument, RawTable
from extractors.identities import filled_rows, identities, values_of
from extractors.model import BLANK, MARKER, OK, UNREADABLE, Cell, Issue, Record
from extractors.ocr import MIN_CONFIDENCE
from extractors.ocr.reader import reread
from extractors.values import looks_like_value, parse_value

THRESHOLD = MIN_CONFIDENCE
MAX_REREADS = 80  # cells read again per document
MAX_UNSTABLE = 8  # unstable cells searched together for a consistent choice
_TOKEN_BASE = 7_000_000

Key = tuple[str, str, str]


# ------------------------------------------------------------------ 1. link


def link(raw: RawDocument, rec: Record) -> dict[Key, RawCell]:
    """Record cell key → the printed OCR cell it was read from (see the module doc)."""
    tokens: dict[str, RawCell] = {}
    by_box: dict[tuple, str] = {}
    tables = []
    for t in raw.tables:
        rows = []
        for r in t.rows:
            row: list[RawCell | None] = []
            for c in r:
                if c is None or c.confidence is None or not c.text.strip() or not looks_like_value(c.text):
                    row.append(c)
                    continue
                where = (c.page, c.bbox)
                if where not in by_box:
                    by_box[where] = str(_TOKEN_BASE + len(by_box) + 1)
                    tokens[by_box[where]] = c
                row.append(replace(c, text=by_box[where]))
            rows.append(row)
        tables.append(RawTable(rows=rows, page=t.page, source=t.source))
    if not tokens:
        return {}
    shadow = assemble(RawDocument(raw.media_type, raw.text, tables, raw.pages, []), rec.source)
    out: dict[Key, RawCell] = {}
    real = rec.cell_map()
    for c in shadow.cells:
        if c.raw is None or c.raw not in tokens:
            continue
        rc = tokens[c.raw]
        mine = real.get(c.key())
        if mine is not None and mine.raw is not None and mine.raw == rc.text.strip():
            out[c.key()] = rc
    # a reading that does not look like a value ("O" for 0) kept no token: link it by its text when
    # exactly one printed cell of its page reads so
    by_text: dict[tuple, list[RawCell]] = {}
    for t in raw.tables:
        for r in t.rows:
            for c in r:
                if c is not None and c.origin and c.confidence is not None:
                    by_text.setdefault((c.page, c.text.strip()), []).append(c)
    for k, mine in real.items():
        if k not in out and mine.raw and mine.status == UNREADABLE:
            cands = by_text.get((mine.page, mine.raw), [])
            if len(cands) == 1:
                out[k] = cands[0]
    return out


# ------------------------------------------------------------------ helpers


def _parsed(text: str, cell: Cell):
    return parse_value(text, vocab.kind_of(cell.table, cell.column))


def _readings_text(first: str | None, again: list[tuple[str, float]]) -> str:
    seen = [first or ""] + [t for t, _ in again]
    return " | ".join(dict.fromkeys(s.replace("\n", " ") for s in seen))


def _where(c: Cell) -> str:
    return f"{c.table}.{c.row}.{c.column}"


class _Rereads:
    def __init__(self, raw: RawDocument, links: dict[Key, RawCell]):
        self.session = raw.ocr
        self.links = links
        self.done: dict[Key, list[tuple[str, float]]] = {}

    def __call__(self, cell: Cell) -> list[tuple[str, float]] | None:
        k = cell.key()
        if k in self.done:
            return self.done[k]
        rc = self.links.get(k)
        if rc is None or rc.bbox is None or rc.page is None or len(self.done) >= MAX_REREADS:
            return None
        self.done[k] = reread(self.session, rc.page, rc.bbox)
        return self.done[k]


def _set(cell: Cell, text: str, conf: float) -> None:
    p = _parsed(text, cell)
    cell.value, cell.raw, cell.status, cell.confidence = p.value, text, p.status, round(conf, 3)


def _unreadable(cell: Cell, raw_text: str) -> None:
    cell.value, cell.status, cell.raw = None, UNREADABLE, raw_text


# ------------------------------------------------------------------ 2. confidence


def _settle_doubtful(rec: Record, again: _Rereads, threshold: float) -> None:
    """Low-confidence and non-numeric readings: read again; kept only when both re-readings agree."""
    for c in rec.cells:
        if not c.ocr or c.raw is None or c.status == BLANK:
            continue
        doubtful = (c.confidence is not None and c.confidence < threshold) or c.status == UNREADABLE
        if not doubtful:
            continue
        res = again(c)
        sure = [(t, s) for t, s in (res or []) if s >= threshold and _parsed(t, c).status in (OK, MARKER)]
        values = {(_parsed(t, c).status, _parsed(t, c).value) for t, _ in sure}
        if res and len(sure) == len(res) == 2 and len(values) == 1:
            text, conf = max(sure, key=lambda r: r[1])
            first = c.raw
            _set(c, text, conf)
            if first != text:
                rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE, f"first read {first!r}; read again as "
                                        f"{text!r} twice (confidence {conf:.2f}): kept", c.table, c.row,
                                        c.column, c.page))
            continue
        was_value = c.status in (OK, MARKER)
        conf_txt = f"confidence {c.confidence:.2f}" if c.confidence is not None else "not a number"
        _unreadable(c, _readings_text(c.raw, res or []))
        if was_value or res:
            rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE, f"OCR reading {conf_txt}, readings {c.raw!r}: "
                                    f"unreadable", c.table, c.row, c.column, c.page))


def _verify_unchecked(rec: Record, again: _Rereads) -> None:
    """Signed changes and amounts are in no identity, and their sign or decimal point is a small
    mark: read each again; a re-reading that gives another number makes the cell unreadable."""
    for c in rec.cells:
        if not c.ocr or c.value is None or c.key() in again.done:
            continue
        if vocab.kind_of(c.table, c.column) not in (vocab.CHANGE, vocab.AMOUNT):
            continue
        res = again(c) or []
        others = [t for t, _ in res if _parsed(t, c).status == OK and _parsed(t, c).value != c.value]
        if others:
            readings = _readings_text(c.raw, res)
            _unreadable(c, readings)
            rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE, f"read as {readings}: the readings differ, "
                                    "unreadable", c.table, c.row, c.column, c.page))


# ------------------------------------------------------------------ 3. identities


def _check_identities(rec: Record, again: _Rereads, threshold: float) -> None:
    fv = rec.report.format_version or "2021"
    cells = rec.cell_map()
    insts = identities(fv, filled_rows(cells))
    values = values_of(cells)
    failing = [i for i in insts if i.check(values) is False
               and any(cells[k].ocr for k in i.keys if k in cells)]
    if not failing:
        return
    # read the OCR cells of the failing identities again, weakest first
    suspects: list[Cell] = []
    for inst in failing:
        for k in inst.keys:
            c = cells.get(k)
            if c is not None and c.ocr and c.value is not None and c not in suspects:
                suspects.append(c)
    suspects.sort(key=lambda c: c.confidence if c.confidence is not None else 1.0)
    options: dict[Key, list[tuple[str, float]]] = {}
    for c in suspects:
        res = again(c)
        if res is None:
            continue
        first = [(c.raw or "", c.confidence if c.confidence is not None else 1.0)]
        alts = [(t, s) for t, s in res if s >= threshold and _parsed(t, c).status == OK]
        distinct: dict[object, tuple[str, float]] = {}
        for t, s in first + alts:
            v = _parsed(t, c).value
            if v is not None and (v not in distinct or s > distinct[v][1]):
                distinct[v] = (t, s)
        if len(distinct) > 1 or any(_parsed(t, c).value != c.value for t, _ in res):
            options[c.key()] = sorted(distinct.values(), key=lambda r: -r[1])
    unstable = sorted(options, key=lambda k: cells[k].confidence or 1.0)[:MAX_UNSTABLE]
    names = ", ".join(i.label() for i in failing[:6]) + (" …" if len(failing) > 6 else "")
    if not unstable:
        for inst in failing:
            rec.issues.append(Issue(errors.OCR_IDENTITY_CONFLICT,
                                    f"{inst.label()} does not hold; its OCR-read cells read the same "
                                    "at another scale: the printed figures are kept", *inst.lhs[0]))
        return
    touched = [i for i in insts if any(k in unstable for k in i.keys)]
    solutions = []
    for combo in itertools.product(*(options[k] for k in unstable)):
        trial = dict(values)
        for k, (t, _s) in zip(unstable, combo, strict=True):
            trial[k] = _parsed(t, cells[k]).value
        if all(i.check(trial) is not False for i in touched) and any(i.check(trial) for i in touched):
            solutions.append(combo)
            if len(solutions) > 1:
                break
    if len(solutions) == 1:
        for k, (t, s) in zip(unstable, solutions[0], strict=True):
            c = cells[k]
            first = c.raw
            if _parsed(t, c).value != c.value:
                _set(c, t, s)
                rec.issues.append(Issue(errors.OCR_IDENTITY_CONFLICT,
                                        f"{names} failed with the OCR reading {first!r}; read again as {t!r} "
                                        f"(confidence {s:.2f}), which the identities confirm", c.table, c.row,
                                        c.column, c.page))
        return
    for k in unstable:
        c = cells[k]
        readings = _readings_text(c.raw, again.done.get(k, []))
        _unreadable(c, readings)
        rec.issues.append(Issue(errors.OCR_IDENTITY_CONFLICT,
                                f"{names} failed on OCR-read cells; this cell reads differently at another scale "
                                f"({readings}) and no single reading balances: unreadable", c.table, c.row,
                                c.column, c.page))


# ------------------------------------------------------------------ entry point


def confirm(rec: Record, raw: RawDocument, threshold: float = THRESHOLD) -> Record:
    """Mark, check and (where the readings are doubtful) null the OCR-read cells of ``rec``."""
    if rec.error is not None or raw.ocr is None:
        return rec
    pages = set(raw.ocr.pages)
    links = link(raw, rec)
    for c in rec.cells:
        if c.page in pages:
            c.ocr = True
            rc = links.get(c.key())
            if rc is not None and rc.confidence is not None:
                c.confidence = round(rc.confidence, 3)
    again = _Rereads(raw, links)
    _settle_doubtful(rec, again, threshold)
    _verify_unchecked(rec, again)
    _check_identities(rec, again, threshold)
    return rec
