"""The one parser of typed numbers (web forms, CSV and XLSX cells)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.numbers import format_number_vi, parse_number, round_half_up


@pytest.mark.parametrize(("text", "expected"), [
    ("86.14", 86.14), ("86,14", 86.14), ("0,5", 0.5), ("1.234,5", 1234.5), (" 2 ", 2.0),
    ("1\u00a0234", 1234.0), ("1 234,5", 1234.5), ("-3", -3.0), ("1e3", 1000.0), (7, 7.0), (2.5, 2.5),
])
def test_accepted(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("empty", [None, "", "   ", "\u00a0"])
def test_empty_is_none(empty):
    assert parse_number(empty) is None


@pytest.mark.parametrize("bad", [
    "abc", "1,2,3x", "nan", "NaN", "inf", "-inf", "Infinity", "1e999", True, False,
    float("nan"), float("inf"), float("-inf"), 10**400,
])
def test_refused(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_vietnamese_formatting_reads_back(value):
    assert parse_number(format_number_vi(value, 2)) == round_half_up(value, 2)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_repr_of_a_finite_float_reads_back_exactly(value):
    assert parse_number(repr(value)) == value


@given(st.one_of(st.none(), st.text(max_size=12), st.floats(), st.integers(), st.booleans()))
def test_result_is_none_or_finite_float_or_value_error(value):
    try:
        result = parse_number(value)
    except ValueError:
        return
    assert result is None or (type(result) is float and math.isfinite(result))
