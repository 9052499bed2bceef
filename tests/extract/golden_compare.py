"""Helpers to compare a Record with a hand-checked golden JSON file (tests/golden/)."""

from __future__ import annotations

import json
from pathlib import Path

from extractors.model import Record

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SEED_IDS = ("000", "001", "002", "003", "004")
CHECKED_ISSUES = {"row_width_mismatch", "run_together_values", "row_not_found", "table_not_found",
                  "unknown_row", "format_version_mismatch", "unreadable_value", "duplicate_row"}


def load_golden(seed: str) -> dict:
    return json.loads((GOLDEN / f"seed_{seed}.json").read_text(encoding="utf-8"))


def diff_record(rec: Record, gold: dict, *, check_raw: bool = True, check_meta: bool = True) -> list[str]:
    """Human-readable differences between a record and a golden dict (empty when they agree)."""
    out: list[str] = []
    if rec.error is not None:
        return [f"error {rec.error.code}: {rec.error.message}"]
    got = json.loads(rec.to_json())
    if check_meta:
        for k, v in gold["report"].items():
            if got["report"].get(k) != v:
                out.append(f"report.{k}: {got['report'].get(k)!r} != {v!r}")
    else:
        if got["report"]["format_version"] != gold["report"]["format_version"]:
            out.append(f"format_version {got['report']['format_version']} != {gold['report']['format_version']}")
    cells = {(c["table"], c["row"], c["column"]): c for c in got["cells"]}
    if len(cells) != len(got["cells"]):
        out.append("a cell appears more than once")
    gkeys = {(c["table"], c["row"], c["column"]) for c in gold["cells"]}
    if set(cells) != gkeys:
        out.append(f"cell keys differ: extra {sorted(set(cells) - gkeys)[:3]} missing {sorted(gkeys - set(cells))[:3]}")
    for g in gold["cells"]:
        c = cells.get((g["table"], g["row"], g["column"]))
        if c is None:
            continue
        where = f"{g['table']}.{g['row']}.{g['column']}"
        if c["status"] != g["status"] or c["value"] != g["value"]:
            out.append(f"{where}: got {c['value']!r}/{c['status']} want {g['value']!r}/{g['status']}")
        elif check_raw and "raw" in g and c["raw"] != g["raw"]:
            out.append(f"{where}: raw {c['raw']!r} != {g['raw']!r}")
    want_issues = {(i["code"], i.get("table"), i.get("row")) for i in gold.get("issues", [])}
    got_issues = {(i["code"], i.get("table"), i.get("row")) for i in got["issues"] if i["code"] in CHECKED_ISSUES}
    if want_issues != got_issues:
        out.append(f"issues: unexpected {sorted(got_issues - want_issues, key=str)[:5]}, "
                   f"absent {sorted(want_issues - got_issues, key=str)[:5]}")
    return out
