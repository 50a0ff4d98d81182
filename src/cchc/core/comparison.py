"""Comparison across years: points and places gained, band changes, regional standing, field movers.

``delta_rank = previous rank − current rank`` (positive = up places, "tăng bậc"); ``delta_points`` is the
difference of the published (rounded) indices, so it matches what a reader computes from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc.core.names import normalize_unit_name
from cchc.core.numbers import format_number_vi, round_half_up
from cchc.core.results import ResultRow, ResultSet, with_group_ranks
from cchc.core.scoring import CycleResult


@dataclass(frozen=True)
class FieldChange:
    code: str
    index: float | None
    rank: int | None
    prev_index: float | None
    prev_rank: int | None
    delta_rank: int | None


@dataclass(frozen=True)
class UnitSummary:
    unit: str
    year: int
    index: float | None
    rank: int | None
    of: int | None
    band: str | None
    prev_year: int | None
    prev_index: float | None
    prev_rank: int | None
    prev_band: str | None
    delta_points: float | None
    delta_rank: int | None
    region: str | None
    region_rank: int | None
    region_size: int | None
    region_leader: str | None
    fields: list[FieldChange] = field(default_factory=list)
    baseline_note: str | None = None
    sipas: float | None = None
    prev_sipas: float | None = None


def delta(current: float | None, previous: float | None, precision: int = 2) -> float | None:
    """``current − previous`` at the precision; None when either is unknown.

    >>> delta(86.14, 81.35)
    4.79
    """
    if current is None or previous is None:
        return None
    return round_half_up(round_half_up(current, precision) - round_half_up(previous, precision), precision)


def delta_rank(current: int | None, previous: int | None) -> int | None:
    """Places gained: ``previous − current``.

    >>> delta_rank(43, 55)
    12
    """
    if not current or not previous:
        return None
    return previous - current


def region_standing(rows: list[ResultRow], unit_key: str, region: str | None, precision: int = 2):
    """(rank in region, region size, leader name) for a unit among a year's rows."""
    if region is None:
        return None, None, None
    members = [r for r in rows if r.region == region]
    ranked = with_group_ranks(members, precision)
    mine = next((r for r in ranked if r.key == unit_key), None)
    leaders = sorted((r for r in ranked if r.rank == 1), key=lambda r: r.unit)
    return (mine.rank if mine else None), len(members), (leaders[0].unit if leaders else None)


def summarize(
    results: ResultSet,
    unit: str,
    year: int,
    *,
    previous: ResultRow | None = None,
    baseline_note: str | None = None,
) -> UnitSummary:
    """Everything the narrative and ``cchc results show`` need about one unit in one year.

    ``previous`` overrides the previous-year row (a lineage baseline after a merger)."""
    row = results.find(unit, year)
    if row is None:
        known = ", ".join(sorted({r.unit for r in results.year(year)})[:8])
        raise KeyError(f"no result for {unit!r} in {year} (units that year include: {known} …)")
    prev_year = results.previous_year(year)
    prev = previous if previous is not None else (results.find(row.unit, prev_year) if prev_year else None)
    p = results.precision
    rows = results.year(year)
    region_rank, region_size, leader = region_standing(rows, row.key, row.region, p)
    fields = []
    for code in sorted(row.fields, key=_code_key):
        now = row.fields[code]
        before = prev.fields.get(code) if prev else None
        fields.append(
            FieldChange(
                code=code,
                index=now.index,
                rank=now.rank,
                prev_index=before.index if before else None,
                prev_rank=before.rank if before else None,
                delta_rank=delta_rank(now.rank, before.rank if before else None),
            )
        )
    return UnitSummary(
        unit=row.unit,
        year=year,
        index=row.index,
        rank=row.rank,
        of=row.of,
        band=row.band,
        prev_year=prev.year if prev else prev_year,
        prev_index=prev.index if prev else None,
        prev_rank=prev.rank if prev else None,
        prev_band=prev.band if prev else None,
        delta_points=delta(row.index, prev.index if prev else None, p),
        delta_rank=delta_rank(row.rank, prev.rank if prev else None),
        region=row.region,
        region_rank=region_rank,
        region_size=region_size,
        region_leader=leader,
        fields=fields,
        baseline_note=baseline_note,
        sipas=row.sipas,
        prev_sipas=prev.sipas if prev else None,
    )


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


# ---- computed cycles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitChange:
    prev_index: float | None
    prev_rank: int | None
    delta_points: float | None
    delta_rank: int | None
    band_from: str | None
    band_to: str | None
    rule: str | None = None  # how the previous value was obtained (lineage baseline), for the reader

    @property
    def band_changed(self) -> bool:
        return self.band_from is not None and self.band_to is not None and self.band_from != self.band_to


def compare_cycles(
    current: CycleResult, previous: CycleResult | None, predecessors: dict[str, list[str]] | None = None
) -> dict[str, UnitChange]:
    """Change of every unit of ``current`` against ``previous`` (matched by code, or through
    ``predecessors``: current code → previous codes, their plain mean index as the baseline — the ``mean`` rule
    of :mod:`cchc.core.lineage`, stated in ``rule``; a merged unit has no previous rank or band).

    Ranks are compared inside the same group (unit type by default)."""
    out: dict[str, UnitChange] = {}
    before = {u.code: u for u in previous.units} if previous else {}
    for unit in current.units:
        if not unit.ranked:  # no rank, no band: no change in places either
            out[unit.code] = UnitChange(None, None, None, None, None, None, "không xếp hạng")
            continue
        codes = (predecessors or {}).get(unit.code, [unit.code])
        olds = [before[c] for c in codes if c in before and before[c].ranked]
        if not olds or len(olds) != len(codes):
            missing = [c for c in codes if c not in before or not before[c].ranked]
            rule = f"không có kết quả năm trước của {', '.join(missing)}" if previous else None
            out[unit.code] = UnitChange(None, None, None, None, None, unit.band.code if unit.band else None, rule)
            continue
        prev_index = sum(o.index for o in olds) / len(olds)
        prev_rank = olds[0].rank if len(olds) == 1 else None
        prev_band = olds[0].band.code if len(olds) == 1 and olds[0].band else None
        out[unit.code] = UnitChange(
            prev_index=prev_index,
            prev_rank=prev_rank,
            delta_points=delta(unit.index, prev_index, current.precision),
            delta_rank=delta_rank(unit.rank, prev_rank),
            band_from=prev_band,
            band_to=unit.band.code if unit.band else None,
            rule=None if codes == [unit.code] else (
                f"so sánh với {codes[0]}" if len(codes) == 1
                else f"điểm gốc = bình quân của {' + '.join(codes)} ({format_number_vi(prev_index, current.precision)}%)"
            ),
        )
    return out


def cycle_rows(cycle: CycleResult, year: int) -> list[ResultRow]:
    """A computed cycle as result rows (field = top-level node), for the same comparison and narrative."""
    from cchc.core.results import FieldResult

    rows = []
    for u in cycle.units:
        fields = {
            code: FieldResult(index=score.index, points=score.points)
            for code, score in u.nodes.items()
            if "." not in code and score.max_points > 0
        }
        rows.append(
            ResultRow(
                unit=u.name,
                code=u.code,
                year=year,
                index=u.index,
                rank=u.rank or None,
                of=u.of,
                region=u.region,
                unit_type=u.unit_type,
                band=u.band.code if u.band else None,
                points=u.total,
                fields=fields,
            )
        )
    return rows


def same_unit(a: str, b: str) -> bool:
    return normalize_unit_name(a) == normalize_unit_name(b)
