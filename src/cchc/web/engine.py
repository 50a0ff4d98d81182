"""The only bridge between the database and :mod:`cchc.core`.

The web app never computes a score, rank, band or delta itself: it gathers the stored inputs as plain
data, calls :func:`cchc.core.scoring.score_cycle` and :func:`cchc.core.comparison.compare_cycles`, and turns
the results into JSON that pages, API and exports show. A published result is stored with the framework
id and version and a SHA-256 hash of the canonical inputs, so :func:`verify_snapshot` can recompute it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

# ---- frameworks -------------------------------------------------------------------------------------------


_COMPILED: dict[tuple[int, str], Any] = {}


_PARSED: dict[tuple[str, str], Any] = {}


def framework_from_record(record):
    """The validated framework of a stored record. Records are immutable per (id, version), so the parsed
    framework is cached per process."""
    from cchc.core.framework import parse_framework

    key = (record.framework_id, record.version)
    fw = _PARSED.get(key)
    if fw is None:
        fw = _PARSED[key] = parse_framework(record.data, source=f"{record.framework_id} v{record.version}")
    return fw


def compiled(fw):
    """The core's compiled form of a framework, cached per framework object (frameworks are immutable)."""
    from cchc.core.scoring import compile_framework

    key = (id(fw), f"{fw.id} v{fw.version}")
    hit = _COMPILED.get(key)
    if hit is None or hit.framework is not fw:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        hit = _COMPILED[key] = compile_framework(fw)
    return hit


def store_framework(fw, source: str = ""):
    """Store a validated framework (``cchc.core.framework.Framework``) as a :class:`FrameworkRecord`."""
    from cchc.web.assessments.models import FrameworkRecord

    data = fw.model_dump(mode="json", exclude_none=True)
    record, created = FrameworkRecord.objects.get_or_create(
        framework_id=fw.id, version=str(fw.version), defaults={"name": fw.name_vi, "data": data, "source": source}
    )
    return record


def load_shipped(name: str):
    from cchc.frameworks import load_framework

    return store_framework(load_framework(name), source=name)


@dataclass(frozen=True)
class LeafRow:
    """A leaf as pages show it: the node, its ancestors' codes and names, and its field (top-level) code."""

    node: Any
    ancestors: tuple[str, ...]
    field_code: str
    depth: int


def leaf_rows(fw, unit_type: str | None) -> list[LeafRow]:
    applicable = {n.code for n in fw.leaves(unit_type)}
    rows = []
    for node, ancestors in fw.walk():
        if node.code in applicable:
            rows.append(LeafRow(node, ancestors, ancestors[0] if ancestors else node.code, len(ancestors)))
    return rows


def field_of(fw, leaf_code: str) -> str:
    for node, ancestors in fw.walk():
        if node.code == leaf_code:
            return ancestors[0] if ancestors else node.code
    raise KeyError(leaf_code)


def leaf_limits(node) -> tuple[float, float]:
    """Allowed range of entered points for a manual, bonus or penalty leaf (penalty: points deducted)."""
    kind = node.kind
    if kind in ("bonus", "penalty"):
        return 0.0, float(node.method.cap)
    return 0.0, float(node.max_points or 0.0)


def level_choices(node) -> list[tuple[float, str]]:
    method = node.method
    levels = getattr(method, "levels", None) if method is not None else None
    return [(float(lv.points), lv.label_vi) for lv in levels] if levels else []


def entry_kind(node) -> str:
    """How a person enters a leaf: ``points`` (manual, bonus, penalty), ``ratio`` or ``survey``."""
    kind = node.kind or "manual"
    return kind if kind in ("ratio", "survey") else "points"


# ---- gathering inputs -------------------------------------------------------------------------------------

INPUT_FIELDS = ("self_points", "appraised_points", "numerator", "denominator", "survey_index")


def gather_inputs(cycle, participations=None) -> dict[str, Any]:
    """Canonical plain-data inputs of a cycle: ``{unit_code: {name, unit_type, region, inputs: {leaf: {…}}}}``."""
    from cchc.web.assessments.models import LeafAssessment, Participation

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
    out = {p.unit.code: _unit_inputs(p.unit, by_part[p.pk]) for p in parts}
    return dict(sorted(out.items()))


def _unit_inputs(unit, by_leaf: dict[str, dict]) -> dict:
    return {"name": unit.name, "unit_type": unit.unit_type, "region": unit.region or None,
            "inputs": dict(sorted(by_leaf.items()))}


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


# ---- scoring through the core -----------------------------------------------------------------------------


def score(fw, inputs: dict):
    """``cchc.core.scoring.score_cycle`` on plain inputs; returns the core's ``CycleResult``."""
    from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle

    assessments = [
        UnitAssessment(
            code=code,
            name=unit["name"],
            unit_type=unit.get("unit_type"),
            region=unit.get("region"),
            inputs={leaf: LeafInput(**vals) for leaf, vals in unit["inputs"].items()},
        )
        for code, unit in inputs.items()
    ]
    return score_cycle(compiled(fw), assessments, group_by="unit_type")


def _inputs_of(participation, leaves) -> dict:
    if leaves is None:
        return gather_inputs(participation.cycle, [participation])
    return leaves_inputs(participation, leaves)


def unit_total(participation, leaves=None) -> dict:
    """Running total of one unit (self points, or appraised where present) computed by the core, from the
    stored rows or from ``leaves`` (the participation's ``LeafAssessment`` rows as loaded by the caller)."""
    fw = participation.cycle.framework.framework
    inputs = _inputs_of(participation, leaves)
    result = score(fw, inputs).unit(participation.unit.code)
    return {"total": result.total, "max_points": result.max_points, "index": result.index,
            "band": _band(result.band)}


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
            "band": _band(result.band)}


def _band(band) -> dict | None:
    if band is None:
        return None
    return {"code": band.code, "label_vi": band.label_vi, "label_en": band.label_en or band.label_vi}


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if x != x else x  # NaN → None


def _change(ch) -> dict | None:
    if ch is None:
        return None
    get = ch.get if isinstance(ch, dict) else lambda k, d=None: getattr(ch, k, d)

    def band_code(b):
        if b is None:
            return None
        return b if isinstance(b, str) else getattr(b, "code", str(b))

    return {
        "prev_index": _num(get("prev_index")),
        "prev_rank": get("prev_rank"),
        "delta_points": _num(get("delta_points")),
        "delta_rank": get("delta_rank"),
        "band_from": band_code(get("band_from")),
        "band_to": band_code(get("band_to")),
    }


DETAIL_KEYS = ("nodes", "leaf_points", "lost")


def result_json(fw, result, changes: dict | None = None) -> dict:
    """The core's ``CycleResult`` as JSON for pages, API and exports (no arithmetic here).

    Returns the summary (``units`` with index, rank, band, change and the top-level field scores under
    ``fields``) and, under ``details``, every unit's node points, leaf points and lost points."""
    changes = changes or {}
    field_codes = [f.code for f in fw.nodes]
    units, details = [], {}
    for u in result.units:
        nodes = {c: {"points": _num(n.points), "max_points": _num(n.max_points), "index": _num(n.index)}
                 for c, n in u.nodes.items()}
        units.append({
            "code": u.code, "name": u.name, "unit_type": u.unit_type, "region": u.region, "group": u.group,
            "total": _num(u.total), "max_points": _num(u.max_points), "index": _num(u.index),
            "band": _band(u.band), "rank": u.rank, "of": u.of,
            "fields": {c: nodes[c] for c in field_codes if c in nodes},
            "change": _change(changes.get(u.code)),
        })
        details[u.code] = {
            "nodes": nodes,
            "leaf_points": {c: _num(v) for c, v in u.leaf_points.items()},
            "lost": {c: _num(v) for c, v in sorted(u.lost.items(), key=lambda kv: -(kv[1] or 0))},
        }
    return {
        "framework": {"id": fw.id, "version": str(fw.version), "name_vi": fw.name_vi, "precision": fw.precision},
        "fields": [{"code": f.code, "name_vi": f.name_vi, "name_en": f.name_en or f.name_vi} for f in fw.nodes],
        "bands": [_band(b) | {"min": b.min, "max": b.max} for b in fw.bands],
        "units": units,
        "details": details,
    }


def previous_result(cycle):
    """The previous cycle's result, recomputed by the core from its published snapshot's stored inputs."""
    prev = cycle.previous
    if prev is None:
        return None
    snap = published_snapshot(prev, with_inputs=True)
    if snap is None:
        return None
    from cchc.web.assessments.models import FrameworkRecord

    record = FrameworkRecord.objects.get(framework_id=snap.framework_id, version=snap.framework_version)
    return score(record.framework, snap.inputs)


def predecessors(codes) -> dict[str, list[str]]:
    """Lineage as the core's comparison wants it: current code → previous codes (renames and merges)."""
    from cchc.web.org.models import UnitLineage

    out: dict[str, list[str]] = {}
    links = UnitLineage.objects.filter(successor__code__in=list(codes)).values_list(
        "successor__code", "predecessor__code"
    )
    for succ, pred in links:
        out.setdefault(succ, []).append(pred)
    return {k: sorted(v) for k, v in out.items()}


def narratives(fw, result, previous, year: int, prev_year: int | None, preds: dict) -> dict[str, dict]:
    """Per unit: the core's Vietnamese and English narrative (index, rank in its unit type, change against
    last year through lineage, field movers)."""
    from cchc.core.comparison import cycle_rows, summarize
    from cchc.core.narrative import NarrativeStyle, narrative_en, narrative_vi
    from cchc.core.results import ResultSet

    style = NarrativeStyle(index_name_vi="Chỉ số CCHC", index_name_en="PAR index", unit_noun_vi=fw.unit_noun_vi,
                           unit_noun_en=fw.unit_noun_en, precision=fw.precision)
    names_vi = {f.code: f.name_vi for f in fw.nodes}
    names_en = {f.code: f.name_en or f.name_vi for f in fw.nodes}
    from dataclasses import replace

    # Regional standing in the core's narrative is worded for provinces; inside a province the rank within
    # the unit type is the point, so rows go in without a region.
    complete = {u.code for u in result.units if not u.missing}
    cur_rows = [replace(r, region=None) for r in cycle_rows(result, year) if r.code in complete]
    prev_rows = ({r.code: replace(r, region=None) for r in cycle_rows(previous, prev_year)}
                 if previous is not None and prev_year else {})
    out: dict[str, dict] = {}
    for group in sorted({r.unit_type or "" for r in cur_rows}):
        rows = [r for r in cur_rows if (r.unit_type or "") == group]
        olds = []
        for r in rows:
            codes = preds.get(r.code, [r.code])
            if len(codes) == 1 and codes[0] in prev_rows:
                olds.append((r.code, prev_rows[codes[0]]))
        results = ResultSet(rows + [o for _c, o in olds], precision=fw.precision)
        baseline = dict(olds)
        for r in rows:
            try:
                summary = summarize(results, r.code, year, previous=baseline.get(r.code))
            except KeyError:
                continue
            out[r.code] = {"vi": narrative_vi(summary, names_vi, style), "en": narrative_en(summary, names_en, style)}
    return out


def compute(cycle) -> dict:
    """Live results of a cycle (preview before publication): inputs, hash and result JSON."""
    fw = cycle.framework.framework
    inputs = gather_inputs(cycle)
    result = score(fw, inputs)
    previous = previous_result(cycle)
    from cchc.core.comparison import compare_cycles

    preds = predecessors(inputs)
    changes = compare_cycles(result, previous, preds) if previous is not None else {}
    data = result_json(fw, result, changes)
    texts = narratives(fw, result, previous, cycle.year, cycle.previous.year if cycle.previous else None, preds)
    for u in data["units"]:
        u["narrative"] = texts.get(u["code"])
    return {"inputs": inputs, "hash": inputs_hash(fw.id, str(fw.version), inputs), "results": data}


def publish(cycle, user):
    """Store the immutable published snapshot of ``cycle`` (called by the workflow on publication)."""
    from cchc.web.results.models import ResultSnapshot, UnitResultDetail

    data = compute(cycle)
    details = data["results"].pop("details")
    fw = cycle.framework
    with transaction.atomic():
        snap = ResultSnapshot.objects.create(
            cycle=cycle, framework_id=fw.framework_id, framework_version=fw.version,
            inputs_hash=data["hash"], inputs=data["inputs"], results=data["results"], published=True,
            created_by=user,
        )
        UnitResultDetail.objects.bulk_create(
            [UnitResultDetail(snapshot=snap, unit_code=code, data=d) for code, d in details.items()]
        )
    return snap


def verify_snapshot(snapshot) -> bool:
    """Recompute a snapshot from its stored inputs: same hash, same indices and ranks, same leaf points."""
    from cchc.web.assessments.models import FrameworkRecord

    record = FrameworkRecord.objects.get(framework_id=snapshot.framework_id, version=snapshot.framework_version)
    if inputs_hash(snapshot.framework_id, snapshot.framework_version, snapshot.inputs) != snapshot.inputs_hash:
        return False
    again = result_json(record.framework, score(record.framework, snapshot.inputs))
    old = {u["code"]: (u["index"], u["rank"]) for u in snapshot.results["units"]}
    new = {u["code"]: (u["index"], u["rank"]) for u in again["units"]}
    stored = {d.unit_code: d.data["leaf_points"] for d in snapshot.details.all()}
    return old == new and stored == {c: d["leaf_points"] for c, d in again["details"].items()}


def published_snapshot(cycle, with_inputs: bool = False):
    qs = cycle.snapshots.filter(published=True)
    return (qs if with_inputs else qs.defer("inputs")).first()


_RESULTS_CACHE: OrderedDict[tuple, dict] = OrderedDict()
_RESULTS_CACHE_SIZE = 64
_RESULTS_LOCK = threading.Lock()


def published_key(cycle) -> tuple | None:
    """The identity of the cycle's published snapshot, ``(pk, inputs hash, created at)``, or None. A restored or
    re-created database may reuse a primary key, never all three; pages key what they cache from a snapshot on
    this."""
    # ``published IN (true)``: answered from the covering index ``snapshot_identity`` (see ResultSnapshot.Meta)
    return cycle.snapshots.filter(published__in=[True]).values_list("pk", "inputs_hash", "created_at").first()


def published_results(cycle) -> dict | None:
    """The published snapshot's summary (``published, hash, at`` + results), decoded once per process."""
    key = published_key(cycle)
    return None if key is None else snapshot_results(key)


def snapshot_results(key: tuple) -> dict:
    """The summary of the published snapshot ``key`` (from :func:`published_key`), decoded once per process.

    Published snapshots are immutable (``ResultSnapshot.save`` refuses changes), so their decoded JSON is cached by
    identity; the history of a unit over five years no longer decodes five full result tables per request.
    Callers must treat the returned data as read-only."""
    from cchc.web.results.models import ResultSnapshot

    pk, digest, at = key
    with _RESULTS_LOCK:
        results = _RESULTS_CACHE.get(key)
        if results is not None:
            _RESULTS_CACHE.move_to_end(key)
    if results is None:
        results = ResultSnapshot.objects.values_list("results", flat=True).get(pk=pk)
        with _RESULTS_LOCK:
            _RESULTS_CACHE[key] = results
            while len(_RESULTS_CACHE) > _RESULTS_CACHE_SIZE:
                _RESULTS_CACHE.popitem(last=False)
    return {"published": True, "hash": digest, "at": at, **results}


def results_for(cycle) -> dict:
    """Published snapshot summary, or a live preview before publication (without per-unit details)."""
    published = published_results(cycle)
    if published is not None:
        return published
    data = compute(cycle)
    data["results"].pop("details")
    return {"published": False, "hash": data["hash"], "at": None, **data["results"]}


def unit_detail(cycle, unit_code: str) -> dict | None:
    """One unit's node points, leaf points and lost points: from the snapshot, or computed live."""
    key = published_key(cycle)
    if key is not None:
        from cchc.web.results.models import UnitResultDetail

        row = UnitResultDetail.objects.filter(snapshot_id=key[0], unit_code=unit_code).values_list("data", flat=True)
        return row.first()
    return compute(cycle)["results"]["details"].get(unit_code)
