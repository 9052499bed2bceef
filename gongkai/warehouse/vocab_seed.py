"""The dbt files generated from their one source (each fact stated once):

* ``dbt_project/seeds/table_section_vocabulary.csv`` — every cell of the vocabulary
  (``extractors.vocab.all_codes()``);
* ``dbt_project/macros/vocabulary.sql`` — the row and column codes the SQL models name (the pivots'
  columns, the outcome rows of R2, the applicant parts of R3 …), from ``extractors.vocab``;
* ``dbt_project/macros/rule_catalogue.sql`` — what the models need from the rule catalogue
  (``expectations.catalogue``): which rules decide a report's balance status, the first report year.
* ``dbt_project/seeds/rule_catalogue.csv`` — every catalogued rule with its statement in the form's
  Chinese (``gongkai.bi.labels.rule_statement``) and its severity, for ``rpt_rule_results``;
* ``dbt_project/seeds/label_values.csv`` — the Chinese of the status codes (``gongkai/bi/labels.yaml``);
* ``dbt_project/seeds/prose_measure_cells.csv`` — the measures prose claims name and the cells of each
  format version each one sums (``extractors.claims.MEASURES``; R8).

Regenerate them all with ``python -m gongkai.warehouse.vocab_seed``; a test says they are current.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from expectations import catalogue
from extractors import claims, vocab

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SEED_PATH = DBT_DIR / "seeds" / "table_section_vocabulary.csv"
VOCABULARY_MACROS_PATH = DBT_DIR / "macros" / "vocabulary.sql"
CATALOGUE_MACROS_PATH = DBT_DIR / "macros" / "rule_catalogue.sql"
RULE_CATALOGUE_SEED_PATH = DBT_DIR / "seeds" / "rule_catalogue.csv"
LABEL_VALUES_SEED_PATH = DBT_DIR / "seeds" / "label_values.csv"
MEASURES_SEED_PATH = DBT_DIR / "seeds" / "prose_measure_cells.csv"


def seed_csv() -> str:
    rows = vocab.all_codes()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def measures_csv() -> str:
    """One row per format version × prose measure × cell it sums; a measure the form has no cell for:
    one row with empty cell columns (claims of it are kept, R8 does not evaluate them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["format_version", "measure_code", "measure_label", "table_code", "row_code", "column_code"])
    for fv in vocab.FORMAT_VERSIONS:
        for m in claims.MEASURES.values():
            for cell in m.cells(fv) or [("", "", "")]:
                w.writerow([fv, m.code, m.label, *cell])
    return buf.getvalue()


def _ordered_union(*groups: Sequence[str]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for g in groups:
        out.update(dict.fromkeys(g))
    return tuple(out)


def _codes(format_version: str, table: str, what: str) -> tuple[str, ...]:
    return _ordered_union([getattr(c, what) for c in vocab.cells(format_version) if c.table == table])


def _proactive_columns() -> tuple[str, ...]:
    """Column codes of section 二 of either format, block by block (2019's before 2021's)."""
    blocks = [b.code for b in vocab.BLOCKS["2019"] if b.table == "proactive"]
    per_block = [[col.code for fv in vocab.FORMAT_VERSIONS for b in vocab.BLOCKS[fv]
                  if b.table == "proactive" and b.code == code for col in b.columns] for code in blocks]
    return _ordered_union(*per_block)


def _amount_columns() -> tuple[str, ...]:
    return _ordered_union([c.column for fv in vocab.FORMAT_VERSIONS for c in vocab.cells(fv) if c.kind == vocab.AMOUNT])


def _application_rows_of(group: str) -> tuple[str, ...]:
    """The section 三 rows printed under `group` (the same in both formats: a test would see otherwise)."""
    per_format = [tuple(r.code for b in vocab.BLOCKS[fv] if b.table == "applications" for r in b.rows
                        if r.group == group) for fv in vocab.FORMAT_VERSIONS]
    assert per_format[0] and all(p == per_format[0] for p in per_format), group
    return per_format[0]


def _macro(name: str, value, doc: str) -> str:
    if isinstance(value, str | int):
        literal = repr(value)
    else:
        lines: list[list[str]] = [[]]
        for item in (f"'{v}'" for v in value):
            if lines[-1] and len(", ".join([*lines[-1], item])) > 92:
                lines.append([])
            lines[-1].append(item)
        rows = [", ".join(line) for line in lines]
        literal = "[\n        " + ",\n        ".join(rows) + "\n    ]" if len(rows) > 1 else f"[{rows[0]}]"
    return f"{{#- {doc} -#}}\n{{% macro {name}() -%}}\n    {{{{ return({literal}) }}}}\n{{%- endmacro %}}\n"


def _file(source: str, macros: list[str]) -> str:
    head = (f"{{#- GENERATED from {source} by gongkai/warehouse/vocab_seed.py: do not edit.\n"
            "    Regenerate: python -m gongkai.warehouse.vocab_seed -#}\n")
    return head + "\n" + "\n".join(macros)


def vocabulary_macros() -> str:
    apps_2021 = _codes("2021", "applications", "row")
    assert set(_codes("2019", "applications", "row")) <= set(apps_2021)
    return _file("extractors/vocab.py", [
        _macro("application_row_codes", apps_2021,
               "Rows of section 三 (applications) of either format, in printed order."),
        _macro("applicant_column_codes", tuple(c.code for c in vocab.APPLICANT_COLUMNS),
               "Columns of section 三: the six applicant types and 总计 (total)."),
        _macro("applicant_part_codes", vocab.APPLICANT_PARTS,
               "The six applicant columns whose sum is the total column (R3)."),
        _macro("outcome_row_codes", vocab.OUTCOME_ROWS,
               "The outcome rows of R2 printed the same way in every report: 予以公开 … 不予处理."),
        _macro("other_single_row_code", vocab.OTHER_SINGLE_ROW,
               "（六）其他处理 printed as one row (2019 format; some 2021 reports keep it)."),
        _macro("other_split_row_codes", vocab.OTHER_SUBROWS,
               "（六）其他处理 printed as its three sub-rows (2021 format)."),
        _macro("review_result_codes", tuple(c.code for c in vocab.RESULT_COLUMNS),
               "Columns of section 四 (review_litigation), total last."),
        _macro("review_part_codes", vocab.RESULT_PARTS,
               "The four results of section 四 whose sum is the total column (R4–R6)."),
        _macro("proceeding_codes", _codes("2021", "review_litigation", "row"),
               "Rows of section 四: administrative review and the two kinds of litigation."),
        _macro("proactive_column_codes", _proactive_columns(),
               "Columns of section 二 (proactive) of either format, block by block."),
        _macro("amount_column_codes", _amount_columns(),
               "Columns holding amounts (万元, decimals); every other column holds whole numbers."),
        _macro("withheld_row_codes", _application_rows_of("（三）不予公开"),
               "The rows of （三）不予公开 (section 三), in printed order."),
        _macro("unavailable_row_codes", _application_rows_of("（四）无法提供"),
               "The rows of （四）无法提供 (section 三), in printed order."),
        _macro("not_processed_row_codes", _application_rows_of("（五）不予处理"),
               "The rows of （五）不予处理 (section 三), in printed order."),
    ])


def catalogue_macros() -> str:
    return _file("expectations/catalogue.py", [
        _macro("balancing_rule_ids", catalogue.BALANCING_RULES,
               "The printed balancing identities: they decide rpt_report_overview.balance_status."),
        _macro("first_report_year", catalogue.FIRST_YEAR,
               "The first report year under the revised 条例 (YEAR_RANGE)."),
    ])


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def rule_catalogue_csv() -> str:
    """One row per catalogued rule: its statement in English and with the form's Chinese labels, severity."""
    from gongkai.bi.labels import rule_statement, values

    severity = values("severity")
    return _csv([{"rule_id": r.code, "rule_title": r.title, "rule_statement": rule_statement(r.title),
                  "severity": r.severity, "severity_label": severity.get(r.severity, r.severity),
                  "suite": r.suite, "scope_kind": r.scope} for r in catalogue.RULES.values()])


def label_values_csv() -> str:
    """The Chinese of the status codes (gongkai/bi/labels.yaml `values:`): kind, code, label."""
    from gongkai.bi.labels import _labels_yaml

    return _csv([{"kind": kind, "code": code, "label": label}
                 for kind, codes in _labels_yaml()["values"].items() for code, label in codes.items()])


GENERATED: dict[Path, Callable[[], str]] = {
    SEED_PATH: seed_csv,
    RULE_CATALOGUE_SEED_PATH: rule_catalogue_csv,
    LABEL_VALUES_SEED_PATH: label_values_csv,
    VOCABULARY_MACROS_PATH: vocabulary_macros,
    CATALOGUE_MACROS_PATH: catalogue_macros,
    MEASURES_SEED_PATH: measures_csv,
}


def write_seed(path: Path = SEED_PATH) -> Path:
    path.write_text(seed_csv(), encoding="utf-8")
    return path


def write_all() -> list[Path]:
    for path, make in GENERATED.items():
        path.write_text(make(), encoding="utf-8")
    return list(GENERATED)


if __name__ == "__main__":
    for p in write_all():
        print(p)
