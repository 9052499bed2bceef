"""`gongkai extract` through click's runner, on the real seed texts and bad files."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from gongkai.cli import main


def _copy_seeds(seeds_dir, dst):
    for p in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(p, dst / p.name)
    return sorted(dst.glob("*.txt"))


def test_json_lines_per_document(seeds_dir, tmp_path):
    files = _copy_seeds(seeds_dir, tmp_path)
    res = CliRunner().invoke(main, ["extract", "--json", *map(str, files[:2])])
    assert res.exit_code == 0, res.output
    lines = [x for x in res.stdout.splitlines() if x.strip()]
    assert len(lines) == 2
    recs = [json.loads(x) for x in lines]
    assert recs[0]["report"]["publisher"] == "灵武市东塔镇人民政府"
    assert len(recs[0]["cells"]) == 198 and recs[0]["source"]["media_type"] == "text/plain"
    assert {c["status"] for c in recs[1]["cells"]} == {"ok", "unreadable"}


def test_table_view_and_directory(seeds_dir, tmp_path):
    _copy_seeds(seeds_dir, tmp_path)
    (tmp_path / "notes.md").write_text("not a report document suffix")
    res = CliRunner().invoke(main, ["extract", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.count("== ") == 5 and "notes.md" not in out
    assert "三、收到和处理政府信息公开申请情况" in out and "（三）1.国家秘密" in out
    assert "row_width_mismatch" in out and "6 values for 7 columns" in out
    assert "2977.8555" in out  # seed 003's procurement amount
    assert "extract: 5/5 documents (100%)" in res.stderr  # progress on stderr for many files


def test_error_exit_status(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    res = CliRunner().invoke(main, ["extract", "--json", str(empty)])
    assert res.exit_code == 1
    rec = json.loads(res.stdout.strip())
    assert rec["error"]["code"] == "empty_file" and rec["cells"] == []
    res = CliRunner().invoke(main, ["extract", str(empty)])
    assert res.exit_code == 1 and "ERROR empty_file" in res.stdout


def test_help():
    res = CliRunner().invoke(main, ["extract", "--help"])
    assert res.exit_code == 0 and "--json" in res.output and "unreadable" in res.output


def test_real_pdf_json_matches_gold(real_dir):
    """The published PDF, through the CLI: every cell equals the hand-checked gold."""
    pdf = real_dir / "hongzequ_2024.pdf"
    gold = json.loads((real_dir / "hongzequ_2024.gold.json").read_text(encoding="utf-8"))
    res = CliRunner().invoke(main, ["extract", "--json", str(pdf)])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout.strip())
    assert rec["source"]["sha256"] == gold["sha256"] and rec["source"]["pages"] == 5
    assert {k: rec["report"][k] for k in gold["report"]} == gold["report"]
    got = {(c["table"], c["row"], c["column"]): c for c in rec["cells"]}
    assert len(got) == len(rec["cells"]) == len(gold["cells"])
    for g in gold["cells"]:
        c = got[(g["table"], g["row"], g["column"])]
        assert (c["value"], c["status"]) == (g["value"], g["status"]), g
        if g["status"] == "ok":
            assert c["page"] in (2, 3, 4)
