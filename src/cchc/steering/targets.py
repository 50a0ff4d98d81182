"""Targets (chỉ tiêu) and their attainment from the data in the system.

A target: a source ("Nghị quyết số 18-NQ/TU"), a metric (PAR INDEX rank or value, SIPAS, a field index, a 766
indicator, a task completion rate), a comparator and a value, and a deadline. Attainment:

- ``unknown``: no observation yet;
- ``met``: the latest observation meets the target;
- ``not_met``: the deadline has passed and the last observation up to it does not meet the target;
- ``on_track``: before the deadline, not met yet, but the trend of the last observations reaches it by then;
- ``at_risk``: before the deadline, not met, and the trend does not reach it (or there is no trend yet).

The trend is the straight line through the last observations (least squares over up to 3), extrapolated to the
deadline — a plain, stated rule, not a forecast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Comparator = Literal[">=", "<=", "top"]

LABELS_VI = {"met": "Đạt", "not_met": "Không đạt", "on_track": "Chưa đạt, xu hướng đạt", "at_risk": "Có nguy cơ không đạt",
             "unknown": "Chưa có số liệu"}


@dataclass(frozen=True)
class Target:
    source: str
    metric: str  # e.g. "par_index_rank", "par_index", "sipas", "field:2", "766:on_time", "task_completion"
    comparator: Comparator
    value: float
    deadline: dt.date
    description_vi: str = ""


@dataclass(frozen=True)
class Attainment:
    status: Literal["met", "not_met", "on_track", "at_risk", "unknown"]
    latest: float | None
    latest_on: dt.date | None
    projected: float | None

    @property
    def label_vi(self) -> str:
        return LABELS_VI[self.status]


def meets(value: float, comparator: Comparator, target: float) -> bool:
    """'top 30' is a rank at most 30.

    >>> meets(28, "top", 30), meets(84.9, ">=", 85)
    (True, False)
    """
    if comparator == ">=":
        return value >= target - 1e-9
    return value <= target + 1e-9  # "<=" and "top" (ranks: lower is better)


def attainment(target: Target, observations: Sequence[tuple[dt.date, float]], today: dt.date) -> Attainment:
    obs = sorted((d, v) for d, v in observations if v is not None)
    if target.deadline < today:
        obs = [o for o in obs if o[0] <= target.deadline] or obs[:0]
    if not obs:
        return Attainment("unknown", None, None, None)
    last_on, last = obs[-1]
    if meets(last, target.comparator, target.value):
        return Attainment("met", last, last_on, None)
    if target.deadline < today:
        return Attainment("not_met", last, last_on, None)
    projected = _project(obs[-3:], target.deadline)
    if projected is not None and target.comparator == "top":
        projected = max(1.0, projected)  # a rank cannot be better than first
    if projected is not None and meets(projected, target.comparator, target.value):
        return Attainment("on_track", last, last_on, projected)
    return Attainment("at_risk", last, last_on, projected)


def _project(points: Sequence[tuple[dt.date, float]], when: dt.date) -> float | None:
    if len(points) < 2:
        return None
    xs = [p[0].toordinal() for p in points]
    ys = [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my + slope * (when.toordinal() - mx)
