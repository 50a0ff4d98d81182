"""Survey instruments as data: the model, the YAML schema and its validation.

An instrument is a tree ``aspects → elements → questions`` (khía cạnh → yếu tố → tiêu chí), plus the answer
scales, the respondent attributes and the aggregation rules. It is loaded from YAML and validated; every problem
is reported at once with its location in the file (``aspects[1].elements[0].questions[2].scale``).

Example::

    >>> from cchc.surveys.model import parse_instrument
    >>> inst = parse_instrument({
    ...     "id": "tiny", "title_vi": "Phiếu nhỏ", "title_en": "Tiny",
    ...     "scales": {"s5": {"type": "ordinal", "options": [
    ...         {"value": v, "vi": str(v), "en": str(v)} for v in range(1, 6)]}},
    ...     "aspects": [{"code": "A", "vi": "A", "en": "A", "elements": [
    ...         {"code": "E", "vi": "E", "en": "E", "questions": [
    ...             {"code": "Q1", "vi": "Câu 1", "en": "Item 1", "scale": "s5"}]}]}]})
    >>> inst.question("Q1").satisfied_values
    (4, 5)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Measure = Literal["satisfaction", "perception", "expectation", "overall", "info"]
Rule = Literal["plain", "item_weighted", "weighted"]
ScaleType = Literal["ordinal", "single", "multiple"]


def norm_text(value: Any) -> str:
    """NFC-normalise, strip and case-fold a cell value for matching labels and unit names."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).strip()
    return " ".join(text.split()).casefold()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option: its stored value and its labels."""

    value: int | str
    vi: str
    en: str = ""


class Scale(_Strict):
    """An answer scale.

    ``ordinal`` options are listed from worst to best; the mean score is rescaled so that the first option is 0
    and the last is 100. ``satisfied`` lists the values that count as satisfied (or, for perception and
    expectation items, as the reported "positive" answer); by default the top two options of an ordinal scale.
    ``not_applicable`` options ("Không biết / không áp dụng") are accepted but excluded from valid answers.
    """

    type: ScaleType
    options: list[Option] = Field(min_length=2)
    satisfied: list[int | str] | None = None
    not_applicable: list[Option] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Scale:
        values = [o.value for o in self.options] + [o.value for o in self.not_applicable]
        if len(set(map(str, values))) != len(values):
            raise ValueError(f"duplicate option values in scale: {values}")
        if self.satisfied is not None:
            known = {str(o.value) for o in self.options}
            bad = [v for v in self.satisfied if str(v) not in known]
            if bad:
                raise ValueError(f"satisfied values {bad} are not options of the scale")
        elif self.type != "ordinal":
            raise ValueError("a non-ordinal scale must list its 'satisfied' values")
        return self

    @property
    def default_satisfied(self) -> tuple[int | str, ...]:
        if self.satisfied is not None:
            return tuple(self.satisfied)
        return tuple(o.value for o in self.options[-2:])


class Question(_Strict):
    """A question (criterion, tiêu chí) with its scale and what it measures."""

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    vi: str
    en: str = ""
    scale: str
    measure: Measure = "satisfaction"
    satisfied: list[int | str] | None = None
    required: bool = True
    weight: float = Field(default=1.0, gt=0)
    relates_to: str | None = None  # element code an expectation/perception item refers to (for gaps)
    xlsform_name: str | None = None
    status: Literal["official", "paraphrase", "example", "unknown"] = "example"
    note: str = ""


class Element(_Strict):
    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    vi: str
    en: str = ""
    weight: float = Field(default=1.0, gt=0)
    status: Literal["official", "paraphrase", "example", "unknown"] = "example"
    note: str = ""
    questions: list[Question] = Field(min_length=1)


class Aspect(_Strict):
    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    vi: str
    en: str = ""
    weight: float = Field(default=1.0, gt=0)
    in_overall: bool = True  # False: reported on its own, left out of the overall index
    status: Literal["official", "paraphrase", "example", "unknown"] = "example"
    note: str = ""
    elements: list[Element] = Field(min_length=1)


class Attribute(_Strict):
    """A respondent attribute column (unit, procedure, channel, commune, sex, age group, ...)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    vi: str
    en: str = ""
    role: Literal["id", "unit", "group", "cluster", "weight"] = "group"
    required: bool = False
    values: list[str] | None = None  # allowed codes; None = free text
    labels_vi: dict[str, str] = Field(default_factory=dict)
    xlsform_name: str | None = None


class Aggregation(_Strict):
    """criterion → element → aspect → overall, each a plain mean, an item-weighted mean (each child weighted by
    its number of satisfaction criteria) or a mean weighted by the ``weight`` given on each child."""

    element: Rule = "plain"
    aspect: Rule = "plain"
    overall: Rule = "plain"
    note: str = ""


class Instrument(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str = ""
    title_vi: str
    title_en: str = ""
    status: Literal["official-structure", "example"] = "example"
    respondents_vi: str = ""
    respondents_en: str = ""
    legal_basis: str = ""
    sources: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)
    note: str = ""
    min_n: int = Field(default=30, ge=1)
    scales: dict[str, Scale]
    attributes: list[Attribute] = Field(default_factory=list)
    aggregation: Aggregation = Aggregation()
    drivers_outcome: str | None = None
    aspects: list[Aspect] = Field(min_length=1)

    # ------------------------------------------------------------------ lookups
    @property
    def questions(self) -> list[Question]:
        return [q for a in self.aspects for e in a.elements for q in e.questions]

    @property
    def elements(self) -> list[Element]:
        return [e for a in self.aspects for e in a.elements]

    def question(self, code: str) -> ResolvedQuestion:
        for a in self.aspects:
            for e in a.elements:
                for q in e.questions:
                    if q.code == code:
                        return ResolvedQuestion(q, self.scales[q.scale], e.code, a.code)
        raise KeyError(code)

    def resolved(self) -> list[ResolvedQuestion]:
        return [
            ResolvedQuestion(q, self.scales[q.scale], e.code, a.code)
            for a in self.aspects
            for e in a.elements
            for q in e.questions
        ]

    def attribute(self, role: str) -> Attribute | None:
        for att in self.attributes:
            if att.role == role:
                return att
        return None

    def attribute_named(self, name: str) -> Attribute | None:
        for att in self.attributes:
            if att.name == name:
                return att
        return None

    @model_validator(mode="after")
    def _cross_check(self) -> Instrument:
        problems: list[str] = []
        seen: dict[str, str] = {}
        element_codes = set()
        for ai, a in enumerate(self.aspects):
            for ei, e in enumerate(a.elements):
                if e.code in element_codes:
                    problems.append(f"aspects[{ai}].elements[{ei}].code: duplicate element code {e.code!r}")
                element_codes.add(e.code)
                for qi, q in enumerate(e.questions):
                    where = f"aspects[{ai}].elements[{ei}].questions[{qi}]"
                    if q.code in seen:
                        problems.append(
                            f"{where}.code: duplicate question code {q.code!r} (also at {seen[q.code]})"
                        )
                    seen[q.code] = where
                    if q.scale not in self.scales:
                        problems.append(
                            f"{where}.scale: unknown scale {q.scale!r} (defined: {', '.join(sorted(self.scales))})"
                        )
                        continue
                    sc = self.scales[q.scale]
                    if q.satisfied is not None:
                        known = {str(o.value) for o in sc.options}
                        bad = [v for v in q.satisfied if str(v) not in known]
                        if bad:
                            problems.append(f"{where}.satisfied: {bad} are not options of scale {q.scale!r}")
                    if sc.type == "multiple" and q.measure == "satisfaction":
                        problems.append(
                            f"{where}.measure: a multiple-choice question cannot be a satisfaction criterion"
                        )
        for ai, a in enumerate(self.aspects):
            for ei, e in enumerate(a.elements):
                for qi, q in enumerate(e.questions):
                    if q.relates_to is not None and q.relates_to not in element_codes:
                        problems.append(
                            f"aspects[{ai}].elements[{ei}].questions[{qi}].relates_to: unknown element {q.relates_to!r}"
                        )
        names = [a.name for a in self.attributes]
        for n in {n for n in names if names.count(n) > 1}:
            problems.append(f"attributes: duplicate attribute {n!r}")
        clash = set(names) & set(seen)
        for n in sorted(clash):
            problems.append(f"attributes: {n!r} is both an attribute and a question code")
        for role in ("id", "unit", "cluster", "weight"):
            if sum(a.role == role for a in self.attributes) > 1:
                problems.append(f"attributes: more than one attribute has role {role!r}")
        if self.drivers_outcome is not None and self.drivers_outcome not in seen:
            problems.append(f"drivers_outcome: unknown question {self.drivers_outcome!r}")
        if not any(q.measure == "satisfaction" for q in self.questions):
            problems.append("aspects: the instrument has no satisfaction criterion")
        if not any(
            q.measure == "satisfaction"
            for a in self.aspects
            if a.in_overall
            for e in a.elements
            for q in e.questions
        ):
            problems.append("aspects: no aspect with in_overall: true has a satisfaction criterion")
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class ResolvedQuestion:
    """A question with its scale and position resolved."""

    q: Question
    scale: Scale
    element: str
    aspect: str

    @property
    def code(self) -> str:
        return self.q.code

    @property
    def satisfied_values(self) -> tuple[int | str, ...]:
        return tuple(self.q.satisfied) if self.q.satisfied is not None else self.scale.default_satisfied


class InstrumentError(ValueError):
    """An instrument file failed validation; ``problems`` lists every problem (location: reason)."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


def parse_instrument(data: Any, source: str = "<data>") -> Instrument:
    """Validate a parsed YAML mapping; raise :class:`InstrumentError` listing every problem."""
    if not isinstance(data, dict):
        raise InstrumentError(source, ["(root): an instrument must be a mapping"])
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            loc = _loc(tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))))
            if loc == "(root)":
                problems.extend(msg.split("; "))
            else:
                last = str(err["loc"][-1]) if err["loc"] else ""
                if msg == "Extra inputs are not permitted" and " " in last:
                    msg += " (an unquoted comma inside {…}? put the text in quotes)"
                problems.append(f"{loc}: {msg}")
        raise InstrumentError(source, problems) from None


def _yaml_lines(text: str) -> dict[str, int]:
    """Map each path (``aspects[0].elements[1].code``) of a YAML document to its 1-based line number."""
    import yaml

    out: dict[str, int] = {}

    def walk(node: Any, path: str) -> None:
        out.setdefault(path or "(root)", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = f"{path}.{key.value}" if path else str(key.value)
                out[sub] = key.start_mark.line + 1
                walk(value, sub)
                out[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return out
    if root is not None:
        walk(root, "")
    return out


def _with_line(problem: str, lines: dict[str, int], source: str) -> str:
    path = problem.split(":", 1)[0].strip()
    probe = path
    while probe:
        if probe in lines:
            return f"{source}:{lines[probe]}: {problem}"
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return f"{source}: {problem}"


def load_instrument_file(path: str | Path) -> Instrument:
    """Load and validate an instrument YAML file; problems carry ``file:line: path: reason``."""
    import yaml

    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstrumentError(str(p), [f"YAML syntax: {exc}"]) from None
    try:
        return parse_instrument(data, str(p))
    except InstrumentError as exc:
        lines = _yaml_lines(text)
        raise InstrumentError(str(p), [_with_line(pr, lines, p.name) for pr in exc.problems]) from None
