"""Property tests (hypothesis) for value parsing and label normalisation."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from extractors.normalize import label_key
from extractors.values import parse_value
from extractors.vocab import AMOUNT, CHANGE, COUNT, cells

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(st.integers(min_value=0, max_value=10**9))
def test_counts_round_trip(n):
    assert parse_value(str(n), COUNT).value == n
    assert parse_value(str(n).translate(FULLWIDTH), COUNT).value == n
    assert parse_value(f"{n:,}", COUNT).value == n
    assert parse_value(f"{n}件", COUNT).value == n


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_changes_keep_their_sign(n):
    assert parse_value(str(n), CHANGE).value == n
    if n < 0:
        assert parse_value(f"减{-n}", CHANGE).value == n
    else:
        assert parse_value(f"增{n}", CHANGE).value == n


@given(st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False))
def test_amounts_in_wan_yuan(d):
    s = format(d, "f")
    assert parse_value(s, AMOUNT).value == d
    assert parse_value(s + "万元", AMOUNT).value == d
    assert parse_value(s + "元", AMOUNT).value == d / Decimal(10000)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12))
def test_parse_never_raises_and_null_has_a_reason(t):
    for kind in (COUNT, CHANGE, AMOUNT):
        p = parse_value(t, kind)
        assert (p.value is None) == (p.status != "ok")
        assert (p.issue is not None) == (p.status == "unreadable")


LABELS = sorted({c.row_label for fv in ("2019", "2021") for c in cells(fv)} |
                {c.column_label for fv in ("2019", "2021") for c in cells(fv)})


@given(st.sampled_from(LABELS), st.lists(st.sampled_from([" ", "\n", "\u3000", "  "]), min_size=1, max_size=40),
       st.randoms(use_true_random=False))
def test_label_key_ignores_spacing_inside_labels(label, spaces, rnd):
    chars = list(label)
    for sp in spaces:
        chars.insert(rnd.randint(1, max(1, len(chars) - 1)), sp)
    assert label_key("".join(chars)) == label_key(label)


@given(st.sampled_from(LABELS))
def test_label_key_is_idempotent_and_width_insensitive(label):
    k = label_key(label)
    assert label_key(k) == k
    assert label_key(label.replace("(", "（").replace(")", "）")) == k
