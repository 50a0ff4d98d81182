"""The reporting period of a review: a calendar year ("2025") or one of its halves ("2025-H1", "2025-H2").

One type parses the label, writes it back, gives the first and last day, and words it in Vietnamese, so the
report, the steering figures, the service-delivery measures and the web read a period the same way.

>>> p = Period.parse(" 2025-H1 ")
>>> p.label, p.bounds(), p.words_vi()
('2025-H1', (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)), '6 tháng đầu năm 2025')
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from dataclasses import dataclass

MIN_YEAR = 1900
MAX_YEAR = 2999
HALVES = ("H1", "H2")
GRANULARITIES = ("month", "quarter", "half", "year")
"""How finely indicators over time are cut (service delivery: a month, a quarter, a half-year or a year)."""

# ASCII digits only: ``\d`` would also take other scripts' digits.
_LABEL = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<half>H[12]))?", re.ASCII)


@dataclass(frozen=True)
class Period:
    """A year (``half`` is None) or its first (``"H1"``, January–June) or second (``"H2"``, July–December) half.

    >>> Period(2024, "H2")
    Period(year=2024, half='H2')
    >>> str(Period(2024))
    '2024'
    >>> Period(2024, "H3")
    Traceback (most recent call last):
    ...
    ValueError: period half 'H3': expected None, 'H1' or 'H2'
    """

    year: int
    half: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, numbers.Integral):
            raise ValueError(f"period year {self.year!r}: expected a whole number")
        object.__setattr__(self, "year", int(self.year))  # a NumPy or database integer becomes a plain int
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"period year {self.year}: expected a year from {MIN_YEAR} to {MAX_YEAR}")
        if self.half is not None and self.half not in HALVES:
            raise ValueError(f"period half {self.half!r}: expected None, 'H1' or 'H2'")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``"2025"``, ``"2025-H1"`` or ``"2025-H2"`` (surrounding whitespace is ignored).

        >>> Period.parse("2025")
        Period(year=2025, half=None)
        >>> Period.parse("2025-H2")
        Period(year=2025, half='H2')
        >>> Period.parse("2025-Q1")
        Traceback (most recent call last):
        ...
        ValueError: '2025-Q1' is not a year (2024) or a half year (2024-H1, 2024-H2)
        """
        match = _LABEL.fullmatch(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"{text!r} is not a year (2024) or a half year (2024-H1, 2024-H2)")
        year = int(match["year"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{text!r}: the year must be from {MIN_YEAR} to {MAX_YEAR}")
        return cls(year, match["half"])

    @property
    def label(self) -> str:
        """``"2025"`` or ``"2025-H1"``: what :meth:`parse` reads.

        >>> Period(2025, "H1").label
        '2025-H1'
        """
        return f"{self.year}-{self.half}" if self.half else str(self.year)

    @property
    def granularity(self) -> str:
        """``"half"`` or ``"year"``, as :mod:`cchc.services` names its periods.

        >>> Period(2025, "H1").granularity, Period(2025).granularity
        ('half', 'year')
        """
        return "half" if self.half else "year"

    def bounds(self) -> tuple[dt.date, dt.date]:
        """First and last day: H1 1 Jan–30 Jun, H2 1 Jul–31 Dec, a year 1 Jan–31 Dec.

        >>> Period(2024, "H2").bounds()
        (datetime.date(2024, 7, 1), datetime.date(2024, 12, 31))
        """
        if self.half == "H1":
            return dt.date(self.year, 1, 1), dt.date(self.year, 6, 30)
        if self.half == "H2":
            return dt.date(self.year, 7, 1), dt.date(self.year, 12, 31)
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)

    def words_vi(self) -> str:
        """The period in the report's Vietnamese.

        >>> Period(2025).words_vi(), Period(2025, "H1").words_vi(), Period(2025, "H2").words_vi()
        ('năm 2025', '6 tháng đầu năm 2025', '6 tháng cuối năm 2025')
        """
        if self.half == "H1":
            return f"6 tháng đầu năm {self.year}"
        if self.half == "H2":
            return f"6 tháng cuối năm {self.year}"
        return f"năm {self.year}"

    def __str__(self) -> str:
        return self.label
