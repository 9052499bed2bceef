from extractors import vocab


def test_cell_counts_per_format_version():
    # 2019: 22 proactive + 23 rows x 7 + 15; 2021: 10 proactive + (25 rows + the legacy other_handling) x 7 + 15
    assert len(vocab.cells("2019")) == 22 + 23 * 7 + 15
    assert len(vocab.cells("2021")) == 10 + 26 * 7 + 15


def test_every_cell_appears_once():
    for fv in vocab.FORMAT_VERSIONS:
        keys = [(c.table, c.row, c.column) for c in vocab.cells(fv)]
        assert len(keys) == len(set(keys))


def test_kinds():
    assert vocab.kind_of("proactive", "items_change") == vocab.CHANGE
    assert vocab.kind_of("proactive", "fee_amount") == vocab.AMOUNT
    assert vocab.cell_index("2019")[("proactive", "centralized_procurement", "procurement_amount")].kind == vocab.AMOUNT
