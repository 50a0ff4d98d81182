"""Results: a cycle's live result (a preview before publication), publication as an immutable snapshot, the
verification of a snapshot from its stored inputs, and the reads pages, API and exports make of them.

The web app never computes a score, rank, band or delta itself: it gathers the stored inputs as plain data
(:mod:`cchc.web.assessments.scoring`), calls :func:`cchc.core.scoring.score_cycle` and
:func:`cchc.core.comparison.compare_cycles`, and turns the results into JSON that pages, API and exports show. A
published result is stored with the framework id and version and a SHA-256 hash of the canonical inputs, so
:func:`verify_snapshot` can recompute it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db import transaction

from cchc.core.comparison import compare_cycles
from cchc.core.narrative import NarrativeStyle, within_group_narratives
from cchc.web.assessments.scoring import band_json, gather_inputs, inputs_hash, score
from cchc.web.org.models import UnitLineage
from cchc.web.results.models import ResultSnapshot, UnitResultDetail


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
            "band": band_json(u.band), "rank": u.rank or None, "of": u.of, "excluded": u.excluded,
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
        "bands": [band_json(b) | {"min": b.min, "max": b.max} for b in fw.bands],
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
    return score(snap.framework_record().framework, snap.inputs)


def predecessors(codes) -> dict[str, list[str]]:
    """Lineage as the core's comparison wants it: current code → previous codes (renames and merges)."""
    out: dict[str, list[str]] = {}
    links = UnitLineage.objects.filter(successor__code__in=list(codes)).values_list(
        "successor__code", "predecessor__code"
    )
    for succ, pred in links:
        out.setdefault(succ, []).append(pred)
    return {k: sorted(v) for k, v in out.items()}


def narratives(fw, result, previous, year: int, prev_year: int | None, preds: dict) -> dict[str, dict]:
    """Per unit: the core's Vietnamese and English narrative (index, rank in its unit type, change against
    last year through lineage, field movers). The method choices for units inside a province are the core's
    (:func:`cchc.core.narrative.within_group_narratives`); the web passes the framework's wording."""
    style = NarrativeStyle(index_name_vi="Chỉ số CCHC", index_name_en="PAR index", unit_noun_vi=fw.unit_noun_vi,
                           unit_noun_en=fw.unit_noun_en, precision=fw.precision)
    names_vi = {f.code: f.name_vi for f in fw.nodes}
    names_en = {f.code: f.name_en or f.name_vi for f in fw.nodes}
    return within_group_narratives(result, previous, year, prev_year, preds, style, names_vi, names_en)


def compute(cycle) -> dict:
    """Live results of a cycle (preview before publication): inputs, hash and result JSON."""
    fw = cycle.framework.framework
    inputs = gather_inputs(cycle)
    result = score(fw, inputs)
    previous = previous_result(cycle)
    preds = predecessors(inputs)
    changes = compare_cycles(result, previous, preds) if previous is not None else {}
    data = result_json(fw, result, changes)
    texts = narratives(fw, result, previous, cycle.year, cycle.previous.year if cycle.previous else None, preds)
    for u in data["units"]:
        u["narrative"] = texts.get(u["code"])
    return {"inputs": inputs, "hash": inputs_hash(fw.id, str(fw.version), inputs), "results": data}


def preview_hash(cycle) -> str:
    """The inputs hash of the cycle's live result: what a preview shows and what publication would store."""
    fw = cycle.framework.framework
    return inputs_hash(fw.id, str(fw.version), gather_inputs(cycle))


def publish(cycle, user):
    """Store the immutable published snapshot of ``cycle`` (called by the workflow on publication)."""
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
    record = snapshot.framework_record()
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
        row = UnitResultDetail.objects.filter(snapshot_id=key[0], unit_code=unit_code).values_list("data", flat=True)
        return row.first()
    return compute(cycle)["results"]["details"].get(unit_code)
