"""The framework model (bộ chỉ số): a versioned tree of fields, criteria and sub-criteria with points.

A framework arrives as plain data (a dict parsed from YAML by :mod:`cchc.frameworks`) and is validated
here. Every problem is reported at once with the node path, so a person editing a YAML file can fix them
all in one pass.

Terms: field (lĩnh vực), criterion (tiêu chí), sub-criterion (tiêu chí thành phần), leaf (a node without
children, the only place points are entered), band (xếp loại).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cchc.core.numbers import round_half_up

# Tolerance for "parent max = sum of children" and other float comparisons of points.
POINTS_TOLERANCE = 1e-6


class FrameworkError(ValueError):
    """A framework failed validation; ``problems`` lists every problem as ``source: path: message``."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Model):
    """One row of a level table: "completed 100% of the plan: 1 point"."""

    label_vi: str
    label_en: str | None = None
    points: float


class Step(_Model):
    """One row of a threshold table: a value at or above ``min`` earns ``points``."""

    min: float
    points: float


class ManualMethod(_Model):
    """Points entered by a person, optionally restricted to a level table."""

    kind: Literal["manual"] = "manual"
    levels: list[Level] | None = None


class RatioMethod(_Model):
    """Numerator / denominator → rate in percent → points.

    Linear: ``max × clip((rate − zero_at) / (full_at − zero_at), 0, 1)``; or a threshold table (``steps``)
    giving points for the highest step whose ``min`` the rate reaches. Points never exceed the maximum.
    """

    kind: Literal["ratio"] = "ratio"
    numerator_vi: str | None = None
    denominator_vi: str | None = None
    full_at: float = 100.0
    zero_at: float = 0.0
    steps: list[Step] | None = None


class LinearConversion(_Model):
    """Survey index (percent) → points, linear between ``zero_at`` (0 points) and ``full_at`` (full points)."""

    kind: Literal["linear"] = "linear"
    zero_at: float = 0.0
    full_at: float = 100.0


class TableConversion(_Model):
    """Survey index (percent) → points by a threshold table (highest step reached)."""

    kind: Literal["table"] = "table"
    steps: list[Step]


Conversion = Annotated[LinearConversion | TableConversion, Field(discriminator="kind")]


class SurveyMethod(_Model):
    """Points from a survey index through a configurable conversion.

    The official SIPAS-to-points rule is not published (Kon Tum 2023: 82.10% counted 8.5 of 10, not
    8.21), so the conversion is data, and ``conversion_status`` says whether it is official.
    """

    kind: Literal["survey"] = "survey"
    instrument: str | None = None
    conversion: Conversion = Field(default_factory=LinearConversion)
    conversion_status: Literal["official", "assumed", "unknown"] = "assumed"


class BonusMethod(_Model):
    """Bonus points (điểm thưởng): entered as 0…cap, added to the total, not to the maximum."""

    kind: Literal["bonus"] = "bonus"
    cap: float


class PenaltyMethod(_Model):
    """Penalty points (điểm trừ): entered as the points deducted, 0…cap, subtracted from the total."""

    kind: Literal["penalty"] = "penalty"
    cap: float


Method = Annotated[
    ManualMethod | RatioMethod | SurveyMethod | BonusMethod | PenaltyMethod, Field(discriminator="kind")
]


class Node(_Model):
    """A field, criterion, sub-criterion or deeper node.

    ``max_points`` is ``None`` when the official maximum is not public (``max_status: unknown``); such a
    framework still serves for benchmarking published results but cannot score raw inputs.
    """

    code: str
    name_vi: str
    name_en: str | None = None
    max_points: float | None = None
    max_status: Literal["known", "unknown"] = "known"
    sum_check: bool = True
    agency: str | None = None
    evidence: Literal["required", "optional", "none"] = "none"
    evidence_vi: str | None = None
    guidance_vi: str | None = None
    guidance_en: str | None = None
    applies_to: list[str] | None = None
    method: Method | None = None
    children: list[Node] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _code_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("code is empty")
        return value.strip()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def kind(self) -> str | None:
        """``manual``, ``ratio``, ``survey``, ``bonus`` or ``penalty`` for leaves; ``None`` for inner nodes."""
        return self.method.kind if self.method is not None else None

    @property
    def is_signed(self) -> bool:
        """Bonus and penalty leaves count in the total but not in the maximum."""
        return self.kind in ("bonus", "penalty")

    def applies(self, unit_type: str | None) -> bool:
        return unit_type is None or self.applies_to is None or unit_type in self.applies_to

    def name(self, lang: str = "vi") -> str:
        return (self.name_en or self.name_vi) if lang == "en" else self.name_vi


class Band(_Model):
    """A classification band (xếp loại) on the index in percent: ``min`` ≤ index < ``max`` (the top band
    includes 100)."""

    code: str
    label_vi: str
    label_en: str | None = None
    min: float
    max: float
    status: Literal["official", "example", "unknown"] = "official"

    def label(self, lang: str = "vi") -> str:
        return (self.label_en or self.label_vi) if lang == "en" else self.label_vi


class Component(_Model):
    """A source-of-points component declared by the method (e.g. 61.5 appraised, 22 leaders' survey)."""

    code: str
    name_vi: str
    name_en: str | None = None
    max_points: float


class Framework(_Model):
    """A validated framework. Build it with :func:`parse_framework`."""

    id: str
    version: str = "1"
    name_vi: str
    name_en: str | None = None
    decision: str | None = None
    issuer: str | None = None
    status: Literal["official", "official-partial", "example"] = "official"
    status_note: str | None = None
    years: list[int] = Field(default_factory=list)
    unit_types: list[str] = Field(default_factory=list)
    unit_noun_vi: str = "cơ quan, đơn vị"
    unit_noun_en: str = "agencies and units"
    total_max_points: float | None = None  # declared total (e.g. 100) when some node maxima are unknown
    precision: int = 2
    clip_index: bool = True
    bands: list[Band] = Field(default_factory=list)
    composition: list[Component] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    nodes: list[Node]

    # ---- navigation -------------------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[Node, tuple[str, ...]]]:
        """Every node in document order with the codes of its ancestors."""

        def _walk(nodes: Sequence[Node], ancestors: tuple[str, ...]) -> Iterator[tuple[Node, tuple[str, ...]]]:
            for node in nodes:
                yield node, ancestors
                yield from _walk(node.children, (*ancestors, node.code))

        yield from _walk(self.nodes, ())

    @cached_property
    def _by_code(self) -> dict[str, Node]:
        out: dict[str, Node] = {}
        for node, _ in self.walk():
            out.setdefault(node.code, node)
        return out

    def node(self, code: str) -> Node:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"framework {self.id} has no node {code!r}") from None

    def leaves(self, unit_type: str | None = None) -> list[Node]:
        """Leaves in document order; with ``unit_type``, only those that apply to it (an inner node's
        ``applies_to`` restricts everything below it)."""
        out: list[Node] = []

        def _collect(nodes: Sequence[Node]) -> None:
            for node in nodes:
                if not node.applies(unit_type):
                    continue
                if node.is_leaf:
                    out.append(node)
                else:
                    _collect(node.children)

        _collect(self.nodes)
        return out

    @property
    def fields(self) -> list[Node]:
        """The top-level nodes (lĩnh vực)."""
        return list(self.nodes)

    @property
    def scorable(self) -> bool:
        """True when every leaf has a known maximum and a method, so raw inputs can be scored."""
        return all(
            leaf.method is not None and (leaf.is_signed or leaf.max_points is not None) for leaf in self.leaves()
        )

    def max_points(self, unit_type: str | None = None) -> float:
        """Maximum of the index for a unit type (bonus and penalty leaves excluded)."""
        return sum(
            leaf.max_points or 0.0 for leaf in self.leaves(unit_type) if not leaf.is_signed
        )

    def band_for(self, index: float) -> Band | None:
        """The band of an index in percent, judged on the index at the framework's precision."""
        value = round_half_up(index, self.precision)
        for band in self.bands:
            top = band.max >= 100.0 - POINTS_TOLERANCE
            if band.min - POINTS_TOLERANCE <= value and (value < band.max - POINTS_TOLERANCE or (top and value <= band.max)):
                return band
        return None


Node.model_rebuild()


# ---- parsing and validation --------------------------------------------------------------------------


def _pydantic_problems(source: str, data: Any, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        path = _readable_path(data, item["loc"])
        problems.append(f"{source}: {path}: {item['msg']}")
    return problems


def _readable_path(data: Any, loc: Sequence[Any]) -> str:
    """Turn pydantic's ``('nodes', 2, 'children', 0, 'max_points')`` into ``nodes[3.1]: max_points``
    using node codes where they exist."""
    parts: list[str] = []
    current = data
    for key in loc:
        if isinstance(key, int) and isinstance(current, list) and 0 <= key < len(current):
            current = current[key]
            code = current.get("code") if isinstance(current, dict) else None
            parts.append(f"[{code}]" if code else f"[#{key + 1}]")
        elif isinstance(current, dict) and key in current:
            current = current[key]
            parts.append(f".{key}")
        else:
            parts.append(f".{key}")
    return "".join(parts).lstrip(".") or "(top)"


def _normalise_unknowns(data: Any) -> Any:
    """Accept ``max_points: unknown`` in YAML as ``max_points: null, max_status: unknown``."""
    if isinstance(data, dict):
        out = {k: _normalise_unknowns(v) for k, v in data.items()}
        if out.get("max_points") in ("unknown", "?"):
            out["max_points"] = None
            out["max_status"] = "unknown"
        return out
    if isinstance(data, list):
        return [_normalise_unknowns(v) for v in data]
    return data


def parse_framework(data: Any, source: str = "<framework>") -> Framework:
    """Validate plain data and return a :class:`Framework`; raise :class:`FrameworkError` listing every
    problem (``source: node path: message``)."""
    if not isinstance(data, dict):
        raise FrameworkError([f"{source}: (top): a framework must be a mapping with id, name_vi and nodes"])
    data = _normalise_unknowns(data)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as error:
        raise FrameworkError(_pydantic_problems(source, data, error)) from None
    problems = check_framework(framework)
    if problems:
        raise FrameworkError([f"{source}: {p}" for p in problems])
    return framework


def check_framework(framework: Framework) -> list[str]:
    """Structural checks beyond types: unique codes, sums, methods, bands. Returns ``path: problem``."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for node, ancestors in framework.walk():
        path = "/".join((*ancestors, node.code))
        if node.code in seen:
            problems.append(f"{path}: code {node.code!r} is used twice (also at {seen[node.code]})")
        seen.setdefault(node.code, path)
        problems.extend(f"{path}: {p}" for p in _check_node(node, framework.unit_types))
    problems.extend(_check_bands(framework.bands))
    if framework.composition and framework.scorable:
        total = sum(c.max_points for c in framework.composition)
        if abs(total - framework.max_points()) > POINTS_TOLERANCE:
            problems.append(
                f"composition: components sum to {total:g} but the nodes' maximum is {framework.max_points():g}"
            )
    if framework.total_max_points is not None:
        known = framework.max_points()
        if framework.scorable and abs(known - framework.total_max_points) > POINTS_TOLERANCE:
            problems.append(
                f"total_max_points: declared {framework.total_max_points:g} but the nodes sum to {known:g}"
            )
        elif known > framework.total_max_points + POINTS_TOLERANCE:
            problems.append(
                f"total_max_points: declared {framework.total_max_points:g} but known maxima already sum to {known:g}"
            )
    if framework.precision < 0 or framework.precision > 6:
        problems.append(f"precision: {framework.precision} is outside 0…6")
    return problems


def _check_node(node: Node, unit_types: Sequence[str]) -> list[str]:
    problems: list[str] = []
    if node.max_points is not None and node.max_points < 0:
        problems.append(f"max_points is negative ({node.max_points:g})")
    if node.max_status == "unknown" and node.max_points is not None:
        problems.append("max_status is 'unknown' but max_points is given")
    if node.applies_to is not None and unit_types:
        for unit_type in node.applies_to:
            if unit_type not in unit_types:
                problems.append(
                    f"applies_to names unit type {unit_type!r}, not one of the framework's {list(unit_types)}"
                )
    if node.is_leaf:
        problems.extend(_check_leaf(node))
    else:
        if node.method is not None:
            problems.append("an inner node cannot have a scoring method (only leaves are scored)")
        if node.sum_check and node.max_points is not None:
            regular = [c for c in node.children if not c.is_signed]
            if all(c.max_points is not None for c in regular):
                total = sum(c.max_points or 0.0 for c in regular)
                if abs(total - node.max_points) > POINTS_TOLERANCE:
                    problems.append(
                        f"max_points {node.max_points:g} differs from the sum of its children {total:g} "
                        "(declare sum_check: false if that is intended)"
                    )
    return problems


def _check_leaf(node: Node) -> list[str]:
    method = node.method
    if method is None:
        if node.max_status == "unknown":
            return []  # benchmarking-only leaf of a partially public framework
        return ["a leaf needs a scoring method (manual, ratio, survey, bonus or penalty)"]
    problems: list[str] = []
    if isinstance(method, BonusMethod | PenaltyMethod):
        if method.cap <= 0:
            problems.append(f"{method.kind} cap must be positive, got {method.cap:g}")
        if node.max_points not in (None, 0):
            problems.append(f"a {method.kind} leaf has no max_points (it does not count in the maximum); use cap")
        return problems
    if node.max_points is None:
        if node.max_status != "unknown":
            problems.append("a leaf needs max_points")
        return problems
    top = node.max_points
    if isinstance(method, ManualMethod) and method.levels is not None:
        if not method.levels:
            problems.append("levels is empty")
        for level in method.levels:
            if level.points < 0 or level.points > top + POINTS_TOLERANCE:
                problems.append(f"level {level.label_vi!r} gives {level.points:g} points, outside 0…{top:g}")
    if isinstance(method, RatioMethod):
        if method.steps is None and method.full_at <= method.zero_at:
            problems.append(f"ratio full_at ({method.full_at:g}) must be above zero_at ({method.zero_at:g})")
        problems.extend(_check_steps(method.steps, top, "ratio steps"))
    if isinstance(method, SurveyMethod):
        conv = method.conversion
        if isinstance(conv, LinearConversion) and conv.full_at <= conv.zero_at:
            problems.append(f"survey conversion full_at ({conv.full_at:g}) must be above zero_at ({conv.zero_at:g})")
        if isinstance(conv, TableConversion):
            problems.extend(_check_steps(conv.steps, top, "survey conversion steps"))
    return problems


def _check_steps(steps: list[Step] | None, top: float, what: str) -> list[str]:
    if steps is None:
        return []
    problems = []
    if not steps:
        problems.append(f"{what} is empty")
    mins = [s.min for s in steps]
    if mins != sorted(mins) or len(set(mins)) != len(mins):
        problems.append(f"{what} must be in increasing order of min without repeats")
    for step in steps:
        if step.points < 0 or step.points > top + POINTS_TOLERANCE:
            problems.append(f"{what}: {step.points:g} points at min {step.min:g} is outside 0…{top:g}")
    return problems


def _check_bands(bands: Sequence[Band]) -> list[str]:
    if not bands:
        return []
    problems = []
    ordered = sorted(bands, key=lambda b: b.min)
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        problems.append("bands: band codes must be unique")
    for band in ordered:
        if band.max <= band.min:
            problems.append(f"bands[{band.code}]: max {band.max:g} must be above min {band.min:g}")
    if abs(ordered[0].min) > POINTS_TOLERANCE:
        problems.append(f"bands: the lowest band starts at {ordered[0].min:g}, leaving 0…{ordered[0].min:g} uncovered")
    if abs(ordered[-1].max - 100.0) > POINTS_TOLERANCE:
        problems.append(f"bands: the highest band ends at {ordered[-1].max:g}, not 100")
    for lower, upper in zip(ordered, ordered[1:], strict=False):
        if upper.min > lower.max + POINTS_TOLERANCE:
            problems.append(f"bands: gap between {lower.code} (< {lower.max:g}) and {upper.code} (≥ {upper.min:g})")
        elif upper.min < lower.max - POINTS_TOLERANCE:
            problems.append(f"bands: {lower.code} (< {lower.max:g}) overlaps {upper.code} (≥ {upper.min:g})")
    return problems


@dataclass(frozen=True)
class FieldRef:
    """A field's code and names, for tables of published field indices."""

    code: str
    name_vi: str
    name_en: str | None
    max_points: float | None
