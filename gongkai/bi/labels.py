"""Labels shown in the dashboards: the form's Chinese beside our codes ("予以公开 · granted").

The Chinese of a cell code comes from the form's vocabulary (``extractors/vocab.py``, the one source);
the other columns BI shows (publisher, year, status …) are named once in ``labels.yaml`` here."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import yaml

from extractors import vocab

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


def short(label: str) -> str:
    """The printed label without its numbering and trailing note: '（二）部分公开（区分处理的…）' → '部分公开'."""
    text = _NUMBERING.sub("", label).strip()
    return _TRAILING_NOTE.sub("", text).strip() or text


def _row_label(row: vocab.Row) -> str:
    text = short(row.label)
    # a sub-row of a printed group (（三）不予公开 → 1.属于国家秘密) or a group's total reads with its group
    if row.group and (row.group.startswith("（") or text == "总计"):
        return f"{short(row.group)}：{text}" if row.group.startswith("（") else f"{short(row.group)}{text}"
    return text


@cache
def cell_codes() -> dict[str, str]:
    """Code → Chinese for every row and column code of both format versions."""
    out: dict[str, str] = {}
    for fv in vocab.FORMAT_VERSIONS:
        for block in vocab.BLOCKS[fv]:
            for row in block.rows:
                out.setdefault(row.code, _row_label(row))
            for col in block.columns:
                out.setdefault(col.code, short(col.label))
    return out


@cache
def group_codes() -> dict[str, str]:
    """Code → Chinese of the printed groups of rows (（三）不予公开 → withheld: the common prefix of its
    rows' codes), for measures that add a group up."""
    rows: dict[str, list[str]] = {}
    for fv in vocab.FORMAT_VERSIONS:
        for block in vocab.BLOCKS[fv]:
            for row in block.rows:
                if row.group and row.group.startswith("（") and row.code not in rows.get(row.group, []):
                    rows.setdefault(row.group, []).append(row.code)
    return {os.path.commonprefix(codes).rstrip("_"): short(group) for group, codes in rows.items()
            if len(codes) > 1}


@cache
def _labels_yaml() -> dict:
    return yaml.safe_load((Path(__file__).with_name("labels.yaml")).read_text(encoding="utf-8"))


def values(kind: str) -> dict[str, str]:
    """Code → Chinese of the values of a status column (labels.yaml `values:`)."""
    return _labels_yaml()["values"][kind]


@cache
def chinese() -> dict[str, str]:
    """Code → Chinese: the cell codes, their groups, then the mart columns named in labels.yaml."""
    return {**cell_codes(), **group_codes(), **_labels_yaml()["columns"]}


def label(code: str) -> str | None:
    """'予以公开 · granted' for a known code (a metric `sum_granted` reads as its column), else None."""
    base = code.removeprefix("sum_")
    zh = chinese().get(code) or chinese().get(base)
    return f"{zh} · {base}" if zh else None


def rule_statement(text: str) -> str:
    """A rule's statement with the codes it names in Chinese: 'new_received + carried_over = …' →
    '本年新收政府信息公开申请数量 + 上年结转政府信息公开申请数量 = …' (from gongkai.quality.model.RULES)."""
    names = cell_codes()
    return re.sub(r"[a-z][a-z_]+", lambda m: names.get(m.group(0), m.group(0)), text)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def label_case(expression: str, kind: str) -> str:
    """SQL: the Chinese of a status code beside it ('不平衡 · unbalanced'), from labels.yaml `values:`."""
    whens = " ".join(f"when {_quote(code)} then {_quote(f'{zh} · {code}')}" for code, zh in values(kind).items())
    return f"case {expression} {whens} else {expression} end"


def rule_catalog() -> str:
    """SQL: the rules as a VALUES list (rule, rule_title, severity), from gongkai.quality.model.RULES."""
    from gongkai.quality.model import RULES

    rows = ", ".join(f"({_quote(r.code)}, {_quote(rule_statement(r.title))}, "
                     f"{_quote(values('severity').get(r.severity, r.severity) + ' · ' + r.severity)})"
                     for r in RULES.values())
    return f"(values {rows})"


def render_sql(sql: str) -> str:
    """A dataset's SQL with its {{ label_case(...) }} and {{ rule_catalog() }} expanded (Jinja)."""
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    return env.from_string(sql).render(label_case=label_case, rule_catalog=rule_catalog)
