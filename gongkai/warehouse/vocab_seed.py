"""The dbt seed ``dbt_project/seeds/table_section_vocabulary.csv``, generated from the vocabulary
(``extractors.vocab.all_codes()``). Regenerate with ``python -m gongkai.warehouse.vocab_seed``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from extractors import vocab

SEED_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "table_section_vocabulary.csv"


def seed_csv() -> str:
    rows = vocab.all_codes()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_seed(path: Path = SEED_PATH) -> Path:
    path.write_text(seed_csv(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_seed())
