"""profiles.yml for dbt: from a URL, the password never on disk."""

from __future__ import annotations

import yaml

from gongkai.warehouse import dbt


def test_profiles_from_tcp_url(tmp_path):
    path = dbt.write_profiles("postgresql://alice:s3cr%40t@db.example:5433/warehouse", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "s3cr" not in text
    out = yaml.safe_load(text)["gongkai"]["outputs"]["default"]
    assert (out["host"], out["port"], out["user"], out["dbname"]) == ("db.example", 5433, "alice", "warehouse")
    assert dbt.PASSWORD_ENV in out["password"]


def test_profiles_from_unix_socket_url(tmp_path):
    path = dbt.write_profiles("postgresql://postgres:@/gongkai?host=/tmp/pg%20data", tmp_path / "p")
    out = yaml.safe_load(path.read_text(encoding="utf-8"))["gongkai"]["outputs"]["default"]
    assert out["host"] == "/tmp/pg data" and out["dbname"] == "gongkai"


def test_cli_help():
    from click.testing import CliRunner

    from gongkai.cli import main

    for name in ("load", "migrate", "transform"):
        res = CliRunner().invoke(main, [name, "--help"])
        assert res.exit_code == 0 and "Examples" in res.output, res.output
