"""The dbt models are sqlfluff-clean with the dbt templater (the rules in .sqlfluff)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.warehouse import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_dbt_models_are_sqlfluff_clean(fresh_db_url):
    parts = db.url_parts(fresh_db_url)
    env = {**os.environ, "GONGKAI_DBT_HOST": str(parts["host"]), "GONGKAI_DBT_PORT": str(parts["port"]),
           "GONGKAI_DBT_USER": str(parts["user"]), "GONGKAI_WAREHOUSE_PASSWORD": str(parts["password"]),
           "GONGKAI_DBT_DBNAME": str(parts["dbname"]), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    out = subprocess.run([str(sqlfluff), "lint", "dbt_project/models", "--format", "json", "--nofail"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    files = json.loads(out.stdout)
    assert len(files) >= 20, "sqlfluff saw fewer model files than the project has"
    problems = [f"{f['filepath']}:{v.get('start_line_no')} {v['code']} {v['description']}"
                for f in files for v in f["violations"]]
    assert not problems, "\n".join(problems)
