"""The assessment file: one row per unit × leaf, CSV or XLSX (see docs/formats/assessment.md).

Columns: ``unit_code`` and ``leaf`` (required), ``unit_name``, ``unit_type``, ``region``, ``self_points``,
``appraised_points``, ``numerator``, ``denominator``, ``survey_index``, ``note``. Every problem is reported
as ``file:row:column: message`` and nothing is scored while any remains.
"""

from __future__ import annotations

from pathlib import Path

from cchc.core.framework import Framework
from cchc.core.scoring import LeafInput, UnitAssessment, check_points
from cchc.io.tables import InputError, optional_number, read_rows

REQUIRED = ("unit_code", "leaf")
KNOWN = (
    "unit_code", "unit_name", "unit_type", "region", "year", "leaf", "self_points", "appraised_points",
    "numerator", "denominator", "survey_index", "note",
)


def read_assessments(path: str | Path, framework: Framework) -> list[UnitAssessment]:
    header, rows = read_rows(path)
    problems: list[str] = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError([f"{path}:1: missing column(s) {', '.join(missing)} (columns are: {', '.join(KNOWN)})"])
    unknown = [h for h in header if h and h not in KNOWN]
    if unknown:
        problems.extend(f"{path}:1:{h}: unknown column (known: {', '.join(KNOWN)})" for h in unknown)
    leaves = {leaf.code: leaf for leaf in framework.leaves()}
    units: dict[str, dict] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        code = row.values.get("unit_code", "")
        leaf_code = row.values.get("leaf", "")
        if not code:
            problems.append(f"{row.where('unit_code')}: empty unit code")
            continue
        unit = units.setdefault(
            code,
            {"name": row.values.get("unit_name") or code, "unit_type": row.values.get("unit_type") or None,
             "region": row.values.get("region") or None, "inputs": {}, "row": row},
        )
        for attr in ("unit_type", "region"):
            value = row.values.get(attr) or None
            if value and unit[attr] and value != unit[attr]:
                problems.append(f"{row.where(attr)}: {value!r} differs from {unit[attr]!r} given for {code} on row {unit['row'].number}")
        unit_type = unit["unit_type"]
        if framework.unit_types and unit_type not in framework.unit_types:
            if (code, "__type__") not in seen:
                problems.append(
                    f"{row.where('unit_type')}: unit type {unit_type!r} of {code} is not one of {framework.unit_types}"
                )
                seen[(code, "__type__")] = row.number
            continue
        leaf = leaves.get(leaf_code)
        if leaf is None:
            problems.append(f"{row.where('leaf')}: {leaf_code!r} is not a leaf of framework {framework.id}")
            continue
        if (code, leaf_code) in seen:
            problems.append(f"{row.where('leaf')}: {code} / {leaf_code} already given on row {seen[(code, leaf_code)]}")
            continue
        seen[(code, leaf_code)] = row.number
        values = {c: optional_number(row, c, problems) for c in ("self_points", "appraised_points", "numerator", "denominator", "survey_index")}
        if not leaf.applies(unit_type):
            if any(v is not None for v in values.values()):
                problems.append(f"{row.where('leaf')}: {leaf_code} does not apply to unit type {unit_type!r}")
            continue
        for column in ("self_points", "appraised_points"):
            if values[column] is not None and (why := check_points(leaf, values[column])):
                problems.append(f"{row.where(column)}: {why}")
        for column in ("numerator", "denominator"):
            if values[column] is not None and values[column] < 0:
                problems.append(f"{row.where(column)}: must not be negative")
        if values["numerator"] is not None and values["denominator"] is not None and values["numerator"] > values["denominator"]:
            problems.append(f"{row.where('numerator')}: numerator {values['numerator']:g} exceeds denominator {values['denominator']:g}")
        if values["survey_index"] is not None and not 0 <= values["survey_index"] <= 100:
            problems.append(f"{row.where('survey_index')}: {values['survey_index']:g} is outside 0…100")
        unit["inputs"][leaf_code] = LeafInput(**values)
    if not rows:
        problems.append(f"{path}: no data rows")
    if problems:
        raise InputError(problems)
    return [
        UnitAssessment(code=c, name=u["name"], unit_type=u["unit_type"], region=u["region"], inputs=u["inputs"])
        for c, u in units.items()
    ]
