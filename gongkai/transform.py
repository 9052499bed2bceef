"""Run the dbt project (``dbt_project/``) against the warehouse.

``write_profiles`` writes a ``profiles.yml`` for a warehouse URL (the embedded server's Unix-socket
directory works as the host); the password is never written: the profile reads it from the
``GONGKAI_WAREHOUSE_PASSWORD`` environment variable, which ``run_dbt`` sets for the run.
dbt runs in-process through ``dbt.cli.main.dbtRunner``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from gongkai.warehouse import db

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
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
    text = f"""# written by gongkai.transform.write_profiles; the password comes from ${PASSWORD_ENV}
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


def run_dbt(args: Sequence[str], url: str | None = None, *, profiles_dir: str | Path | None = None,
            target_path: str | Path | None = None, migrate_first: bool = True):
    """Run a dbt command (e.g. ``["build", "--select", "marts"]``) on the warehouse; return dbt's
    ``dbtRunnerResult`` (``.success``, ``.result``)."""
    from dbt.cli.main import dbtRunner

    url = url or db.warehouse_url()
    if migrate_first:  # the sources (raw.*) must exist
        from gongkai.warehouse import migrate

        with db.connect(url) as conn:
            migrate.migrate(conn)
    profiles = write_profiles(url, profiles_dir).parent
    log_dir = profiles / "logs"
    cli = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(profiles),
           "--log-path", str(log_dir)]
    if target_path:
        cli += ["--target-path", str(target_path)]
    with _env(**{PASSWORD_ENV: str(db.url_parts(url)["password"])}):
        return dbtRunner().invoke(cli)


def dbt_build(url: str | None = None, select: str | Sequence[str] | None = None, *,
              profiles_dir: str | Path | None = None, target_path: str | Path | None = None) -> bool:
    """``dbt build`` (seeds, models, data tests, unit tests), optionally ``--select``-ed; True if green.
    Holds the warehouse lock exclusive meanwhile: no load commits while dbt reads the raw layer."""
    from gongkai.warehouse.locks import transform_lock

    args = ["build"]
    if select:
        args += ["--select", *([select] if isinstance(select, str) else select)]
    with transform_lock(url):
        return bool(run_dbt(args, url, profiles_dir=profiles_dir, target_path=target_path).success)


def dbt_docs(url: str | None = None, *, profiles_dir: str | Path | None = None,
             target_path: str | Path | None = None) -> bool:
    """``dbt docs generate`` (catalog + manifest into the target dir); True on success."""
    return bool(run_dbt(["docs", "generate"], url, profiles_dir=profiles_dir, target_path=target_path).success)
