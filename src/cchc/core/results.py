"""Result tables: one row per unit and year with index, rank and field results.

The same shape holds published national tables (PAR INDEX ranks and indices, often partial: full tables are
published only as images) and results computed by :func:`cchc.core.scoring.score_cycle`, so comparison,
regional ranking and narrative work on either.

Rank rule: a published rank is used as published. When a year carries no published rank at all, ranks are
computed from the index (competition ranks at the precision). ``of`` is the declared number of ranked units
(63 provinces before the 2025 reorganisation) or, when not declared, the number of rows of that year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from cchc.core.names import normalize_unit_name, sort_key_vi
from cchc.core.ranking import competition_rank


@dataclass(frozen=True)
class FieldResult:
    index: float | None = None
    rank: int | None = None
    points: float | None = None


@dataclass(frozen=True)
class ResultRow:
    unit: str
    year: int
    index: float | None = None
    rank: int | None = None
    of: int | None = None
    region: str | None = None
    unit_type: str | None = None
    band: str | None = None
    points: float | None = None
    sipas: float | None = None
    fields: dict[str, FieldResult] = field(default_factory=dict)
    code: str | None = None

    @property
    def key(self) -> str:
        return normalize_unit_name(self.code or self.unit)


class ResultSet:
    """Rows of several years; lookups by unit name are Unicode- and prefix-tolerant."""

    def __init__(self, rows: Iterable[ResultRow], precision: int = 2):
        self.precision = precision
        self.rows = self._complete(list(rows))

    def _complete(self, rows: list[ResultRow]) -> list[ResultRow]:
        out: list[ResultRow] = []
        for year in sorted({r.year for r in rows}):
            year_rows = [r for r in rows if r.year == year]
            if not any(r.rank for r in year_rows):
                values = np.array([np.nan if r.index is None else r.index for r in year_rows])
                ranks = competition_rank(values, self.precision)
                year_rows = [replace(r, rank=int(k) or None) for r, k in zip(year_rows, ranks, strict=True)]
            field_codes = sorted({c for r in year_rows for c in r.fields})
            for code in field_codes:
                if any(r.fields.get(code, FieldResult()).rank for r in year_rows):
                    continue
                values = np.array(
                    [np.nan if (f := r.fields.get(code)) is None or f.index is None else f.index for r in year_rows]
                )
                ranks = competition_rank(values, self.precision)
                year_rows = [
                    replace(r, fields={**r.fields, code: replace(r.fields[code], rank=int(k) or None)})
                    if code in r.fields
                    else r
                    for r, k in zip(year_rows, ranks, strict=True)
                ]
            size = len(year_rows)
            out.extend(replace(r, of=r.of or size) for r in year_rows)
        return out

    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    def year(self, year: int) -> list[ResultRow]:
        return [r for r in self.rows if r.year == year]

    def find(self, unit: str, year: int) -> ResultRow | None:
        key = normalize_unit_name(unit)
        for r in self.rows:
            if r.year == year and (r.key == key or normalize_unit_name(r.unit) == key):
                return r
        return None

    def previous_year(self, year: int) -> int | None:
        earlier = [y for y in self.years() if y < year]
        return max(earlier) if earlier else None

    def ranked(self, year: int, group_by: str | None = None) -> list[tuple[str | None, list[ResultRow]]]:
        """Rows of a year, grouped (``region`` or ``unit_type``), each group in rank order; ties by name;
        unranked rows last."""
        rows = self.year(year)
        groups: dict[str | None, list[ResultRow]] = {}
        for r in rows:
            groups.setdefault(getattr(r, group_by) if group_by else None, []).append(r)
        out = []
        for key in sorted(groups, key=lambda k: sort_key_vi(k or "")):
            members = groups[key]
            if group_by:
                members = with_group_ranks(members, self.precision)
            members.sort(key=lambda r: (r.rank is None, r.rank or 0, sort_key_vi(r.unit)))
            out.append((key, members))
        return out


def with_group_ranks(rows: Sequence[ResultRow], precision: int = 2) -> list[ResultRow]:
    """Ranks inside a group: by the overall rank when ranks are known (ties kept), else by the index."""
    if any(r.rank for r in rows):
        values = np.array([np.nan if not r.rank else -float(r.rank) for r in rows])
        ranks = competition_rank(values, 0)
    else:
        values = np.array([np.nan if r.index is None else r.index for r in rows])
        ranks = competition_rank(values, precision)
    size = int((ranks > 0).sum())
    return [replace(r, rank=int(k) or None, of=size) for r, k in zip(rows, ranks, strict=True)]
