"""Working-day calendar (lịch ngày làm việc) for Vietnamese public administration.

A day is a working day unless it is a Saturday or Sunday, a public holiday of Vietnam according to the
``holidays`` package (New Year, Tết, Hùng Kings, 30/4, 1/5, National Day …), or an extra day off listed in
the overrides file — and a make-up working day from the overrides file is a working day even on a Saturday.

The overrides file (``data/calendar_overrides.yaml``) carries the compensatory days off and make-up Saturdays
that the Government announces each year; see ``docs/formats/dossiers.md`` for how to add a year.

All arithmetic is vectorised over numpy ``datetime64[D]`` arrays through a precomputed table of cumulative
working-day counts, so adding working days to ten million dates is a few array look-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

DEFAULT_OVERRIDES = "calendar_overrides.yaml"


class CalendarError(ValueError):
    """The overrides file is malformed."""


@dataclass(frozen=True)
class DayOverride:
    date: dt.date
    name: str
    source: str


@dataclass
class Overrides:
    """Per-year extra days off and make-up working days."""

    days_off: list[DayOverride] = field(default_factory=list)
    working_days: list[DayOverride] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({d.date.year for d in self.days_off + self.working_days})


def _parse_day(item: object, where: str) -> DayOverride:
    if not isinstance(item, dict) or "date" not in item:
        raise CalendarError(f"{where}: each entry needs a 'date' (YYYY-MM-DD), a 'name' and a 'source'")
    raw = item["date"]
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise CalendarError(f"{where}: date {raw!r} is not YYYY-MM-DD") from exc
    if not item.get("source"):
        raise CalendarError(f"{where}: {day} has no 'source' (cite the Government notice)")
    return DayOverride(day, str(item.get("name", "")), str(item["source"]))


def load_overrides(path: str | Path | None = None) -> Overrides:
    """Read an overrides YAML file (the shipped one when ``path`` is None)."""
    if path is None:
        text = resources.files("cchc.services.data").joinpath(DEFAULT_OVERRIDES).read_text(encoding="utf-8")
        where = f"cchc/services/data/{DEFAULT_OVERRIDES}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    try:
        data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, ValueError) as exc:
        raise CalendarError(f"{where}: not valid YAML or a date is not YYYY-MM-DD: {exc}") from exc
    years = data.get("years") or {}
    if not isinstance(years, dict):
        raise CalendarError(f"{where}: 'years' must map a year to its days_off / working_days")
    out = Overrides()
    for year, block in years.items():
        block = block or {}
        for kind in ("days_off", "working_days"):
            for i, item in enumerate(block.get(kind) or []):
                day = _parse_day(item, f"{where}: years.{year}.{kind}[{i}]")
                if day.date.year != int(year):
                    raise CalendarError(f"{where}: {day.date} listed under year {year}")
                getattr(out, kind).append(day)
    clash = {d.date for d in out.days_off} & {d.date for d in out.working_days}
    if clash:
        raise CalendarError(f"{where}: dates both off and working: {sorted(clash)}")
    return out


class WorkingCalendar:
    """Vectorised working-day calendar over ``[first_year, last_year]``.

    >>> cal = WorkingCalendar(2024, 2024)
    >>> cal.is_working_day(dt.date(2024, 5, 4))   # make-up Saturday
    True
    >>> str(cal.add_working_days(np.array(["2024-04-26"], dtype="datetime64[D]"), np.array([1]))[0])
    '2024-05-02'
    """

    def __init__(self, first_year: int = 2015, last_year: int = 2035, overrides: Overrides | None = None):
        import holidays

        if last_year < first_year:
            raise ValueError("last_year before first_year")
        self.first_year, self.last_year = first_year, last_year
        self.overrides = overrides if overrides is not None else load_overrides()
        self.base = np.datetime64(f"{first_year}-01-01", "D")
        end = np.datetime64(f"{last_year + 1}-01-01", "D")
        days = np.arange(self.base, end, dtype="datetime64[D]")
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday → Monday = 0
        working = weekday < 5
        vn = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
        self.holiday_names: dict[dt.date, str] = {d: str(n) for d, n in vn.items()}
        for d in self.overrides.days_off:
            self.holiday_names.setdefault(d.date, d.name)
        off = [np.datetime64(d, "D") for d in self.holiday_names]
        on = [np.datetime64(d.date, "D") for d in self.overrides.working_days]
        off_idx = np.array([(d - self.base).astype(int) for d in off if self.base <= d < end], dtype=np.int64)
        on_idx = np.array([(d - self.base).astype(int) for d in on if self.base <= d < end], dtype=np.int64)
        working[off_idx] = False
        working[on_idx] = True
        self.days = days
        self.working = working
        # cum[i] = number of working days in [base, days[i]] (inclusive)
        self.cum = np.cumsum(working, dtype=np.int64)
        self.working_dates = days[working]

    @classmethod
    def for_years(cls, first_year: int, last_year: int, overrides_path: str | Path | None = None) -> WorkingCalendar:
        """A calendar covering the given years with one spare year either side (for due dates)."""
        return cls(first_year - 1, last_year + 2, load_overrides(overrides_path))

    def _index(self, dates: np.ndarray) -> np.ndarray:
        idx = (dates.astype("datetime64[D]") - self.base).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.days.size):
            raise ValueError(f"date outside the calendar range {self.first_year}–{self.last_year}")
        return idx

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.working[self._index(np.array([day], dtype="datetime64[D]"))[0]])

    def add_working_days(self, start: np.ndarray, n: np.ndarray) -> np.ndarray:
        """The ``n``-th working day after each start date (the start day itself is not counted).

        ``n = 0`` returns the start date unchanged. Vectorised; ``start`` is ``datetime64``.
        """
        start = np.asarray(start).astype("datetime64[D]")
        n = np.asarray(n, dtype=np.int64)
        pos = self.cum[self._index(start)] + n  # 1-based rank of the target working day
        if pos.size and pos.max() > self.working_dates.size:
            raise ValueError(f"due date beyond the calendar range (last year {self.last_year})")
        out = self.working_dates[np.clip(pos - 1, 0, None)]
        return np.where(n <= 0, start, out)

    def working_days_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days in ``(start, end]``: 1 for Monday → Tuesday; negative when ``end`` is before ``start``."""
        return self.cum[self._index(np.asarray(end))] - self.cum[self._index(np.asarray(start))]

    def year_table(self, year: int) -> list[dict[str, object]]:
        """Non-working weekdays and working weekend days of one year, for ``cchc dossiers calendar``."""
        rows = []
        lo = (np.datetime64(f"{year}-01-01", "D") - self.base).astype(int)
        hi = (np.datetime64(f"{year + 1}-01-01", "D") - self.base).astype(int)
        make_up = {d.date: d for d in self.overrides.working_days}
        extra_off = {d.date: d for d in self.overrides.days_off}
        for i in range(lo, hi):
            day = self.days[i].astype(dt.date)
            weekend = day.weekday() >= 5
            if self.working[i] == (not weekend):
                continue
            if self.working[i]:
                rows.append({"date": day.isoformat(), "kind": "make_up_working_day",
                             "name": make_up[day].name, "source": make_up[day].source})
            else:
                src = extra_off[day].source if day in extra_off else "holidays package (VN)"
                rows.append({"date": day.isoformat(), "kind": "day_off",
                             "name": self.holiday_names.get(day, ""), "source": src})
        return rows

    def working_day_count(self, year: int) -> int:
        lo = (np.datetime64(f"{year}-01-01", "D") - self.base).astype(int)
        hi = (np.datetime64(f"{year + 1}-01-01", "D") - self.base).astype(int)
        return int(self.working[lo:hi].sum())
