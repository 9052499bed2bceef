"""A check run: validate every suite ``expectations/`` declares against the check models in the warehouse,
store the results, build the GX Data Docs.

The rules are computed once, by dbt (``marts.fct_rule_checks``, ``marts.fct_integrity_checks``). For
each suite of ``expectations.suites.SUITES`` the runner

1. validates the suite's rows (a GX table asset on the Postgres datasource: every expectation is a
   query; no rows come into memory except GX's bounded sample of failing rows for the Data Docs);
2. copies the same rows into ``dq.rule_results`` with one ``insert … select``;
3. checks that GX and the model agree on every rule (GX's unexpected rows are the model's FAILs, GX's
   remaining rows its PASSes), and stops the run (``CheckError``) if they do not;
4. writes the run's summary per publisher × year (``dq.report_summaries``, read by
   ``marts.dq_rule_summary``).

``run_checks(conn)`` is the entry point; memory stays flat whatever the number of reports.
"""

from __future__ import annotations

import logging
import os
import uuid
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from expectations.catalogue import CRITICAL, WARNING, rules_of
from expectations.suites import ROW_NAMES, SUITES, relation_of
from gongkai.quality import results as store
from gongkai.quality.datadocs import make_offline
from gongkai.quality.model import FAIL, PASS, UNCERTAIN, CheckRun

log = logging.getLogger(__name__)
# On a SQL datasource GX caps even COMPLETE results (at most 200 unexpected values, `partial_unexpected_count`
# failing rows, named by publisher, year and scope): counts and a sample for the Data Docs, flat memory.
# (GX's own "unexpected index query" drops the row condition: not shown.)
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ROW_NAMES,
                 "partial_unexpected_count": 20, "return_unexpected_index_query": False}
URL_ENV = "GONGKAI_GX_WAREHOUSE_URL"  # GX reads the connection string from here (never stored in its config)
PROBLEMS_SHOWN = 2000  # FAIL (warning) and UNCERTAIN results loaded for people by default (all are stored)


class CheckError(RuntimeError):
    """A suite could not be evaluated, or GX and the check model disagree."""


def default_docs_dir() -> Path:
    from gongkai.warehouse.db import data_dir

    return data_dir() / "gx_docs"


def sqlalchemy_url(conn) -> str:
    """A SQLAlchemy URL (psycopg 3 driver) for the database `conn` is connected to; a Unix-socket
    directory goes in the ``host`` query parameter."""
    info = conn.info
    auth = quote(info.user or "", safe="")
    if info.password:
        auth += ":" + quote(info.password, safe="")
    host = info.host or "localhost"
    port = info.port or 5432
    db = quote(info.dbname, safe="")
    if host.startswith("/"):
        return f"postgresql+psycopg://{auth}@localhost:{port}/{db}?host={quote(host, safe='/')}"
    return f"postgresql+psycopg://{auth}@{host}:{port}/{db}"


@contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


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


def _validate(ctx, assets: dict, name: str, years: Sequence[int] | None):
    """Validate suite `name` on its check model in the warehouse through a code-defined Checkpoint."""
    import great_expectations as gx

    relation = relation_of(name)
    if relation not in assets:
        schema, table = relation.split(".")
        asset = assets["datasource"].add_table_asset(table, table_name=table, schema_name=schema)
        assets[relation] = asset.add_batch_definition_whole_table("all rows")
    suite = ctx.suites.add_or_update(SUITES[name](years))
    vd = ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=assets[relation], suite=suite))
    cp = ctx.checkpoints.add_or_update(gx.Checkpoint(name=f"{name}_checkpoint", validation_definitions=[vd],
                                                     result_format=RESULT_FORMAT))
    (vr,) = cp.run().run_results.values()
    for r in vr.results:
        exc = r.exception_info or {}
        if exc.get("raised_exception"):
            raise CheckError(f"{name}: {r.expectation_config.type} raised: {exc.get('exception_message')}")
    return vr


def gx_counts(vr) -> dict[str, dict[str, int]]:
    """{rule: {PASS: n, FAIL: n}} as GX counted them: the unexpected rows fail; the rows compared (not
    missing a side) and not unexpected pass."""
    out: dict[str, dict[str, int]] = {}
    for er in vr.results:
        res = er.result
        fail = int(res.get("unexpected_count") or 0)
        compared = int(res.get("element_count") or 0) - int(res.get("missing_count") or 0)
        out[er.expectation_config.meta["rule"]] = {PASS: compared - fail, FAIL: fail}
    return out


def _agree(gx_seen: dict[str, dict[str, int]], stored: dict[str, dict[str, int]]) -> None:
    for rule, seen in gx_seen.items():
        have = stored.get(rule, {PASS: 0, FAIL: 0})
        if (seen[PASS], seen[FAIL]) != (have.get(PASS, 0), have.get(FAIL, 0)):
            raise CheckError(
                f"{rule}: GX counts {seen[PASS]} pass / {seen[FAIL]} fail but the check model has "
                f"{have.get(PASS, 0)} / {have.get(FAIL, 0)} — rebuild the marts (gongkai transform) and check again")


def validate_and_store(conn, run: CheckRun, *, docs_dir: Path | None = None,
                       progress: Callable[[str], None] | None = None) -> dict[str, dict[str, int]]:
    """Validate every suite, store its rows as the run's results (one transaction for the whole run),
    check that GX and the models agree; return the stored {rule: {status: n}}."""
    say = progress or (lambda _m: None)
    for relation in dict.fromkeys(relation_of(name) for name in SUITES):  # missing marts: psycopg's own error
        conn.execute(f"select from {relation} limit 0")
    checked_at = datetime.now(UTC)
    gx_seen: dict[str, dict[str, int]] = {}
    with warnings.catch_warnings(), _env(URL_ENV, sqlalchemy_url(conn)):
        warnings.simplefilter("ignore")
        ctx = _context(docs_dir)
        # table assets (the report years go into the row conditions): GX reads a query asset's columns by
        # running the whole query, once per expectation
        assets = {"datasource": ctx.data_sources.add_postgres(
            "gongkai_warehouse", connection_string="${" + URL_ENV + "}", create_temp_table=False)}
        for name in SUITES:
            say(f"{name}: {', '.join(r.code for r in rules_of(name))}")
            gx_seen |= gx_counts(_validate(ctx, assets, name, run.years))
        if docs_dir is not None:  # once, for every suite's validation (not once per checkpoint)
            say("GX Data Docs")
            ctx.build_data_docs(site_names=["gongkai_local"])
            make_offline(docs_dir)  # no CDN: the bundled assets, by relative paths
    with conn.transaction():
        conn.execute("delete from dq.rule_results where run_id = %s", (run.run_id,))
        conn.execute("delete from dq.report_summaries where run_id = %s", (run.run_id,))
        for name in SUITES:
            store.copy_results(conn, run, relation_of(name), rules_of(name), checked_at)
        stored = store.status_counts(conn, run.run_id)
        _agree(gx_seen, stored)
        say("summaries")
        store.summarize(conn, run.run_id)
    return stored


def run_checks(conn, *, years: Sequence[int] | None = None, run_id: str | None = None,
               docs_dir: Path | str | None = None, build_docs: bool = True,
               progress: Callable[[str], None] | None = None, detail: str = "problems") -> CheckRun:
    """Run every suite over the check models, write ``dq.check_runs`` + ``dq.rule_results`` and return the
    :class:`CheckRun`. `years` restricts the reports checked (R7 rows belong to year N). GX Data Docs go
    to `docs_dir` (default ``$GONGKAI_DATA_DIR/gx_docs``) unless `build_docs` is False. `detail` says
    which results the returned run holds — every critical FAIL always (the digest and the exit status
    need them); ``problems``: also the first other FAIL and UNCERTAIN ones; ``all``: every result;
    ``critical``: nothing else. All of them are in ``dq.rule_results``. On an error the run is recorded
    with status ``error`` and the exception re-raised."""
    run = CheckRun(run_id=run_id or uuid.uuid4().hex, started_at=datetime.now(UTC),
                   years=sorted({int(y) for y in years}) if years else None, detail=detail)
    store.start_run(conn, run)
    try:
        ddir = (Path(docs_dir) if docs_dir else default_docs_dir()) if build_docs else None
        counts = validate_and_store(conn, run, docs_dir=ddir, progress=progress)
        conn.commit()
        _load_for_people(conn, run, counts)
        if ddir is not None and (ddir.resolve() / "index.html").exists():
            run.docs_path = str(ddir.resolve() / "index.html")
        run.finished_at = datetime.now(UTC)
        store.finish_run(conn, run)
    except Exception:
        store.finish_run(conn, run, status="error")
        raise
    return run


def _load_for_people(conn, run: CheckRun, counts: dict[str, dict[str, int]]) -> None:
    run.totals = {s: sum(c.get(s, 0) for c in counts.values()) for s in (PASS, FAIL, UNCERTAIN)}
    run.reports_checked, run.report_years = store.reports_and_years(conn, run.run_id)
    run.by_rule = counts
    if run.detail == "all":
        run.results = store.load_results(conn, run.run_id)
        store.attach_details(conn, run.critical_failures)
        return
    run.results = store.load_results(conn, run.run_id, statuses=[FAIL], severities=[CRITICAL])
    if run.detail == "problems":
        run.results += store.load_results(conn, run.run_id, statuses=[FAIL, UNCERTAIN], severities=[WARNING],
                                          limit=PROBLEMS_SHOWN)
        others = store.load_results(conn, run.run_id, statuses=[UNCERTAIN], severities=[CRITICAL],
                                    limit=PROBLEMS_SHOWN)
        run.results += others
    shown = sum(r.status != PASS for r in run.results)
    run.problems_not_loaded = run.totals[FAIL] + run.totals[UNCERTAIN] - shown
    store.attach_details(conn, run.critical_failures)


__all__ = ["CheckError", "run_checks", "default_docs_dir", "sqlalchemy_url"]
