"""Lost points (điểm bị trừ / điểm chưa đạt) and strengths and weaknesses.

Lost points of a node = its maximum − its points for the unit (never negative; bonus and penalty are not
"lost"). Across units the question is "where does the province lose most?": the sum and mean of lost points
per node and how many units lost anything there. A unit's standing is read against the mean of its peer group
(:func:`group_means`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
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


def group_means(rows: Iterable[Mapping[str, float | None]], keys: Sequence[str]) -> dict[str, float | None]:
    """Per key, the plain mean of the values the rows have for it (a peer group's average per field).

    A row without the key, or with ``None`` or NaN there, is left out of that key's mean; a key no row has a
    value for maps to ``None``. The mean is summed exactly (:func:`math.fsum`) and kept within the values'
    minimum and maximum, so a group whose members all have the same value has that value as its mean.

    >>> group_means([{"1": 80.0, "2": None}, {"1": 90.0}], ["1", "2"])
    {'1': 85.0, '2': None}
    """
    values: dict[str, list[float]] = {key: [] for key in keys}
    for row in rows:
        for key, found in values.items():
            value = row.get(key)
            if value is not None and not math.isnan(value):
                found.append(float(value))
    return {
        key: (min(max(math.fsum(found) / len(found), min(found)), max(found)) if found else None)
        for key, found in values.items()
    }


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
    codes = [code for code, score in unit.nodes.items() if info[code][0] == depth and score.index is not None]
    means = group_means(({c: s.index for c, s in p.nodes.items()} for p in peers), codes)
    standings = []
    for code in codes:
        mean = means[code]
        if mean is None:  # only when the index is NaN for the unit and all its peers
            continue
        standings.append(Standing(code, info[code][1], unit.nodes[code].index, mean))  # type: ignore[arg-type]
    standings.sort(key=lambda s: -s.gap)
    strengths = [s for s in standings if s.gap > POINTS_TOLERANCE][:count]
    weaknesses = [s for s in reversed(standings) if s.gap < -POINTS_TOLERANCE][:count]
    return strengths, weaknesses
