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
   is kept only when both re-readings agree on one value with confidence, or when all three
   readings give one value and one of them is confident, else it is ``unreadable`` with the
   readings in ``raw`` (issue ``ocr_low_confidence``). A dot or comma at either end of a count's
   digits is a speck (a count has none). Signed changes and
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
    by_text = _printed_by_text(raw)
    for k, mine in real.items():
        if k not in out and mine.raw and mine.status == UNREADABLE:
            cands = by_text.get((mine.page, mine.raw), [])
            if len(cands) == 1:
                out[k] = cands[0]
    return out


def _printed_by_text(raw: RawDocument) -> dict[tuple, list[RawCell]]:
    """(page, text) → the printed OCR cells of that page that read so."""
    by_text: dict[tuple, list[RawCell]] = {}
    for t in raw.tables:
        for r in t.rows:
            for c in r:
                if c is not None and c.origin and c.confidence is not None:
                    by_text.setdefault((c.page, c.text.strip()), []).append(c)
    return by_text


def shared_readings(raw: RawDocument, rec: Record, links: dict[Key, RawCell]) -> list[tuple[list[Key], list[RawCell]]]:
    """Unlinked unreadable cells whose reading ("a" for a speckled 0) several printed cells of their
    page share: which record cell came from which is not known, but when exactly as many record cells
    of one kind read so as printed cells do, the record cells are those printed cells in some order.
    Each such group: (its record cells, its printed cells)."""
    by_text = _printed_by_text(raw)
    groups: dict[tuple, list[Key]] = {}
    for k, mine in rec.cell_map().items():
        if k not in links and mine.raw and mine.status == UNREADABLE:
            groups.setdefault((mine.page, mine.raw), []).append(k)
    out = []
    for where, keys in groups.items():
        cands = by_text.get(where, [])
        if len({vocab.kind_of(k[0], k[2]) for k in keys}) != 1:
            continue  # a count and an amount read the same text differently
        if 1 < len(cands) == len(keys) <= MAX_UNSTABLE:
            out.append((keys, cands))
    return out


# ------------------------------------------------------------------ helpers


_DUST = ".·•,，'`"


def _parsed(text: str, cell: Cell):
    """A reading parsed as its cell's kind. A count has no sign, decimal point or separator at either
    end of its digits, so a dot or comma there on a scan is a speck ("0." → 0, ".45" → 45); inside the
    digits ("1.5") it is not, and the reading stays unreadable."""
    kind = vocab.kind_of(cell.table, cell.column)
    p = parse_value(text, kind)
    if p.status == OK or kind != vocab.COUNT or text is None:
        return p
    t = text.strip()
    core = t.strip(_DUST)
    if core and core != t and core.isdigit():
        return parse_value(core, kind)
    return p


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
        self.count = 0  # re-readings made

    def __call__(self, cell: Cell) -> list[tuple[str, float]] | None:
        k = cell.key()
        if k in self.done:
            return self.done[k]
        rc = self.links.get(k)
        res = self.printed(rc) if rc is not None else None
        if res is not None:
            self.done[k] = res
        return res

    def printed(self, rc: RawCell) -> list[tuple[str, float]] | None:
        """A printed cell read again, within the document's budget of re-readings (None: over it, or
        the cell has no place on a page)."""
        if rc.bbox is None or rc.page is None or self.count >= MAX_REREADS:
            return None
        self.count += 1
        return reread(self.session, rc.page, rc.bbox)


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
        agreed = _agreed(c, res or [], threshold)
        if agreed is not None:
            text, conf, how = agreed
            first, first_status = c.raw, c.status
            _set(c, text, conf)
            if first != text or first_status != c.status:
                rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE, f"first read {first!r}; {how} "
                                        f"(confidence {conf:.2f}): kept", c.table, c.row, c.column, c.page))
            continue
        was_value = c.status in (OK, MARKER)
        conf_txt = f"confidence {c.confidence:.2f}" if c.confidence is not None else "not a number"
        _unreadable(c, _readings_text(c.raw, res or []))
        if was_value or res:
            rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE, f"OCR reading {conf_txt}, readings {c.raw!r}: "
                                    f"unreadable", c.table, c.row, c.column, c.page))


def _agreed(c: Cell, res: list[tuple[str, float]], threshold: float) -> tuple[str, float, str] | None:
    """The reading to keep for a doubtful cell, or None: both re-readings confident and of one value;
    or all three readings (the first and both re-readings: three ways of cutting the cell) of one value
    and at least one of them confident."""
    if len(res) != 2:
        return None
    sure = [(t, s) for t, s in res if s >= threshold and _parsed(t, c).status in (OK, MARKER)]
    if len(sure) == 2 and len({(_parsed(t, c).status, _parsed(t, c).value) for t, _ in sure}) == 1:
        text, conf = max(sure, key=lambda r: r[1])
        return text, conf, f"read again as {text!r} twice"
    readings = [(c.raw or "", c.confidence if c.confidence is not None else 0.0), *res]
    parsed = [_parsed(t, c) for t, _ in readings]
    if any(p.status not in (OK, MARKER) for p in parsed) or len({(p.status, p.value) for p in parsed}) != 1:
        return None
    text, conf = max(readings, key=lambda r: r[1])
    if conf < threshold:
        return None
    return text, conf, f"read again as {' | '.join(t for t, _ in res)!r}: all three readings give {parsed[0].value}"


def _settle_shared(rec: Record, again: _Rereads, groups: list[tuple[list[Key], list[RawCell]]],
                   threshold: float) -> None:
    """Cells of a shared reading (:func:`shared_readings`): each printed cell of the group is read
    again; when every one of them settles (:func:`_agreed`) on one and the same value, every record
    cell of the group has that value — whichever printed cell it came from."""
    cells = rec.cell_map()
    for keys, cands in groups:
        c = cells[keys[0]]
        settled = []
        for rc in cands:
            res = again.printed(rc)
            agreed = _agreed(replace(c, raw=rc.text.strip(), confidence=rc.confidence), res, threshold) \
                if res is not None else None
            if agreed is None:
                break
            settled.append(agreed)
        if len(settled) != len(cands) or len({(_parsed(t, c).status, _parsed(t, c).value) for t, _, _ in settled}) != 1:
            continue
        text, conf, how = max(settled, key=lambda a: a[1])
        for k in keys:
            first = cells[k].raw
            _set(cells[k], text, conf)
            rec.issues.append(Issue(errors.OCR_LOW_CONFIDENCE,
                                    f"first read {first!r}, as {len(cands)} printed cells of the page were; each "
                                    f"of them {how.replace('read again as', 'read again gives')} (confidence "
                                    f"{conf:.2f}): kept", k[0], k[1], k[2], cells[k].page))


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
    _settle_shared(rec, again, shared_readings(raw, rec, links), threshold)
    _settle_doubtful(rec, again, threshold)
    _verify_unchecked(rec, again)
    _check_identities(rec, again, threshold)
    return rec
