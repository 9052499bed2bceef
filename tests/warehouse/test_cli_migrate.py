"""`gongkai migrate [--list]` on a real, empty database."""

from __future__ import annotations

from click.testing import CliRunner

from gongkai.cli import main
from gongkai.warehouse import migrate


def test_list_then_apply_then_nothing_to_do(fresh_db_url):
    names = [p.name for p in migrate.available()]
    run = CliRunner().invoke
    listed = run(main, ["migrate", "--url", fresh_db_url, "--list"])
    assert listed.exit_code == 0, listed.output
    assert [line.split()[-1] for line in listed.output.splitlines()] == names
    assert all(line.startswith("pending") for line in listed.output.splitlines())
    applied = run(main, ["migrate", "--url", fresh_db_url])
    assert applied.output.splitlines() == [f"applied {n}" for n in names]
    assert run(main, ["migrate", "--url", fresh_db_url]).output.strip() == "schema up to date"
    after = run(main, ["migrate", "--url", fresh_db_url, "--list"]).output.splitlines()
    assert all(line.startswith("applied 20") for line in after) and len(after) == len(names)
