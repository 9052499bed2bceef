"""RawDocument → canonical Record, in named stages (as pdfplumber's TableFinder goes edges →
intersections → cells → tables):

1. **labels** (:mod:`extractors.labels`) — printed labels → vocabulary codes;
2. **observe** (:mod:`extractors.walk`) — a walker over every row of every table: the section, the
   block, header rows, and one observation per printed row of values;
3. **choose the format version** — from the tables' own labels (2019-only / 2021-only columns and
   rows), else the year;
4. **map cells** (:mod:`extractors.cellmap`) — each observation's values → one cell per column,
   by the header's positions, the fields of delimited text, the x-positions of aligned text, or the
   order of the values; blanks located cell by cell;
5. **recover** (:mod:`extractors.solver`) — rows whose values ran together, split the only way the
   balancing identities allow (status ``recovered``), else ``unreadable``;
6. **fill the missing** — every cell of the format version exactly once, ``missing`` when not found;
7. **prose claims** (:mod:`extractors.claims`) — the numbers the prose quotes about itself.

``assemble(raw, source)`` never raises for odd documents: a document without any of the report's
tables is a Record with ``error`` (``no_tables`` / ``not_a_report``). ``trace`` (optional) receives,
by ``id()`` of each RawCell that became cells, the cells it became (``gongkai debug`` draws them).
"""

from __future__ import annotations

from extractors import errors, vocab
from extractors.cellmap import RowRead, read_row
from extractors.claims import read_claims
from extractors.grid import RawDocument
from extractors.identities import identities
from extractors.labels import match_column, proactive_block, resolve_app_row  # noqa: F401  (public names)
from extractors.metadata import read_metadata
from extractors.model import (
    BLANK,
    MARKER,
    MISSING,
    OK,
    RECOVERED,
    UNREADABLE,
    Cell,
    ExtractionError,
    Issue,
    Record,
    Report,
    Source,
)
from extractors.solver import Problem, solve
from extractors.walk import Obs, Walker

Key = tuple[str, str, str]


def assemble(raw: RawDocument, source: Source, trace: dict[int, list[Cell]] | None = None) -> Record:
    """Map a RawDocument's grids to the canonical cells of its format version (see the module doc)."""
    meta = read_metadata(raw.text or "")
    walker = Walker().walk(raw)
    issues: list[Issue] = list(raw.issues) + walker.issues
    if not walker.obs:
        text = raw.text or ""
        title_says_report = "政府信息公开" in text and "报告" in text
        code = errors.NO_TABLES if title_says_report else errors.NOT_A_REPORT
        msg = ("the document names a 政府信息公开工作年度报告 but none of its tables was found"
               if title_says_report else "none of the report's tables (sections 二, 三, 四) was found")
        return Record(source=source, report=Report(meta.publisher, meta.year, None, meta.published_on),
                      error=ExtractionError(code, msg))
    claims = read_claims(raw.text or "", meta.year, raw.page_starts)

    fv = choose_format(walker.evidence, meta.year, issues)
    reads = map_cells(walker.obs, fv, issues)
    recover(reads, fv, issues)
    found = collect(reads, issues, trace)
    cells = fill_missing(found, fv, issues)

    report = Report(publisher=meta.publisher, year=meta.year, format_version=fv, published_on=meta.published_on)
    if meta.publisher is None or meta.year is None:
        what = " and ".join(x for x, v in (("publisher", meta.publisher), ("year", meta.year)) if v is None)
        issues.append(Issue(errors.METADATA_MISSING, f"{what} not found in the document"))
    return Record(source=source, report=report, cells=cells, issues=issues, claims=claims)


# ------------------------------------------------------------------ 3. format version

def choose_format(evidence: dict[str, int], year: int | None, issues: list[Issue]) -> str:
    """The tables' own evidence (2019-only or 2021-only columns and rows), else the year's format."""
    by_year = vocab.format_for_year(year)
    if evidence["2021"] > evidence["2019"]:
        fv = "2021"
    elif evidence["2019"] > evidence["2021"]:
        fv = "2019"
    else:
        fv = by_year or "2021"
    if by_year and fv != by_year:
        issues.append(Issue(errors.FORMAT_VERSION_MISMATCH,
                            f"the tables are in the {fv} format, the year {year} prescribes the {by_year} format"))
    return fv


# ------------------------------------------------------------------ 4. map cells

def _targets(o: Obs, fv: str, issues: list[Issue]) -> list[tuple[str, tuple[vocab.Column, ...]]] | None:
    if o.table == "proactive":
        b = proactive_block(fv, o.block)
        if b is None or o.row not in {r.code for r in b.rows}:
            if o.row is not None:
                issues.append(Issue(errors.UNKNOWN_ROW, f"row {o.row} is not part of the {fv} format",
                                    table="proactive", row=o.row, page=o.page))
            return None
        return [(o.row, b.columns)]
    if o.table == "applications":
        assert o.row is not None
        return [(o.row, vocab.APPLICANT_COLUMNS)]
    if o.row:
        return [(o.row, vocab.RESULT_COLUMNS)]
    return [(r, vocab.RESULT_COLUMNS) for r in ("administrative_review", "litigation_direct", "litigation_after_review")]


def map_cells(obs: list[Obs], fv: str, issues: list[Issue]) -> list[RowRead]:
    """Each observation → a RowRead (its cells, or its run-together tokens for the solver)."""
    reads = []
    for o in obs:
        targets = _targets(o, fv, issues)
        if targets is None:
            continue
        peers = [p for p in obs if p is not o and p.table == o.table]
        rr = read_row(o, targets, peers)
        issues.extend(rr.issues)
        reads.append(rr)
    return reads


# ------------------------------------------------------------------ 5. recover run-together rows

def recover(reads: list[RowRead], fv: str, issues: list[Issue]) -> None:
    """Split run-together rows with the solver: a unique split → ``recovered`` cells and the issue
    ``recovered_by_identities``; otherwise ``unreadable`` cells and ``run_together_values``."""
    pending = [rr for rr in reads if rr.run_together is not None]
    if not pending:
        return
    first: dict[Key, Cell] = {}
    for rr in reads:
        if rr.run_together is None:
            for c in rr.cells:
                first.setdefault(c.key(), c)
    printed = {c.key()[1] for rr in reads for c in rr.cells if c.table == "applications"}
    ids = identities(fv, printed)
    known = {k: (c.value if c.status == OK else None) for k, c in first.items()}
    trusted = {i.rule for i in ids} - _broken_rules(ids, known)
    for table in vocab.TABLES:
        rows = [rr for rr in pending if rr.obs.table == table]
        if not rows:
            continue
        problems = [Problem(rr.run_together or [], [c.key() for c in rr.cells],
                            [vocab.kind_of(table, c.column) for c in rr.cells], rr.gaps) for rr in rows]
        for rr, out in zip(rows, solve(problems, known, ids, trusted), strict=True):
            _apply(rr, out, issues)


def _broken_rules(ids, known: dict[Key, int | None]) -> set[str]:
    """Rules that a fully-read part of the document breaks: the report does not balance, so they
    cannot tell a split either."""
    broken = set()
    for i in ids:
        if all(known.get(k) is not None for k in i.keys) and not i.holds(known):  # type: ignore[arg-type]
            broken.add(i.rule)
    return broken


def _apply(rr: RowRead, out, issues: list[Issue]) -> None:
    o = rr.obs
    printed = " ".join(rr.run_together or [])
    rows = list(dict.fromkeys(c.row for c in rr.cells))
    n = len(rr.cells)
    if out.status == "recovered":
        for c, text, value in zip(rr.cells, out.texts, out.values, strict=True):
            c.value, c.raw = value, text
            c.status = RECOVERED if value is not None else BLANK if text == "" else MARKER
        how = ", ".join(out.used) if out.used else "the digit count alone"
        for r in rows:
            issues.append(Issue(errors.RECOVERED_BY_IDENTITIES,
                                f"{printed!r} split as {' '.join(out.texts)} into the {n} columns: the only split "
                                f"consistent with {how}", table=o.table, row=r, page=o.page))
        return
    if out.status == "ambiguous":
        many = f"{'at least ' if out.capped else ''}{out.candidates} candidate splits"
        msg = f"values run together: {printed!r} for {n} columns; {many} are consistent with the identities"
    else:
        msg = f"values run together: {printed!r} for {n} columns; no split is consistent with the identities"
    for r in rows:
        issues.append(Issue(errors.RUN_TOGETHER_VALUES, msg, table=o.table, row=r, page=o.page))


# ------------------------------------------------------------------ 6. every cell of the format

def collect(reads: list[RowRead], issues: list[Issue], trace: dict[int, list[Cell]] | None = None) -> dict[Key, Cell]:
    """The first reading of each cell (a row printed twice with other values: an issue)."""
    found: dict[Key, Cell] = {}
    seen_rows: set[tuple[str, str]] = set()
    for rr in reads:
        o = rr.obs
        rows_here = list(dict.fromkeys(c.row for c in rr.cells))
        dups = {r for r in rows_here if (o.table, r) in seen_rows}
        seen_rows.update((o.table, r) for r in rows_here)
        for c in rr.cells:
            if c.row in dups:
                prev = found.get(c.key())
                if prev is not None and prev.value != c.value:
                    issues.append(Issue(errors.DUPLICATE_ROW, "the row is printed twice with different values; "
                                        "the first is kept", table=o.table, row=c.row, column=c.column, page=o.page))
                continue
            found[c.key()] = c
        if trace is not None:
            _trace(rr, trace)
    # a 2021 report printing the three （六） rows and an empty legacy row: the legacy row is not one
    if any(k[0] == "applications" and k[1] in vocab.OTHER_SUBROWS for k in found):
        oh = [k for k in found if k[0] == "applications" and k[1] == "other_handling"]
        if oh and all(found[k].status == BLANK for k in oh):
            for k in oh:
                del found[k]
    return found


def _trace(rr: RowRead, trace: dict[int, list[Cell]]) -> None:
    """Which printed cell became which cell(s): the cell each value was read from; a run-together
    token, every cell split from it."""
    for i, rc in rr.sources.items():
        trace.setdefault(id(rc), []).append(rr.cells[i])
    if rr.run_together is not None:
        for rc in rr.obs.values:
            trace.setdefault(id(rc), []).extend(c for c in rr.cells if c.status in (RECOVERED, MARKER, UNREADABLE))


def fill_missing(found: dict[Key, Cell], fv: str, issues: list[Issue]) -> list[Cell]:
    """Every cell of the format version, in vocabulary order; `missing` (and an issue per row) when
    the document does not print it."""
    cells_out: list[Cell] = []
    tables_found = {k[0] for k in found}
    for t in vocab.TABLES:
        if t not in tables_found:
            issues.append(Issue(errors.TABLE_NOT_FOUND, f"{vocab.TABLE_LABELS[t]}: the table was not found", table=t))
    other_sub_found = any(k[0] == "applications" and k[1] in vocab.OTHER_SUBROWS for k in found)
    other_single_found = any(k[0] == "applications" and k[1] == "other_handling" for k in found)
    rows_found = {(k[0], k[1]) for k in found}
    reported: set[tuple[str, str]] = set()
    for cd in vocab.cells(fv):
        c = found.get((cd.table, cd.row, cd.column))
        if c is None:
            c = Cell(cd.table, cd.row, cd.column, None, None, MISSING, None)
            expected_absent = fv == "2021" and (
                (cd.row == "other_handling" and other_sub_found) or
                (cd.row in vocab.OTHER_SUBROWS and other_single_found and not other_sub_found))
            if cd.table in tables_found and not expected_absent and (cd.table, cd.row) not in reported \
                    and (cd.table, cd.row) not in rows_found:
                reported.add((cd.table, cd.row))
                issues.append(Issue(errors.ROW_NOT_FOUND, f"{cd.row_label}: the row was not found",
                                    table=cd.table, row=cd.row))
        cells_out.append(c)
    return cells_out
