"""The one way gongkai launches dbt (``dbt_project/``): in-process, through ``dbt.cli.main.dbtRunner``.

* :func:`run_dbt` — any dbt command on the warehouse: ``write_profiles`` writes a ``profiles.yml`` for the
  warehouse URL (the embedded server's Unix-socket directory works as the host) without the password,
  which the profile reads from ``GONGKAI_WAREHOUSE_PASSWORD``, set for the run only;
* :func:`dbt_build`, :func:`dbt_docs` — what ``gongkai transform [--docs]`` and the demo run;
* :func:`dbt_parse` — the manifest the ``t_warehouse`` DAG renders its dbt tasks from (offline: no
  database, the committed env-var profile ``dbt_project/profiles.yml``).

(The ``t_warehouse`` DAG's per-model tasks are cosmos' ``DbtTaskGroup``, which also runs dbtRunner.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from gongkai.warehouse import db

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PROFILE_NAME = "gongkai"
PASSWORD_ENV = "GONGKAI_WAREHOUSE_PASSWORD"


def default_profiles_dir() -> Path:
    return db.data_dir() / "dbt"


def _yaml_str(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_profiles(url: str | None = None, target_dir: str | Path | None = None, *, threads: int = 2) -> Path:
    """Write ``profiles.yml`` for `url` (default: the warehouse URL) into `target_dir`
    (default ``data/dbt``); return its path."""
    parts = db.url_parts(url or db.warehouse_url())
    target = Path(target_dir) if target_dir else default_profiles_dir()
    target.mkdir(parents=True, exist_ok=True)
    text = f"""# written by gongkai.warehouse.dbt.write_profiles; the password comes from ${PASSWORD_ENV}
{PROFILE_NAME}:
  target: default
  outputs:
    default:
      type: postgres
      host: {_yaml_str(parts["host"])}
      port: {int(parts["port"])}
      user: {_yaml_str(parts["user"])}
      password: "{{{{ env_var('{PASSWORD_ENV}', '') }}}}"
      dbname: {_yaml_str(parts["dbname"])}
      schema: public
      threads: {threads}
      connect_timeout: 30
"""
    path = target / "profiles.yml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def invoke(args: Sequence[str], *, profiles_dir: str | Path, target_path: str | Path | None = None,
           log_path: str | Path | None = None, env: dict[str, str] | None = None):
    """Run ``dbt <args>`` on the project in this process; return dbt's ``dbtRunnerResult``
    (``.success``, ``.result``). `env` is set for the run only; nothing is sent anywhere."""
    from dbt.cli.main import dbtRunner

    cli = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(profiles_dir),
           "--log-path", str(log_path or Path(profiles_dir) / "logs")]
    if target_path:
        cli += ["--target-path", str(target_path)]
    with _env(DO_NOT_TRACK="1", **(env or {})):
        return dbtRunner().invoke(cli)


def run_dbt(args: Sequence[str], url: str | None = None, *, profiles_dir: str | Path | None = None,
            target_path: str | Path | None = None, migrate_first: bool = True):
    """Run a dbt command (e.g. ``["build", "--select", "marts"]``) on the warehouse; return dbt's
    ``dbtRunnerResult`` (``.success``, ``.result``)."""
    url = url or db.warehouse_url()
    if migrate_first:  # the sources (raw.*) must exist
        from gongkai.warehouse import migrate

        with db.connect(url) as conn:
            migrate.migrate(conn)
    profiles = write_profiles(url, profiles_dir).parent
    return invoke(args, profiles_dir=profiles, target_path=target_path,
                  env={PASSWORD_ENV: str(db.url_parts(url)["password"])})


def dbt_build(url: str | None = None, select: str | Sequence[str] | None = None, *,
              profiles_dir: str | Path | None = None, target_path: str | Path | None = None,
              full_refresh: bool = False) -> bool:
    """``dbt build`` (seeds, models, data tests, unit tests), optionally ``--select``-ed; True if green.
    The facts are incremental (rebuilt per changed document); `full_refresh` rebuilds them whole.
    Holds the warehouse lock exclusive meanwhile: no load commits while dbt reads the raw layer."""
    from gongkai.warehouse.locks import transform_lock

    args = ["build", *(["--full-refresh"] if full_refresh else [])]
    if select:
        args += ["--select", *([select] if isinstance(select, str) else select)]
    with transform_lock(url):
        return bool(run_dbt(args, url, profiles_dir=profiles_dir, target_path=target_path).success)


STATIC_DOCS = "static_index.html"


def dbt_docs(url: str | None = None, *, profiles_dir: str | Path | None = None,
             target_path: str | Path | None = None) -> bool:
    """``dbt docs generate --static`` (catalog + manifest into the target dir, and ``static_index.html``:
    the site with both inlined, one file that works opened from disk — ``index.html`` fetches the JSON
    files, which browsers refuse over file://, and stays on "loading"); True on success."""
    args = ["docs", "generate", "--static", "--quiet"]  # errors still print
    return bool(run_dbt(args, url, profiles_dir=profiles_dir, target_path=target_path).success)


def docs_site(url: str | None = None, target: str | Path | None = None) -> Path | None:
    """Generate the dbt docs into `target` (default ``$GONGKAI_DATA_DIR/dbt_docs``); the single-file site's
    path, or None when dbt failed."""
    target = Path(target).resolve() if target else db.data_dir() / "dbt_docs"
    ok = dbt_docs(url, target_path=target, profiles_dir=target.parent / "dbt")
    page = target / STATIC_DOCS
    return page if ok and page.exists() else None


MANIFEST_ENV = "GONGKAI_DBT_MANIFEST"


def dbt_parse(target_dir: str | Path) -> Path:
    """``dbt parse`` into `target_dir` (offline: no database connection, the committed env-var profile
    ``dbt_project/profiles.yml``); returns the manifest.json path. The t_warehouse DAG renders its dbt
    task group from this manifest when ``$GONGKAI_DBT_MANIFEST`` points at it."""
    target = Path(target_dir).resolve()
    res = invoke(["parse", "--quiet"], profiles_dir=DBT_PROJECT_DIR, target_path=target, log_path=target / "logs")
    manifest = target / "manifest.json"
    if not res.success or not manifest.exists():
        raise RuntimeError(f"dbt parse failed: {res.exception or 'see ' + str(target / 'logs')}")
    return manifest
