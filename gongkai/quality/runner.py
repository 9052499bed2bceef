"""Run the GX suites over the marts and turn the validation results into tri-state rule results.

``run_checks(conn)`` is the warehouse entry point (reads the marts, validates, writes ``dq`` tables,
builds the GX Data Docs); ``check_marts(marts)`` does the validation alone (no database).
"""

from __future__ import annotations

import logging
import os
import uuid
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from gongkai.quality import frames as fr
from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun, RuleResult

log = logging.getLogger(__name__)
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"]}


class CheckError(RuntimeError):
    """A suite could not be evaluated (an expectation raised inside GX)."""


def default_docs_dir() -> Path:
    from gongkai.warehouse.db import data_dir

    return data_dir() / "gx_docs"


def _context(docs_dir: Path | None):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(site_name="gongkai_local", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(docs_dir).resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return ctx


def _validate(ctx, suite, df: pd.DataFrame, with_docs: bool):
    """Validate one DataFrame against one suite through a code-defined Checkpoint."""
    import great_expectations as gx

    name = suite.name
    asset = ctx.data_sources.add_or_update_pandas(f"{name}_source").add_dataframe_asset(f"{name}_frame")
    batch_def = asset.add_batch_definition_whole_dataframe("whole")
    suite = ctx.suites.add_or_update(suite)
    vd = ctx.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch_def, suite=suite))
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["gongkai_local"])] if with_docs else []
    cp = ctx.checkpoints.add_or_update(gx.Checkpoint(name=f"{name}_checkpoint", validation_definitions=[vd],
                                                     actions=actions, result_format=RESULT_FORMAT))
    res = cp.run(batch_parameters={"dataframe": df})
    (vr,) = res.run_results.values()
    for r in vr.results:
        exc = r.exception_info or {}
        if exc.get("raised_exception"):
            raise CheckError(f"{name}: {r.expectation_config.type} raised: {exc.get('exception_message')}")
    return vr


def _unexpected_ids(expectation_result) -> set[int]:
    return {int(d["row_id"]) for d in expectation_result.result.get("unexpected_index_list") or []}


def _f(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _i(x) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


def _base(row) -> dict:
    return {"report_key": row.report_key, "document_id": _i(row.document_id),
            "publisher": None if pd.isna(row.publisher) else row.publisher,
            "report_year": _i(row.report_year),
            "source_url": None if pd.isna(row.source_url) else row.source_url}


def _pair_results(frame: pd.DataFrame, vr) -> list[RuleResult]:
    """Tri-state results of the pair-equality rules (R1–R7)."""
    out: list[RuleResult] = []
    failed: set[int] = set()
    for er in vr.results:
        failed |= _unexpected_ids(er)
    for row in frame.itertuples(index=False):
        if row.row_id in failed:
            status, msg = FAIL, f"{_fmt(row.left)} ≠ {_fmt(row.right)}"
        elif pd.isna(row.left) or pd.isna(row.right):
            status, msg = UNCERTAIN, _missing_message(row.missing)
        else:
            status, msg = PASS, None
        out.append(RuleResult(rule=row.rule, rule_scope=row.scope, status=status, left_value=_f(row.left),
                              right_value=_f(row.right), message=msg, **_base(row)))
    return out


def _missing_message(missing: str) -> str:
    names = [n for n in (missing or "").split(", ") if n]
    if not names:
        return "blank or missing"
    if len(names) <= 3:
        return "blank or missing: " + ", ".join(names)
    return f"blank or missing: {len(names)} cells ({', '.join(names[:3])}, …)"


def _fmt(x) -> str:
    if x is None or pd.isna(x):
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{float(x):g}"


def _completeness_results(frame: pd.DataFrame, reports: pd.DataFrame, vr) -> list[RuleResult]:
    failed = set()
    for er in vr.results:
        failed |= _unexpected_ids(er)
    out: list[RuleResult] = []
    by_report = {k: g for k, g in frame.groupby("report_key")} if len(frame) else {}
    for rep in reports.itertuples(index=False):
        g = by_report.get(rep.report_key)
        if g is None:
            out.append(RuleResult("COMPLETENESS", "report", UNCERTAIN,
                                  message=f"unknown format version {rep.format_version!r}", **_base(rep)))
            continue
        absent = g[g["row_id"].isin(failed)]
        expected, present = len(g), len(g) - len(absent)
        if len(absent):
            names = [f"{t}.{r}.{c}" for t, r, c in absent[["table_code", "row_code", "column_code"]]
                     .itertuples(index=False)]
            msg = f"{len(absent)} of {expected} cells absent: " + ", ".join(names[:8]) + (
                " …" if len(names) > 8 else "")
            out.append(RuleResult("COMPLETENESS", "report", FAIL, left_value=float(present),
                                  right_value=float(expected), message=msg, **_base(rep)))
        else:
            out.append(RuleResult("COMPLETENESS", "report", PASS, left_value=float(present),
                                  right_value=float(expected), **_base(rep)))
    return out


def _validity_results(frame: pd.DataFrame, reports: pd.DataFrame, vr) -> list[RuleResult]:
    reasons: dict[int, str] = {}
    for er in vr.results:
        check = er.expectation_config.meta.get("check")
        for rid in _unexpected_ids(er):
            reasons[rid] = "negative" if check == "non_negative" else "not an integer"
    bad = frame[frame["row_id"].isin(reasons)] if reasons else frame.iloc[0:0]
    out: list[RuleResult] = []
    bad_reports = set(bad["report_key"])
    for row in bad.itertuples(index=False):
        out.append(RuleResult("VALIDITY", f"{row.table_code}.{row.row_code}.{row.column_code}", FAIL,
                              left_value=_f(row.value),
                              message=f"{row.kind} {_fmt(row.value)}: {reasons[row.row_id]}", **_base(row)))
    for rep in reports.itertuples(index=False):
        if rep.report_key not in bad_reports:
            out.append(RuleResult("VALIDITY", "*", PASS, **_base(rep)))
    return out


def _reports_results(frame: pd.DataFrame, vr) -> list[RuleResult]:
    fails: dict[str, set[int]] = {}
    for er in vr.results:
        fails.setdefault(er.expectation_config.meta["rule"], set()).update(_unexpected_ids(er))
    counts = frame.groupby(["publisher", "report_year_f"]).size() if len(frame) else {}
    out: list[RuleResult] = []
    for row in frame.itertuples(index=False):
        if pd.isna(row.report_year):
            out.append(RuleResult("YEAR_RANGE", "report", UNCERTAIN, message="report year unknown", **_base(row)))
        else:
            st = FAIL if row.row_id in fails.get("YEAR_RANGE", ()) else PASS
            out.append(RuleResult("YEAR_RANGE", "report", st, left_value=_f(row.report_year),
                                  message=f"year {row.report_year} outside 2019..current" if st == FAIL else None,
                                  **_base(row)))
        if pd.isna(row.publisher) or pd.isna(row.report_year):
            out.append(RuleResult("UNIQUENESS", "report", UNCERTAIN, message="publisher or year unknown",
                                  **_base(row)))
        else:
            n = int(counts[(row.publisher, row.report_year_f)])
            st = FAIL if row.row_id in fails.get("UNIQUENESS", ()) else PASS
            out.append(RuleResult("UNIQUENESS", "report", st, left_value=float(n), right_value=1.0,
                                  message=f"{n} current reports for this publisher and year" if st == FAIL
                                  else None, **_base(row)))
    return out


def check_marts(marts: fr.Marts, *, years: Sequence[int] | None = None, docs_dir: Path | None = None,
                progress: Callable[[str], None] | None = None) -> tuple[list[RuleResult], str | None]:
    """Validate every suite over `marts`; return (results, data docs index path or None)."""
    say = progress or (lambda _m: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from expectations.suites import (
            build_balancing_suite,
            build_carry_over_suite,
            build_completeness_suite,
            build_reports_suite,
            build_validity_suite,
        )
        ctx = _context(docs_dir)
        in_scope = marts.restrict(years)
        with_docs = docs_dir is not None
        results: list[RuleResult] = []

        say("balancing rules R1–R6")
        f = fr.balancing_frame(in_scope)
        results += _pair_results(f, _validate(ctx, build_balancing_suite(), f, with_docs))
        say("carry-over R7")
        f = fr.carry_over_frame(marts, years)
        results += _pair_results(f, _validate(ctx, build_carry_over_suite(), f, with_docs))
        say("completeness")
        f = fr.completeness_frame(in_scope)
        results += _completeness_results(f, in_scope.reports, _validate(ctx, build_completeness_suite(), f,
                                                                          with_docs))
        say("validity")
        f = fr.validity_frame(in_scope)
        results += _validity_results(f, in_scope.reports, _validate(ctx, build_validity_suite(), f, with_docs))
        say("year range and uniqueness")
        f = fr.reports_frame(in_scope)
        results += _reports_results(f, _validate(ctx, build_reports_suite(), f, with_docs))
    docs = None
    if docs_dir is not None:
        index = Path(docs_dir).resolve() / "index.html"
        docs = str(index) if index.exists() else None
    return results, docs


def run_checks(conn, *, years: Sequence[int] | None = None, run_id: str | None = None,
               docs_dir: Path | str | None = None, build_docs: bool = True,
               progress: Callable[[str], None] | None = None) -> CheckRun:
    """Run every suite over the warehouse marts, write ``dq.check_runs`` + ``dq.rule_results`` and
    return the :class:`CheckRun`. `years` restricts the reports checked (R7 still reads year N−1).
    GX Data Docs go to `docs_dir` (default ``$GONGKAI_DATA_DIR/gx_docs``) unless `build_docs` is False.
    On an error the run is recorded with status ``error`` and the exception re-raised."""
    from gongkai.quality import results as store

    run = CheckRun(run_id=run_id or uuid.uuid4().hex, started_at=datetime.now(UTC),
                   years=sorted({int(y) for y in years}) if years else None)
    store.start_run(conn, run)
    try:
        marts = fr.load_marts(conn, run.years)
        ddir = Path(docs_dir) if docs_dir else (default_docs_dir() if build_docs else None)
        run.results, run.docs_path = check_marts(marts, years=run.years, docs_dir=ddir if build_docs else None,
                                                 progress=progress)
        run.finished_at = datetime.now(UTC)
        store.write_results(conn, run)
        store.finish_run(conn, run)
    except Exception:
        store.finish_run(conn, run, status="error")
        raise
    return run


__all__ = ["CheckError", "check_marts", "run_checks", "default_docs_dir"]
