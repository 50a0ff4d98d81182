"""Lost points (điểm bị trừ / điểm chưa đạt) and strengths and weaknesses.

Lost points of a node = its maximum − its points for the unit (never negative; bonus and penalty are not
"lost"). Across units the question is "where does the province lose most?": the sum and mean of lost points
per node and how many units lost anything there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cchc.core.framework import POINTS_TOLERANCE, Framework
from cchc.core.scoring import CycleResult, UnitResult


@dataclass(frozen=True)
class LostPoints:
    code: str
    name_vi: str
    depth: int
    max_points: float
    lost: float  # sum over units (or the unit's own)
    units_losing: int
    units: int

    @property
    def mean_lost(self) -> float:
        return self.lost / self.units if self.units else 0.0


def _depths(framework: Framework) -> dict[str, tuple[int, str]]:
    return {node.code: (len(ancestors), node.name_vi) for node, ancestors in framework.walk()}


def lost_points(
    framework: Framework, units: Sequence[UnitResult], depth: int | None = None
) -> list[LostPoints]:
    """Lost points per node over ``units`` (one unit for a unit's own view), largest first.

    ``depth`` 0 = fields, 1 = criteria …; ``None`` = leaves only."""
    info = _depths(framework)
    leaves = {leaf.code for leaf in framework.leaves()}
    totals: dict[str, list[float]] = {}
    max_seen: dict[str, float] = {}
    for unit in units:
        for code, lost in unit.lost.items():
            d, _ = info[code]
            if (depth is None and code in leaves) or (depth is not None and d == depth):
                totals.setdefault(code, []).append(lost)
                max_seen[code] = max(max_seen.get(code, 0.0), unit.nodes[code].max_points)
    out = [
        LostPoints(
            code=code,
            name_vi=info[code][1],
            depth=info[code][0],
            max_points=max_seen[code],
            lost=sum(values),
            units_losing=sum(1 for v in values if v > POINTS_TOLERANCE),
            units=len(values),
        )
        for code, values in totals.items()
    ]
    out.sort(key=lambda x: (-x.lost, x.code))
    return out


@dataclass(frozen=True)
class Standing:
    code: str
    name_vi: str
    index: float
    group_mean: float

    @property
    def gap(self) -> float:
        return self.index - self.group_mean


def strengths_weaknesses(
    framework: Framework, cycle: CycleResult, unit_code: str, depth: int = 0, count: int = 3
) -> tuple[list[Standing], list[Standing]]:
    """The unit's nodes (fields by default) most above and most below the mean of its group."""
    info = _depths(framework)
    unit = cycle.unit(unit_code)
    peers = [u for u in cycle.units if u.group == unit.group]
    standings = []
    for code, score in unit.nodes.items():
        if info[code][0] != depth or score.index is None:
            continue
        values = [p.nodes[code].index for p in peers if code in p.nodes and p.nodes[code].index is not None]
        mean = sum(values) / len(values)  # type: ignore[arg-type]
        standings.append(Standing(code, info[code][1], score.index, mean))
    standings.sort(key=lambda s: -s.gap)
    strengths = [s for s in standings if s.gap > POINTS_TOLERANCE][:count]
    weaknesses = [s for s in reversed(standings) if s.gap < -POINTS_TOLERANCE][:count]
    return strengths, weaknesses
