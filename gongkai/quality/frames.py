"""The marts the checks read, as pandas DataFrames, and the per-rule frames the GX suites validate.

``load_marts(conn)`` queries the dbt marts of the warehouse; ``marts_from_records(records)`` builds the
same frames straight from extraction records (to validate before load, and in tests). The rule frames
(`balancing_frame`, `carry_over_frame`, …) are pure functions of a :class:`Marts`: each row is one
application of one rule with its two sides, ``left`` and ``right``, **NaN when any input is null** (so
GX skips the row and the runner reports it UNCERTAIN, never FAIL).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from extractors import vocab

APPLICANT_TYPES = tuple(c.code for c in vocab.APPLICANT_COLUMNS)  # six parts + total
APPLICATION_ROWS = (
    "new_received", "carried_over", "granted", "partially_granted",
    "withheld_state_secret", "withheld_prohibited_by_law", "withheld_security_stability",
    "withheld_third_party_rights", "withheld_internal_affairs", "withheld_process_info",
    "withheld_enforcement_files", "withheld_admin_inquiry",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
    "not_processed_excessive", "not_processed_confirmation",
    "other_handling", "other_no_correction", "other_unpaid_fee", "other_misc",
    "total_handled", "carried_forward",
)
PROCEEDINGS = {"administrative_review": "R4", "litigation_direct": "R5", "litigation_after_review": "R6"}
RESULT_PARTS = vocab.RESULT_PARTS
OTHER_SUBROWS = vocab.OTHER_SUBROWS
# R2's outcome rows without the （六）其他处理 rows (which are chosen per report).
BASE_OUTCOMES = tuple(r for r in vocab.OUTCOME_ROWS if r != "other_handling" and r not in OTHER_SUBROWS)
FIRST_YEAR = 2019
UNKNOWN_PUBLISHERS = ("（未知）", "(unknown)")

REPORT_COLUMNS = ["report_key", "document_id", "publisher", "report_year", "format_version", "source_url"]
KEY_COLUMNS = ["report_key", "document_id", "publisher", "report_year", "source_url"]


@dataclass
class Marts:
    """The mart rows the checks need. ``reports``: one row per current report (rpt_report_overview);
    ``applications``: fct_applications; ``review``: fct_review_litigation; ``cells``: fct_report_cells."""

    reports: pd.DataFrame
    applications: pd.DataFrame
    review: pd.DataFrame
    cells: pd.DataFrame

    def restrict(self, years: Sequence[int] | None) -> Marts:
        if not years:
            return self
        ys = set(years)

        def f(df: pd.DataFrame) -> pd.DataFrame:
            return df[df["report_year"].isin(ys)].reset_index(drop=True)
        return Marts(f(self.reports), f(self.applications), f(self.review), f(self.cells))


# ------------------------------------------------------------------------------------ loading

def _numeric(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for c in columns:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def _frame(conn, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    cur = conn.execute(sql, params)
    cols = [d.name for d in cur.description]
    return pd.DataFrame(cur.fetchall(), columns=cols)


def _typed_keys(df: pd.DataFrame) -> pd.DataFrame:
    df["report_key"] = df["report_key"].astype(str)
    df["report_year"] = pd.to_numeric(df["report_year"], errors="coerce").astype("Int64")
    if "document_id" in df.columns:
        df["document_id"] = pd.to_numeric(df["document_id"], errors="coerce").astype("Int64")
    return df


def load_marts(conn, years: Sequence[int] | None = None) -> Marts:
    """Read the marts (for `years` and, for R7, the year before each) into DataFrames."""
    where, params = "", None
    if years:
        ys = sorted({int(y) for y in years} | {int(y) - 1 for y in years})
        where, params = " where report_year = any(%s)", (ys,)
    reports = _frame(conn, "select report_key, document_id, publisher_name as publisher, report_year, "
                           "format_version, source_url from marts.rpt_report_overview" + where, params)
    apps = _frame(conn, "select * from marts.fct_applications" + where, params)
    review = _frame(conn, "select * from marts.fct_review_litigation" + where, params)
    cells = _frame(conn, "select report_key, report_year, table_code, row_code, column_code, value, "
                         "cell_status from marts.fct_report_cells" + where, params)
    reports = _typed_keys(reports)
    # the dimension's explicit "unknown" member is not a publisher (UNIQUENESS would pair them up)
    reports["publisher"] = reports["publisher"].where(~reports["publisher"].isin(UNKNOWN_PUBLISHERS), None)
    apps = _numeric(_typed_keys(apps), APPLICATION_ROWS)
    for c in APPLICATION_ROWS:  # a mart built from an older contract may lack a row column
        if c not in apps.columns:
            apps[c] = np.nan
    review = _numeric(_typed_keys(review), (*RESULT_PARTS, "total"))
    cells = _numeric(_typed_keys(cells), ("value",))
    return Marts(reports, apps, review, cells)


def marts_from_records(records: Iterable, source_urls: Sequence[str | None] | None = None) -> Marts:
    """The same frames as `load_marts`, built from extraction records (``extractors.model.Record``)."""
    reports, apps, review, cells = [], [], [], []
    for i, rec in enumerate(records):
        key = hashlib.md5(rec.source.sha256.encode()).hexdigest()
        year = rec.report.year
        url = source_urls[i] if source_urls else rec.source.path
        reports.append({"report_key": key, "document_id": i + 1, "publisher": rec.report.publisher,
                        "report_year": year, "format_version": rec.report.format_version, "source_url": url})
        cmap = rec.cell_map()
        for col in APPLICANT_TYPES:
            row = {"report_key": key, "document_id": i + 1, "report_year": year,
                   "format_version": rec.report.format_version, "applicant_type": col}
            for r in APPLICATION_ROWS:
                c = cmap.get(("applications", r, col))
                row[r] = c.value if c is not None else None
            apps.append(row)
        for proc in PROCEEDINGS:
            row = {"report_key": key, "document_id": i + 1, "report_year": year, "proceeding": proc}
            for p in (*RESULT_PARTS, "total"):
                c = cmap.get(("review_litigation", proc, p))
                row[p] = c.value if c is not None else None
            review.append(row)
        for c in rec.cells:
            cells.append({"report_key": key, "report_year": year, "table_code": c.table, "row_code": c.row,
                          "column_code": c.column, "value": c.value, "cell_status": c.status})
    return Marts(
        _typed_keys(pd.DataFrame(reports, columns=REPORT_COLUMNS)),
        _numeric(_typed_keys(pd.DataFrame(apps, columns=["report_key", "document_id", "report_year",
                                                          "format_version", "applicant_type",
                                                          *APPLICATION_ROWS])), APPLICATION_ROWS),
        _numeric(_typed_keys(pd.DataFrame(review, columns=["report_key", "document_id", "report_year",
                                                            "proceeding", *RESULT_PARTS, "total"])),
                 (*RESULT_PARTS, "total")),
        _numeric(_typed_keys(pd.DataFrame(cells, columns=["report_key", "report_year", "table_code",
                                                           "row_code", "column_code", "value",
                                                           "cell_status"])), ("value",)),
    )


# ------------------------------------------------------------------------------------ rule frames

RULE_FRAME_COLUMNS = ["row_id", "rule", *KEY_COLUMNS, "scope", "left", "right", "missing"]


def _strict_sum(df: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    """Row sums that are NaN as soon as one input is NaN (blank is never 0)."""
    return df[list(cols)].sum(axis=1, min_count=len(cols)).where(df[list(cols)].notna().all(axis=1))


def _missing_names(df: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    mask = df[list(cols)].isna()
    out = pd.Series("", index=df.index, dtype=object)
    any_missing = mask.any(axis=1)
    if any_missing.any():
        out[any_missing] = mask[any_missing].apply(lambda r: ", ".join(r.index[r.to_numpy()]), axis=1)
    return out


def _single_other(apps: pd.DataFrame) -> pd.Series:
    """Per report_key: True when R2 uses the single （六）其他处理 row (2019 format, or a 2021 report that
    kept it: no `other_*` sub-row has a value but `other_handling` has)."""
    key = apps["report_key"]
    sub_any = apps[list(OTHER_SUBROWS)].notna().any(axis=1).groupby(key).any()
    single_any = apps["other_handling"].notna().groupby(key).any()
    fv = apps["format_version"].astype(str).groupby(key).first()
    return (fv == "2019") | (~sub_any & single_any)


def _with_keys(frame: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    keys = reports[["report_key", "document_id", "publisher", "source_url"]].drop_duplicates("report_key")
    frame = frame.drop(columns=[c for c in ("document_id", "publisher", "source_url") if c in frame.columns])
    return frame.merge(keys, on="report_key", how="left")


def _finish(parts: list[pd.DataFrame], reports: pd.DataFrame) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("left", "right") else object)
                             for c in RULE_FRAME_COLUMNS})
    df = _with_keys(pd.concat(parts, ignore_index=True), reports)
    df["row_id"] = np.arange(len(df), dtype="int64")
    return df[RULE_FRAME_COLUMNS]


def balancing_frame(m: Marts) -> pd.DataFrame:
    """R1–R6: one row per report × rule × scope (applicant column, applications row or proceeding)."""
    parts: list[pd.DataFrame] = []
    apps = m.applications
    if len(apps):
        single = _single_other(apps)
        a = apps.copy()
        a["single"] = a["report_key"].map(single).fillna(True).astype(bool)
        # R1, per applicant column
        r1_in = ["new_received", "carried_over", "total_handled", "carried_forward"]
        parts.append(pd.DataFrame({
            "rule": "R1", "report_key": a["report_key"], "report_year": a["report_year"],
            "scope": a["applicant_type"],
            "left": _strict_sum(a, ["new_received", "carried_over"]),
            "right": _strict_sum(a, ["total_handled", "carried_forward"]),
            "missing": _missing_names(a, r1_in)}))
        # R2, per applicant column; the （六） rows chosen per report
        with_single = [*BASE_OUTCOMES, "other_handling"]
        with_sub = [*BASE_OUTCOMES, *OTHER_SUBROWS]
        right = _strict_sum(a, with_sub).where(~a["single"], _strict_sum(a, with_single))
        missing = _missing_names(a, ["total_handled", *with_sub]).where(
            ~a["single"], _missing_names(a, ["total_handled", *with_single]))
        parts.append(pd.DataFrame({
            "rule": "R2", "report_key": a["report_key"], "report_year": a["report_year"],
            "scope": a["applicant_type"], "left": a["total_handled"], "right": right, "missing": missing}))
        # R3, per applications row: melt to rows × applicant columns
        long = a.melt(id_vars=["report_key", "report_year", "format_version", "applicant_type", "single"],
                      value_vars=list(APPLICATION_ROWS), var_name="row_code", value_name="value")
        long = long.drop_duplicates(["report_key", "row_code", "applicant_type"])
        wide = long.set_index(["report_key", "row_code", "applicant_type"])["value"].unstack("applicant_type")
        wide = wide.reindex(columns=list(APPLICANT_TYPES)).reset_index()
        attrs = a.drop_duplicates("report_key")[["report_key", "report_year", "format_version", "single"]]
        wide = wide.merge(attrs, on="report_key", how="left")
        allowed = {fv: {c.row for c in vocab.cells(fv) if c.table == "applications"}
                   for fv in vocab.FORMAT_VERSIONS}
        in_format = [r in allowed.get(str(fv), allowed["2021"]) for fv, r in
                     zip(wide["format_version"], wide["row_code"], strict=True)]
        unused_alt = (wide["single"] & wide["row_code"].isin(OTHER_SUBROWS)) | (
            ~wide["single"] & (wide["row_code"] == "other_handling"))
        wide = wide[np.array(in_format) & ~unused_alt.to_numpy()]
        parts_cols = list(vocab.APPLICANT_PARTS)
        parts.append(pd.DataFrame({
            "rule": "R3", "report_key": wide["report_key"], "report_year": wide["report_year"],
            "scope": wide["row_code"], "left": wide["total"], "right": _strict_sum(wide, parts_cols),
            "missing": _missing_names(wide, ["total", *parts_cols])}))
    rv = m.review
    if len(rv):
        parts.append(pd.DataFrame({
            "rule": rv["proceeding"].map(PROCEEDINGS), "report_key": rv["report_key"],
            "report_year": rv["report_year"], "scope": rv["proceeding"], "left": rv["total"],
            "right": _strict_sum(rv, RESULT_PARTS),
            "missing": _missing_names(rv, ["total", *RESULT_PARTS])}))
    return _finish(parts, m.reports)


def carry_over_frame(m: Marts, years: Sequence[int] | None = None) -> pd.DataFrame:
    """R7: carried_over of year N vs carried_forward of year N−1 of the same publisher, per applicant
    column. Only pairs where both reports are in the warehouse; rows for `years` (all when None)."""
    a = m.applications.merge(m.reports[["report_key", "publisher"]], on="report_key", how="inner")
    a = a[a["publisher"].notna() & a["report_year"].notna()]
    cur = a[["report_key", "publisher", "report_year", "applicant_type", "carried_over"]]
    prev = a[["publisher", "report_year", "applicant_type", "carried_forward"]].copy()
    prev["report_year"] = prev["report_year"] + 1
    j = cur.merge(prev, on=["publisher", "report_year", "applicant_type"], how="inner")
    if years:
        j = j[j["report_year"].isin(set(years))]
    frame = pd.DataFrame({
        "rule": "R7", "report_key": j["report_key"], "report_year": j["report_year"],
        "scope": j["applicant_type"], "left": j["carried_over"], "right": j["carried_forward"],
        "missing": _missing_names(j.rename(columns={"carried_forward": "carried_forward (N-1)"}),
                                  ["carried_over", "carried_forward (N-1)"])})
    return _finish([frame], m.reports)


def completeness_frame(m: Marts) -> pd.DataFrame:
    """One row per report × cell of its format version; ``found`` is 1 when fct_report_cells has the
    cell (present or not: blank/missing cells are rows too), NaN when the row is absent."""
    expected = pd.DataFrame(
        [{"format_version": fv, "table_code": c.table, "row_code": c.row, "column_code": c.column}
         for fv in vocab.FORMAT_VERSIONS for c in vocab.cells(fv)])
    reps = m.reports[["report_key", "document_id", "publisher", "report_year", "source_url",
                      "format_version"]].copy()
    reps["format_version"] = reps["format_version"].astype(object).where(reps["format_version"].notna(), None)
    reps = reps[reps["format_version"].isin(vocab.FORMAT_VERSIONS)]
    exp = reps.merge(expected, on="format_version", how="inner")
    have = m.cells[["report_key", "table_code", "row_code", "column_code"]].drop_duplicates()
    have = have.assign(found=1.0)
    out = exp.merge(have, on=["report_key", "table_code", "row_code", "column_code"], how="left")
    out["row_id"] = np.arange(len(out), dtype="int64")
    return out.reset_index(drop=True)


def validity_frame(m: Marts) -> pd.DataFrame:
    """One row per cell with a value: its kind (count, change, amount) and fractional part."""
    c = m.cells[m.cells["value"].notna()].copy()
    c["kind"] = [vocab.kind_of(t, col) for t, col in zip(c["table_code"], c["column_code"], strict=True)]
    c["fraction"] = (c["value"] - np.floor(c["value"])).round(9)
    c = _with_keys(c, m.reports)
    c["row_id"] = np.arange(len(c), dtype="int64")
    return c.reset_index(drop=True)


def reports_frame(m: Marts) -> pd.DataFrame:
    r = m.reports.copy()
    r["row_id"] = np.arange(len(r), dtype="int64")
    r["report_year_f"] = r["report_year"].astype("float64")
    return r


def current_year() -> int:
    return date.today().year
