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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from cchc.core.numbers import format_number_vi

Comparator = Literal[">=", "<=", "top"]

# The verdict of a target, worded once: the targets page (through gettext) and the review report both use these.
LABELS_VI = {"met": "Đạt", "not_met": "Không đạt", "on_track": "Chưa đạt, xu hướng đạt", "at_risk": "Có nguy cơ không đạt",
             "unknown": "Chưa có số liệu"}

# What a metric code means, for every page and document (the code itself is never shown to a reader).
METRIC_LABELS_VI = {
    "par_index": "Chỉ số CCHC (PAR INDEX) của tỉnh",
    "par_index_rank": "Xếp hạng Chỉ số CCHC (PAR INDEX) của tỉnh",
    "sipas": "Chỉ số hài lòng (SIPAS) của tỉnh",
    "sipas_rank": "Xếp hạng Chỉ số hài lòng (SIPAS) của tỉnh",
    "papi": "Chỉ số PAPI của tỉnh",
    "papi_rank": "Xếp hạng Chỉ số PAPI của tỉnh",
    "task_completion": "Tỷ lệ hoàn thành nhiệm vụ CCHC đến hạn (%)",
}
# Metrics with a parameter ("field:3", "internal:SNV"): the wording around the named field or unit.
METRIC_PATTERNS_VI = {
    "field": "Chỉ số thành phần lĩnh vực {name}",
    "field_rank": "Xếp hạng chỉ số thành phần lĩnh vực {name}",
    "internal": "Chỉ số CCHC của {name}",
    "766": "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766): {name}",
}
RANK_TEXT_VI = {"top": "trong nhóm {n} đứng đầu", "<=": "xếp thứ {n} trở lên", ">=": "xếp thứ {n} trở xuống"}


def _same(text: str) -> str:
    return text


def is_rank(metric: str, comparator: str = "") -> bool:
    """A rank (lower is better, printed as a whole number): the ``top`` comparator or a ``…rank`` metric."""
    return comparator == "top" or metric.split(":", 1)[0].endswith("rank")


def metric_label_vi(metric: str, names: Mapping[str, str] | None = None,
                    gettext: Callable[[str], str] = _same) -> str:
    """The reader's name of a metric code: ``par_index_rank`` → "Xếp hạng Chỉ số CCHC (PAR INDEX) của tỉnh",
    ``field:3`` → "Chỉ số thành phần lĩnh vực 3" (or the field's name from ``names``), ``internal:SNV`` → "Chỉ số
    CCHC của Sở Nội vụ" with ``names`` mapping unit codes to names. ``gettext`` translates the wording (the web
    pages pass Django's).

    >>> metric_label_vi("par_index_rank"), metric_label_vi("field:3", {"3": "3. Cải cách thủ tục hành chính"})
    ('Xếp hạng Chỉ số CCHC (PAR INDEX) của tỉnh', 'Chỉ số thành phần lĩnh vực 3. Cải cách thủ tục hành chính')
    """
    if metric in METRIC_LABELS_VI:
        return gettext(METRIC_LABELS_VI[metric])
    kind, _sep, arg = metric.partition(":")
    if arg and kind in METRIC_PATTERNS_VI:
        return gettext(METRIC_PATTERNS_VI[kind]).format(name=(names or {}).get(arg, arg))
    return metric


def value_text(value: float | None, metric: str, comparator: str = "") -> str:
    """An observed or projected value as printed: a rank as a whole number ("43"), other values with two decimals
    and a decimal comma ("84,00")."""
    if value is None:
        return "—"
    if is_rank(metric, comparator):
        return str(int(round(value)))
    return format_number_vi(value, 2)


def requirement_vi(metric: str, comparator: str, value: float, gettext: Callable[[str], str] = _same) -> str:
    """What a target requires: a rank target as a rank ("trong nhóm 30 đứng đầu", "xếp thứ 40 trở lên"), other
    targets as "≥ 85" / "≤ 10,50".

    >>> requirement_vi("par_index_rank", "top", 30.0), requirement_vi("sipas", ">=", 85.0)
    ('trong nhóm 30 đứng đầu', '≥ 85')
    """
    if is_rank(metric, comparator):
        return gettext(RANK_TEXT_VI.get(comparator, RANK_TEXT_VI["<="])).format(n=int(round(value)))
    shown = format_number_vi(value, 0 if float(value).is_integer() else 2)
    return f"{'≥' if comparator == '>=' else '≤'} {shown}"


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
