"""A cycle's stored inputs as the core's plain data, scored by the core: canonical inputs and their hash, the
result of a cycle, and the running totals the sheet shows. No arithmetic here: every number is the core's."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
from cchc.web.assessments.frameworks import compiled
from cchc.web.assessments.models import LeafAssessment, Participation

INPUT_FIELDS = ("self_points", "appraised_points", "numerator", "denominator", "survey_index")


def gather_inputs(cycle, participations=None) -> dict[str, Any]:
    """Canonical plain-data inputs of a cycle: ``{unit_code: {name, unit_type, region, inputs: {leaf: {…}}}}``, plus
    ``excluded`` (the written reason) for a unit the council left out of the ranking: the reason is part of what is
    published and hashed, so a snapshot verifies with it (and snapshots without exclusions hash as before)."""
    parts = participations
    if parts is None:
        parts = Participation.objects.filter(cycle=cycle).select_related("unit")
    parts = list(parts)
    by_part: dict[int, dict[str, dict]] = {p.pk: {} for p in parts}
    values = LeafAssessment.objects.filter(participation__in=[p.pk for p in parts]).values_list(
        "participation_id", "leaf_code", *INPUT_FIELDS
    )
    for pid, leaf, *vals in values:
        entry = {k: v for k, v in zip(INPUT_FIELDS, vals, strict=True) if v is not None}
        if entry:
            by_part[pid][leaf] = entry
    out = {p.unit.code: _unit_inputs(p.unit, by_part[p.pk], p.excluded_reason) for p in parts}
    return dict(sorted(out.items()))


def _unit_inputs(unit, by_leaf: dict[str, dict], excluded: str = "") -> dict:
    out = {"name": unit.name, "unit_type": unit.unit_type, "region": unit.region or None,
           "inputs": dict(sorted(by_leaf.items()))}
    return out | {"excluded": excluded} if excluded else out


def leaves_inputs(participation, leaves) -> dict[str, Any]:
    """:func:`gather_inputs` of one participation from ``LeafAssessment`` rows the caller has already loaded
    (a page that shows those rows shows the total of the same rows)."""
    by_leaf = {}
    for la in leaves:
        entry = {k: v for k in INPUT_FIELDS if (v := getattr(la, k)) is not None}
        if entry:
            by_leaf[la.leaf_code] = entry
    return {participation.unit.code: _unit_inputs(participation.unit, by_leaf)}


def inputs_hash(framework_id: str, version: str, inputs: dict) -> str:
    canonical = json.dumps(
        {"framework": framework_id, "version": version, "units": inputs},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def score(fw, inputs: dict):
    """``cchc.core.scoring.score_cycle`` on plain inputs; returns the core's ``CycleResult``."""
    assessments = [
        UnitAssessment(
            code=code,
            name=unit["name"],
            unit_type=unit.get("unit_type"),
            region=unit.get("region"),
            inputs={leaf: LeafInput(**vals) for leaf, vals in unit["inputs"].items()},
            excluded=unit.get("excluded") or None,
        )
        for code, unit in inputs.items()
    ]
    return score_cycle(compiled(fw), assessments, group_by="unit_type")


def _inputs_of(participation, leaves) -> dict:
    """The unit's own inputs for its running total (a running total is no ranking: the exclusion does not apply)."""
    inputs = gather_inputs(participation.cycle, [participation]) if leaves is None else leaves_inputs(participation, leaves)
    for unit in inputs.values():
        unit.pop("excluded", None)
    return inputs


def unit_total(participation, leaves=None) -> dict:
    """Running total of one unit (self points, or appraised where present) computed by the core, from the
    stored rows or from ``leaves`` (the participation's ``LeafAssessment`` rows as loaded by the caller)."""
    fw = participation.cycle.framework.framework
    inputs = _inputs_of(participation, leaves)
    result = score(fw, inputs).unit(participation.unit.code)
    return {"total": result.total, "max_points": result.max_points, "index": result.index,
            "band": band_json(result.band)}


def self_total(participation, leaves=None) -> dict:
    """Running total of the self-assessment alone (appraised points ignored); ``leaves`` as for
    :func:`unit_total`."""
    fw = participation.cycle.framework.framework
    inputs = _inputs_of(participation, leaves)
    for unit in inputs.values():
        for vals in unit["inputs"].values():
            vals.pop("appraised_points", None)
    result = score(fw, inputs).unit(participation.unit.code)
    return {"total": result.total, "max_points": result.max_points, "index": result.index,
            "band": band_json(result.band)}


def band_json(band) -> dict | None:
    if band is None:
        return None
    return {"code": band.code, "label_vi": band.label_vi, "label_en": band.label_en or band.label_vi}
