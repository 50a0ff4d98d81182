"""Scoring one cycle: leaf inputs → leaf points → node points, index, band and rank per unit.

Rules (each tested):

- A leaf's points come from, in order: the appraised points (thẩm định) when present; else the computed
  points (``ratio`` from numerator/denominator, ``survey`` from a survey index); else the self-assessed
  points. A leaf with none of them scores 0 and is listed in ``missing``.
- A leaf that does not apply to the unit's type is removed from both its points and its maximum.
- ``bonus`` adds up to its cap and ``penalty`` subtracts up to its cap; neither counts in the maximum.
- Index = total ÷ maximum × 100, computed on unrounded points, clipped to 0…100 when the framework says
  ``clip_index`` (bonus cannot lift an index above 100); published figures are rounded half up to the
  framework's precision only at the end.
- Ranks are competition ranks on the rounded index inside each group (unit type by default).

The work is vectorised: :func:`score_matrix` takes a units × leaves array and is what the benchmark
measures; :func:`score_cycle` validates per-unit inputs and calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from cchc.core.framework import (
    POINTS_TOLERANCE,
    Band,
    Framework,
    ManualMethod,
    Node,
    RatioMethod,
    SurveyMethod,
)
from cchc.core.methods import rate_percent, ratio_points, survey_points
from cchc.core.names import sort_key_vi
from cchc.core.numbers import round_half_up, round_half_up_array
from cchc.core.ranking import rank_within


class ScoringError(ValueError):
    """Inputs that cannot be scored; ``problems`` lists every one as ``unit: leaf: message``."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class LeafInput:
    """What is known about one leaf for one unit. Any field may be missing."""

    self_points: float | None = None
    appraised_points: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    survey_index: float | None = None


@dataclass(frozen=True)
class UnitAssessment:
    """One unit's inputs for a cycle, keyed by leaf code."""

    code: str
    name: str
    unit_type: str | None = None
    region: str | None = None
    inputs: Mapping[str, LeafInput] = field(default_factory=dict)
    excluded: str | None = None  # why the unit is left out of the ranking (the council's written reason)


@dataclass(frozen=True)
class NodeScore:
    points: float
    max_points: float
    index: float | None  # percent, unrounded; None when the node has no maximum for this unit


@dataclass(frozen=True)
class UnitResult:
    code: str
    name: str
    unit_type: str | None
    region: str | None
    group: str | None
    total: float
    max_points: float
    index: float  # percent at the framework's precision
    band: Band | None
    rank: int
    of: int
    nodes: dict[str, NodeScore]
    leaf_points: dict[str, float | None]
    lost: dict[str, float]
    missing: tuple[str, ...] = ()
    excluded: str | None = None  # left out of the ranking, and why

    @property
    def ranked(self) -> bool:
        """Whether the unit has a rank: it has a result (at least one input) and is not excluded. A unit without a
        rank has no index, no band and no change in places (``rank`` 0)."""
        return self.rank > 0


@dataclass(frozen=True)
class CycleResult:
    framework_id: str
    framework_version: str
    precision: int
    group_by: str | None
    units: list[UnitResult]

    @cached_property
    def _by_code(self) -> dict[str, UnitResult]:
        return {u.code: u for u in self.units}

    def unit(self, code: str) -> UnitResult:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no unit {code!r} in this result") from None


# ---- the compiled framework: leaves, incidence and applicability as arrays ------------------------------


@dataclass(frozen=True)
class CompiledFramework:
    """Arrays derived once per framework: leaf order, node × leaf incidence, maxima, signs."""

    framework: Framework
    leaves: list[Node]
    leaf_index: dict[str, int]
    node_codes: list[str]
    incidence: np.ndarray  # nodes × leaves, 1.0 where the node contains the leaf
    leaf_max: np.ndarray  # 0 for bonus / penalty
    sign: np.ndarray  # +1 regular and bonus, −1 penalty
    regular: np.ndarray  # bool: counts in the maximum
    unit_types: list[str | None]
    applicability: dict[str | None, np.ndarray]  # unit type → bool mask over leaves

    def mask(self, unit_type: str | None) -> np.ndarray:
        if unit_type not in self.applicability:
            codes = {leaf.code for leaf in self.framework.leaves(unit_type)}
            self.applicability[unit_type] = np.array([leaf.code in codes for leaf in self.leaves])
        return self.applicability[unit_type]


def compile_framework(framework: Framework) -> CompiledFramework:
    if not framework.scorable:
        unknown = [leaf.code for leaf in framework.leaves() if leaf.max_points is None or leaf.method is None]
        raise ScoringError(
            [
                f"framework {framework.id}: leaves {', '.join(unknown)} have no known maximum or method; "
                "this framework serves for benchmarking published results, not for scoring inputs"
            ]
        )
    leaves = framework.leaves()
    leaf_index = {leaf.code: i for i, leaf in enumerate(leaves)}
    node_codes: list[str] = []
    rows: list[np.ndarray] = []
    for node, _ in framework.walk():
        row = np.zeros(len(leaves))
        for leaf in _leaves_under(node):
            row[leaf_index[leaf.code]] = 1.0
        node_codes.append(node.code)
        rows.append(row)
    incidence = np.vstack(rows) if rows else np.zeros((0, len(leaves)))
    leaf_max = np.array([0.0 if leaf.is_signed else float(leaf.max_points or 0.0) for leaf in leaves])
    sign = np.array([-1.0 if leaf.kind == "penalty" else 1.0 for leaf in leaves])
    regular = np.array([not leaf.is_signed for leaf in leaves])
    return CompiledFramework(
        framework=framework,
        leaves=leaves,
        leaf_index=leaf_index,
        node_codes=node_codes,
        incidence=incidence,
        leaf_max=leaf_max,
        sign=sign,
        regular=regular,
        unit_types=list(framework.unit_types) or [None],
        applicability={},
    )


def _leaves_under(node: Node) -> list[Node]:
    if node.is_leaf:
        return [node]
    out: list[Node] = []
    for child in node.children:
        out.extend(_leaves_under(child))
    return out


# ---- the vectorised kernel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixScores:
    """Scores of U units as arrays (unrounded): totals, maxima, index, node points and node maxima."""

    total: np.ndarray  # U
    max_points: np.ndarray  # U
    index: np.ndarray  # U, percent, NaN where the maximum is 0
    node_points: np.ndarray  # U × nodes
    node_max: np.ndarray  # U × nodes


def score_matrix(
    compiled: CompiledFramework, points: np.ndarray, unit_types: Sequence[str | None]
) -> MatrixScores:
    """Score U units from a U × L array of leaf points (NaN = not entered, scores 0).

    ``points`` holds signed magnitudes as entered (a penalty of 2 is ``2``); leaves that do not apply to a
    unit's type are masked out of points and maxima.
    """
    pts = np.asarray(points, dtype=float)
    if np.isnan(pts).any():
        pts = np.nan_to_num(pts, nan=0.0)
    kinds = list(dict.fromkeys(unit_types))
    type_masks = np.array([compiled.mask(t) for t in kinds], dtype=float).reshape(len(kinds), pts.shape[1])
    position = {t: i for i, t in enumerate(kinds)}
    which = np.fromiter((position[t] for t in unit_types), dtype=np.intp, count=len(unit_types))
    # per unit type: signed weights of each leaf, node maxima and the total maximum (few types, many units)
    weights = type_masks * compiled.sign
    type_node_max = (type_masks * compiled.leaf_max) @ compiled.incidence.T
    type_max = (type_masks * compiled.leaf_max).sum(axis=1)
    applied = pts if np.all(weights == 1.0) else pts * weights[which]
    node_points = applied @ compiled.incidence.T
    node_max = type_node_max[which]
    total = applied.sum(axis=1)
    max_points = type_max[which]
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(max_points > 0, total / max_points * 100.0, np.nan)
    if compiled.framework.clip_index:
        index = np.clip(index, 0.0, 100.0)
    return MatrixScores(total=total, max_points=max_points, index=index, node_points=node_points, node_max=node_max)


# ---- inputs → points ------------------------------------------------------------------------------------


def leaf_points(leaf: Node, given: LeafInput) -> float | None:
    """The points of one leaf from its inputs by the precedence rule (appraised > computed > self)."""
    if given.appraised_points is not None:
        return float(given.appraised_points)
    method = leaf.method
    top = float(leaf.max_points or 0.0)
    if isinstance(method, RatioMethod) and given.numerator is not None and given.denominator is not None:
        rate = rate_percent(given.numerator, given.denominator)
        if not np.isnan(rate):
            return float(ratio_points(rate, method, top))
    if isinstance(method, SurveyMethod) and given.survey_index is not None:
        return float(survey_points(given.survey_index, method.conversion, top))
    if given.self_points is not None:
        return float(given.self_points)
    return None


def points_limits(leaf: Node) -> tuple[float, float]:
    """The range of points a person may enter for ``leaf``: ``0…cap`` for bonus and penalty (a penalty is
    entered as the points deducted), else ``0…max_points`` (0 when the maximum is unknown)."""
    if leaf.is_signed:
        return 0.0, float(leaf.method.cap)  # type: ignore[union-attr]
    return 0.0, float(leaf.max_points or 0.0)


def level_points(leaf: Node) -> list[tuple[float, str]]:
    """The level table of a manual leaf as ``(points, label_vi)`` in the framework's order; ``[]`` when the
    leaf has none (any points in range are then allowed)."""
    method = leaf.method
    if isinstance(method, ManualMethod) and method.levels:
        return [(float(level.points), level.label_vi) for level in method.levels]
    return []


@dataclass(frozen=True)
class PointsProblem:
    """Why a value is not acceptable points for a leaf, as data for wording in any language.

    ``kind`` is ``not_a_number`` (NaN), ``outside`` (below ``low`` or above ``high`` beyond
    :data:`~cchc.core.framework.POINTS_TOLERANCE`) or ``not_a_level`` (in range but not within the tolerance
    of any of ``allowed``, the level table's points in its order). ``low``/``high`` are the leaf's
    :func:`points_limits` and ``allowed`` its level points (empty without a level table), whatever the kind.
    """

    kind: Literal["not_a_number", "outside", "not_a_level"]
    low: float
    high: float
    allowed: tuple[float, ...] = ()


def points_problem(leaf: Node, value: float) -> PointsProblem | None:
    """The rule for entered points, checked in this order: a number; within :func:`points_limits`; one of
    the level table's points (manual leaves with a table). Tolerance :data:`POINTS_TOLERANCE`. ``None`` when
    acceptable."""
    low, high = points_limits(leaf)
    allowed = tuple(p for p, _label in level_points(leaf))
    if np.isnan(value):
        return PointsProblem("not_a_number", low, high, allowed)
    if value < low - POINTS_TOLERANCE or value > high + POINTS_TOLERANCE:
        return PointsProblem("outside", low, high, allowed)
    if allowed and not any(abs(value - a) <= POINTS_TOLERANCE for a in allowed):
        return PointsProblem("not_a_level", low, high, allowed)
    return None


def check_points(leaf: Node, value: float) -> str | None:
    """Why ``value`` is not acceptable points for ``leaf``, in English, or ``None`` (see :func:`points_problem`)."""
    problem = points_problem(leaf, value)
    if problem is None:
        return None
    if problem.kind == "not_a_number":
        return "points are not a number"
    if problem.kind == "outside":
        prefix = f"{leaf.kind} points" if leaf.is_signed else "points"
        return f"{prefix} {value:g} outside {problem.low:g}…{problem.high:g}"
    return f"points {value:g} are not one of the level table's {', '.join(f'{a:g}' for a in problem.allowed)}"


def assessment_matrix(
    compiled: CompiledFramework, assessments: Sequence[UnitAssessment]
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Validate inputs and build the U × L points array; raise :class:`ScoringError` listing every problem."""
    framework = compiled.framework
    problems: list[str] = []
    points = np.full((len(assessments), len(compiled.leaves)), np.nan)
    missing: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for u, unit in enumerate(assessments):
        if unit.code in seen:
            problems.append(f"{unit.code}: the unit appears twice")
        seen.add(unit.code)
        if framework.unit_types and unit.unit_type not in framework.unit_types:
            problems.append(
                f"{unit.code}: unit type {unit.unit_type!r} is not one of the framework's {framework.unit_types}"
            )
            missing.append(())
            continue
        mask = compiled.mask(unit.unit_type)
        for code, given in unit.inputs.items():
            i = compiled.leaf_index.get(code)
            if i is None:
                problems.append(f"{unit.code}: {code}: no such leaf in framework {framework.id}")
                continue
            if not mask[i]:
                if _has_value(given):
                    problems.append(f"{unit.code}: {code}: does not apply to unit type {unit.unit_type!r}")
                continue
            leaf = compiled.leaves[i]
            for label, value in (("self_points", given.self_points), ("appraised_points", given.appraised_points)):
                if value is not None and (why := check_points(leaf, float(value))):
                    problems.append(f"{unit.code}: {code}: {label}: {why}")
            if given.denominator is not None and given.denominator < 0 or (
                given.numerator is not None and given.numerator < 0
            ):
                problems.append(f"{unit.code}: {code}: numerator and denominator must not be negative")
            value = leaf_points(leaf, given)
            if value is not None:
                points[u, i] = value
        missing.append(
            tuple(leaf.code for j, leaf in enumerate(compiled.leaves) if mask[j] and not leaf.is_signed and np.isnan(points[u, j]))
        )
    if problems:
        raise ScoringError(problems)
    return points, missing


def _has_value(given: LeafInput) -> bool:
    return any(
        v is not None
        for v in (given.self_points, given.appraised_points, given.numerator, given.denominator, given.survey_index)
    )


# ---- the cycle ------------------------------------------------------------------------------------------


def group_key(unit: UnitAssessment, group_by: str | None) -> str | None:
    if group_by is None:
        return None
    if group_by == "unit_type":
        return unit.unit_type
    if group_by == "region":
        return unit.region
    raise ValueError(f"group_by must be 'unit_type', 'region' or None, not {group_by!r}")


def score_cycle(
    framework: Framework | CompiledFramework,
    assessments: Sequence[UnitAssessment],
    group_by: str | None = "unit_type",
) -> CycleResult:
    """Score and rank every unit of one cycle. Raises :class:`ScoringError` on bad inputs."""
    compiled = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    fw = compiled.framework
    points, missing = assessment_matrix(compiled, assessments)
    scores = score_matrix(compiled, points, [a.unit_type for a in assessments])
    # A unit is ranked only with a result (at least one of its leaves has an input) and when the council has not
    # excluded it: the others get no index, no band and no rank (a unit with nothing entered is not "0 points").
    ranked = np.array([not a.excluded and not np.isnan(points[u][compiled.mask(a.unit_type)]).all()
                       for u, a in enumerate(assessments)], dtype=bool)
    shown = np.where(ranked, scores.index, np.nan) if len(assessments) else scores.index
    index = round_half_up_array(shown, fw.precision)
    groups = [group_key(a, group_by) for a in assessments]
    ranks, sizes = rank_within(shown, groups, fw.precision)
    results: list[UnitResult] = []
    for u, unit in enumerate(assessments):
        mask = compiled.mask(unit.unit_type)
        nodes = {}
        lost = {}
        for n, code in enumerate(compiled.node_codes):
            top = float(scores.node_max[u, n])
            got = float(scores.node_points[u, n])
            if top <= 0 and abs(got) <= POINTS_TOLERANCE and not _any_applicable(compiled, n, mask):
                continue
            nodes[code] = NodeScore(points=got, max_points=top, index=(got / top * 100.0) if top > 0 else None)
            if top > 0:
                lost[code] = max(top - got, 0.0)
        leaf_pts = {
            leaf.code: (None if np.isnan(points[u, j]) else float(points[u, j]))
            for j, leaf in enumerate(compiled.leaves)
            if mask[j]
        }
        results.append(
            UnitResult(
                code=unit.code,
                name=unit.name,
                unit_type=unit.unit_type,
                region=unit.region,
                group=groups[u],
                total=float(scores.total[u]),
                max_points=float(scores.max_points[u]),
                index=float(index[u]),
                band=fw.band_for(float(shown[u])) if not np.isnan(shown[u]) else None,
                rank=int(ranks[u]),
                of=int(sizes[u]),
                nodes=nodes,
                leaf_points=leaf_pts,
                lost=lost,
                missing=missing[u],
                excluded=unit.excluded or None,
            )
        )
    results.sort(key=lambda r: (str(r.group or ""), r.rank or 10**9, sort_key_vi(r.name)))
    return CycleResult(
        framework_id=fw.id, framework_version=fw.version, precision=fw.precision, group_by=group_by, units=results
    )


def _any_applicable(compiled: CompiledFramework, node_row: int, mask: np.ndarray) -> bool:
    return bool((compiled.incidence[node_row] * mask).any())


def points_at_precision(value: float, precision: int) -> float:
    """Points as published (rounded half up), for tables; indices are computed before this rounding."""
    return round_half_up(value, precision)
