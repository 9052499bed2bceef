"""The samples' golden records, loaded one way: as the JSON dict, or as a Record ready to load; and a
cell-by-cell comparison of an extraction with a golden record."""

from __future__ import annotations

import hashlib
import json

from extractors.model import Record
from gongkai.demo import samples

SEED_IDS = samples.SEED_IDS
CHECKED_ISSUES = {"row_width_mismatch", "run_together_values", "row_not_found", "table_not_found",
                  "unknown_row", "format_version_mismatch", "unreadable_value", "duplicate_row"}


CELL_KEYS = ("table", "row", "column", "value", "raw", "status", "page")
ISSUE_KEYS = ("code", "message", "table", "row", "column", "page")


def _only(d: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in d.items() if k in keys}


def load_golden(seed: str | int) -> dict:
    """The golden record of sample `seed` ("003" or 3), as checked by hand."""
    return samples.golden(seed)


def golden_record(seed: str | int) -> Record:
    """The golden record of sample `seed` as a Record: the sha256 is the published text's, and the fields
    a hand-written record leaves out (raw text, page, issue message) are filled with their defaults."""
    d = load_golden(seed)
    d.pop("notes", None)
    src = {k: v for k, v in d["source"].items() if k in ("path", "sha256", "media_type", "pages", "size")}
    src.setdefault("sha256", hashlib.sha256(samples.text_path(seed).read_bytes()).hexdigest())
    d["source"] = src
    d["cells"] = [{"raw": None, "page": None, **_only(c, CELL_KEYS)} for c in d.get("cells", [])]
    d["issues"] = [{"message": "", **_only(i, ISSUE_KEYS)} for i in d.get("issues", [])]
    return Record.from_dict(d)


def golden_records() -> list[Record]:
    """Every sample's golden record, in sample order."""
    return [golden_record(sid) for sid in SEED_IDS]


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
