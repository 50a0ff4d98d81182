"""Working-day calendar: holidays package + sourced overrides for 2024–2026."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.services.calendar import CalendarError, WorkingCalendar, load_overrides

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(2023, 2027)


@pytest.mark.parametrize("day", [D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)])
def test_make_up_saturdays_are_working_days(cal: WorkingCalendar, day: dt.date) -> None:
    assert day.weekday() == 5
    assert cal.is_working_day(day)


@pytest.mark.parametrize("day", [D(2024, 4, 29), D(2025, 5, 2), D(2026, 1, 2), D(2026, 8, 31)])
def test_swapped_days_off(cal: WorkingCalendar, day: dt.date) -> None:
    assert day.weekday() < 5
    assert not cal.is_working_day(day)


def test_tet_holidays_are_off(cal: WorkingCalendar) -> None:
    for y, days in {2024: range(8, 15), 2026: range(16, 21)}.items():
        for d in days:
            assert not cal.is_working_day(D(y, 2, d)), (y, d)
    for d in range(27, 32):
        assert not cal.is_working_day(D(2025, 1, d))
    assert cal.is_working_day(D(2025, 2, 3))


def test_add_working_days_spans_holidays(cal: WorkingCalendar) -> None:
    start = np.array(["2024-04-26", "2024-02-07", "2024-03-01", "2024-03-04"], dtype="datetime64[D]")
    n = np.array([5, 2, 1, 0])
    got = cal.add_working_days(start, n).astype(str).tolist()
    # 26/4 Fri → 2/5, 3/5, Sat 4/5 (make-up), 6/5, 7/5; Tết 8–14/2; Fri 1/3 + 1 = Mon 4/3; n=0 unchanged
    assert got == ["2024-05-07", "2024-02-16", "2024-03-04", "2024-03-04"]


def test_working_days_between(cal: WorkingCalendar) -> None:
    a = np.array(["2024-04-26", "2024-03-04"], dtype="datetime64[D]")
    b = np.array(["2024-05-07", "2024-03-01"], dtype="datetime64[D]")
    assert cal.working_days_between(a, b).tolist() == [5, -1]


def test_working_day_counts_per_year(cal: WorkingCalendar) -> None:
    assert {y: cal.working_day_count(y) for y in (2024, 2025, 2026)} == {2024: 251, 2025: 250, 2026: 249}


def test_year_table_names_sources(cal: WorkingCalendar) -> None:
    rows = cal.year_table(2026)
    make_up = [r for r in rows if r["kind"] == "make_up_working_day"]
    assert [r["date"] for r in make_up] == ["2026-01-10", "2026-08-22"]
    assert all(r["source"].startswith("https://") or "http" in r["source"] for r in make_up)


def test_every_shipped_override_has_a_source() -> None:
    ov = load_overrides()
    assert ov.years == [2024, 2025, 2026]
    assert all("http" in d.source for d in ov.days_off + ov.working_days)


@pytest.mark.parametrize(
    "text, message",
    [
        ("years: {2027: {days_off: [{date: 2027-01-02, name: x}]}}", "no 'source'"),
        ("years: {2027: {days_off: [{date: 2027-13-02, name: x, source: s}]}}", "YYYY-MM-DD"),
        ("years: {2027: {days_off: [{date: 2028-01-03, name: x, source: s}]}}", "listed under year"),
        ("years: {2027: {days_off: [{date: 2027-01-02, source: s}], working_days: [{date: 2027-01-02, source: s}]}}",
         "both off and working"),
    ],
)
def test_bad_overrides_are_refused(tmp_path, text: str, message: str) -> None:  # noqa: ANN001
    p = tmp_path / "o.yaml"
    p.write_text(text)
    with pytest.raises(CalendarError, match=message):
        load_overrides(p)


def test_province_overrides_file_adds_a_year(tmp_path) -> None:  # noqa: ANN001
    p = tmp_path / "o.yaml"
    p.write_text("years:\n  2027:\n    working_days:\n      - {date: 2027-01-09, name: make-up, source: notice}\n")
    cal = WorkingCalendar(2026, 2028, load_overrides(p))
    assert cal.is_working_day(D(2027, 1, 9))
    # the file replaces the shipped one: 2026 make-up Saturday is no longer known
    assert not cal.is_working_day(D(2026, 8, 22))


@settings(max_examples=200, deadline=None)
@given(day=st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)), n=st.integers(0, 60))
def test_add_working_days_is_the_inverse_of_counting(day: dt.date, n: int) -> None:
    cal = _CAL
    start = np.array([day], dtype="datetime64[D]")
    due = cal.add_working_days(start, np.array([n]))
    assert cal.working_days_between(start, due)[0] == n
    if n > 0:
        assert cal.is_working_day(due[0].astype(dt.date))
        # the day before the due date is one working day short
        assert cal.working_days_between(start, due - 1)[0] == n - 1
    assert due[0] >= start[0]


_CAL = WorkingCalendar(2022, 2028)
