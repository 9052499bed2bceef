from decimal import Decimal

import pytest

from extractors.model import BLANK, MARKER, OK, UNREADABLE
from extractors.values import is_run_together, looks_like_value, parse_value
from extractors.vocab import AMOUNT, CHANGE, COUNT


@pytest.mark.parametrize("text,kind,value", [
    ("12", COUNT, 12), ("１２", COUNT, 12), ("12件", COUNT, 12), (" 0 ", COUNT, 0), ("1,234", COUNT, 1234),
    ("-15", CHANGE, -15), ("减4", CHANGE, -4), ("增3", CHANGE, 3), ("+2", CHANGE, 2), ("0", CHANGE, 0),
    ("－15", CHANGE, -15),
    ("2977.8555万元", AMOUNT, Decimal("2977.8555")), ("251000元", AMOUNT, Decimal("25.1")),
    ("5949.088667", AMOUNT, Decimal("5949.088667")), ("7545", AMOUNT, Decimal("7545")),
    ("1,234.5", AMOUNT, Decimal("1234.5")),
])
def test_numbers(text, kind, value):
    p = parse_value(text, kind)
    assert p.status == OK and p.issue is None
    assert p.value == value and type(p.value) is type(value)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", None])
def test_blank_is_not_zero(text):
    p = parse_value(text, COUNT)
    assert p.status == BLANK and p.value is None


@pytest.mark.parametrize("text", ["—", "-", "－", "/", "／", "无", "——"])
def test_markers(text):
    for kind in (COUNT, CHANGE, AMOUNT):
        p = parse_value(text, kind)
        assert p.status == MARKER and p.value is None


@pytest.mark.parametrize("text,kind", [("1 0", COUNT), ("12 5", AMOUNT), ("abc", COUNT), ("1.5", COUNT), ("约5", COUNT), ("-3", COUNT),
                                       ("5万元", COUNT), ("1.5", CHANGE), ("十二", AMOUNT)])
def test_unreadable(text, kind):
    p = parse_value(text, kind)
    assert p.status == UNREADABLE and p.value is None and p.issue == "unreadable_value"


def test_looks_like_value():
    assert looks_like_value("0") and looks_like_value("2977.8555万元") and looks_like_value("—")
    assert not looks_like_value("1.属于国家秘密") and not looks_like_value("") and not looks_like_value("规章")


def test_run_together():
    assert is_run_together(["640020470"], 7)
    assert is_run_together(["5", "640020470"], 7)
    assert not is_run_together(["0", "0", "0", "0", "0", "0"], 7)  # a short row, not run together
    assert not is_run_together(["0"] * 7, 7)
