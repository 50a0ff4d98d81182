"""The reporting period: one parse, label, bounds and Vietnamese wording for reports, steering and services."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.periods import Period


@pytest.mark.parametrize("text, year, half", [
    ("2025", 2025, None), ("2025-H1", 2025, "H1"), ("2025-H2", 2025, "H2"), ("  2024-H1\n", 2024, "H1"),
    ("1900", 1900, None), ("2999-H2", 2999, "H2"),
])
def test_parse(text: str, year: int, half: str | None) -> None:
    assert Period.parse(text) == Period(year, half)


@pytest.mark.parametrize("text", [
    "", "   ", "25", "202", "20245", "2025-", "2025-H", "2025-H3", "2025-H0", "2025-h1", "2025H1", "2025 -H1",
    "2025-Q1", "2025-05", "H1-2025", "1899", "3000", "0000", "2025-H1-H2", "２０２５", "٢٠٢٥",
])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="year"):
        Period.parse(text)


def test_parse_message_names_the_forms() -> None:
    with pytest.raises(ValueError) as info:
        Period.parse("2025-Q1")
    assert str(info.value) == "'2025-Q1' is not a year (2024) or a half year (2024-H1, 2024-H2)"
    with pytest.raises(ValueError, match="from 1900 to 2999"):
        Period.parse("1850")


@pytest.mark.parametrize("year, half", [(1899, None), (3000, "H1"), (2025, "H3"), (2025, "h1"), (2025, "")])
def test_constructor_refuses(year: int, half: str | None) -> None:
    with pytest.raises(ValueError):
        Period(year, half)


def test_label_and_str() -> None:
    assert Period(2025).label == str(Period(2025)) == "2025"
    assert Period(2025, "H1").label == str(Period(2025, "H1")) == "2025-H1"
    assert Period(2025, "H2").granularity == "half" and Period(2025).granularity == "year"


def test_bounds() -> None:
    assert Period(2024).bounds() == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Period(2024, "H1").bounds() == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert Period(2024, "H2").bounds() == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))


def test_words_vi() -> None:
    assert Period(2025).words_vi() == "năm 2025"
    assert Period(2025, "H1").words_vi() == "6 tháng đầu năm 2025"
    assert Period(2025, "H2").words_vi() == "6 tháng cuối năm 2025"


def test_frozen_and_hashable() -> None:
    period = Period(2025, "H1")
    with pytest.raises(AttributeError):
        period.year = 2026  # type: ignore[misc]
    assert {period, Period.parse("2025-H1")} == {period}


@given(year=st.integers(1900, 2999), half=st.sampled_from([None, "H1", "H2"]))
def test_label_round_trips(year: int, half: str | None) -> None:
    period = Period(year, half)
    assert Period.parse(period.label) == period
    assert Period.parse(f" {period} ") == period
    first, last = period.bounds()
    assert first.year == last.year == year and first <= last
    assert (first.month, last.month) == {None: (1, 12), "H1": (1, 6), "H2": (7, 12)}[half]


def test_the_old_names_delegate() -> None:
    """review.parse_period / period_words and steering's period_bounds stay as thin callers of Period."""
    from cchc.reports.review import parse_period, period_words
    from cchc.services.measures import parse_period_label
    from cchc.steering.figures import period_bounds

    assert parse_period(" 2024-H2 ") == (2024, "H2")
    with pytest.raises(ValueError, match=r"^--period: '2024-H3' is not a year"):
        parse_period("2024-H3")
    assert period_words(2025, "H2") == Period(2025, "H2").words_vi()
    assert period_bounds("2024-H2") == Period(2024, "H2").bounds()
    with pytest.raises(ValueError):
        period_bounds("2024-Q1")
    assert parse_period_label("2024-h2") == ("half", 2024 * 2 + 1)
    assert parse_period_label("2024") == ("year", 2024)
    assert parse_period_label("2024-Q2") == ("quarter", 2024 * 4 + 1)
    assert parse_period_label("2024-05") == ("month", 2024 * 12 + 4)
    with pytest.raises(ValueError, match="expected 2024, 2024-H1"):
        parse_period_label("2024-H3")


def test_numpy_year_becomes_int() -> None:
    np = pytest.importorskip("numpy")
    period = Period(np.int64(2025), "H1")
    assert type(period.year) is int and period == Period(2025, "H1")
    with pytest.raises(ValueError, match="whole number"):
        Period(2025.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        Period(True)  # type: ignore[arg-type]
