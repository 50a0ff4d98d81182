"""Results pages: a cycle's results (and its public page), one unit's result with its history, the XLSX export.
Every permission question goes to :mod:`cchc.web.accounts.policy`; every number comes from the core through
:mod:`cchc.web.results.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, FilteredRelation, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cchc.core.diagnostics import group_means
from cchc.reports import charts
from cchc.web import fragments
from cchc.web.accounts import policy
from cchc.web.assessments import services as assessment_services
from cchc.web.assessments import workflow
from cchc.web.assessments.models import Cycle, Participation, State
from cchc.web.http import require, xlsx_response
from cchc.web.org.models import Unit, UnitLineage, UnitType
from cchc.web.results import exports, services
from cchc.web.results.forms import PublishForm
from cchc.web.templatetags.cchc_tags import local_name


def _cycles():
    """Cycles with their framework record, without the record's JSON: the parsed framework is cached per
    process (:func:`cchc.web.assessments.frameworks.framework_from_record`), so the JSON is read only when it is parsed."""
    return Cycle.objects.select_related("framework").defer("framework__data")


def _published_snapshot():
    """A cycle's published snapshot (at most one), to read its identity in the cycle's own query
    (``published IN (true)``: from the covering index, see :func:`cchc.web.results.services.published_key`)."""
    return FilteredRelation("snapshots", condition=Q(snapshots__published__in=[True]))


def _cycle_and_snapshot(cycle_id: int):
    """The cycle (as :func:`_cycles`) and the identity of its published snapshot (as
    :func:`cchc.web.results.services.published_key`, or None), in one query."""
    cycle = get_object_or_404(_cycles().annotate(
        pub=_published_snapshot(), pub_pk=F("pub__pk"), pub_hash=F("pub__inputs_hash"), pub_at=F("pub__created_at"),
    ), pk=cycle_id)
    return cycle, ((cycle.pub_pk, cycle.pub_hash, cycle.pub_at) if cycle.pub_pk is not None else None)


def _cycle_chain() -> dict[int, tuple]:
    """Every cycle: ``pk → (previous pk, year, published snapshot identity or None)``, in one query."""
    rows = Cycle.objects.order_by().annotate(pub=_published_snapshot()).values_list(
        "pk", "previous_id", "year", "pub__pk", "pub__inputs_hash", "pub__created_at")
    return {pk: (prev, year, (spk, digest, at) if spk is not None else None)
            for pk, prev, year, spk, digest, at in rows}


def _results_context(cycle, data, selected_type: str, selected_band: str, public: bool, can_export: bool) -> dict:
    lang = get_language() or "vi"
    unit_types = sorted({u["unit_type"] for u in data["units"]})
    units = [
        u for u in data["units"]
        if (not selected_type or u["unit_type"] == selected_type)
        and (not selected_band or (u["band"] or {}).get("code") == selected_band)
    ]
    groups: dict[str, list] = {}
    for u in sorted(units, key=lambda u: (u["group"] or "", u["rank"] or 10**9, u["name"])):
        groups.setdefault(u["group"] or "", []).append(u)
    chart = charts.indices_by_band(
        [{"unit": u["name"], "index": u["index"],
          "band": (u["band"] or {}).get("label_en" if lang.startswith("en") else "label_vi") or "—"} for u in units],
        index_title=_("Chỉ số (%)"), band_title=_("Xếp loại"), bands=charts.band_labels(data["bands"], lang))

    return {
        "cycle": cycle, "data": data, "groups": groups, "unit_types": [(t, UnitType(t).label if t in UnitType.values else t) for t in unit_types],
        "selected_type": selected_type, "selected_band": selected_band, "chart": chart,
        "public": public, "can_export": can_export,
    }


def _results_page(request, cycle, snapshot, public=False):
    """The results table. A published cycle's content is cached under the snapshot's identity (immutable), the
    cycle row, the filters and the export button; a preview before publication is computed every time."""
    selected_type = request.GET.get("type") or ""
    selected_band = request.GET.get("band") or ""
    can_export = (not public) and policy.can_export_results(request.user, cycle)
    key = None
    if snapshot is None:  # a preview before publication: computed every time
        data = services.results_for(cycle)
    else:
        data = services.snapshot_results(snapshot)
        # only real filter choices are cached (no cache entry per made-up query string)
        if selected_type in {"", *(u["unit_type"] for u in data["units"])} and \
                selected_band in {"", *(b["code"] for b in data["bands"])}:
            key = fragments.key("results", snapshot, fragments.row(cycle), selected_type, selected_band, public,
                                can_export)
    body = fragments.get(key) if key else None
    if body is None:
        body = fragments.render_shared("results/_results_body.html", _results_context(
            cycle, data, selected_type, selected_band, public, can_export))
        if key:
            fragments.put(key, body)
    return render(request, "results/results.html", {"cycle": cycle, "body": fragments.personal(body, request)})


@login_required
def results(request, cycle_id):
    cycle, snapshot = _cycle_and_snapshot(cycle_id)
    require(policy.can_view_results(request.user, cycle))
    return _results_page(request, cycle, snapshot)


def public_results(request, cycle_id):
    cycle, snapshot = _cycle_and_snapshot(cycle_id)
    if not policy.can_view_public_results(cycle):
        raise Http404
    return _results_page(request, cycle, snapshot, public=True)


def _unit_history(cycle, code, chain: dict[int, tuple]) -> list[dict]:
    """The unit's published results over the chain of previous cycles (``chain`` from :func:`_cycle_chain`),
    following renames and merges back through the lineage (a predecessor's result stands for the unit in years
    before the change). Plain data: it is part of the key of the cached unit page."""

    lineage = list(UnitLineage.objects.values_list("successor__code", "predecessor__code"))
    out = []
    codes = [code]
    c, seen = cycle.pk, set()
    while c is not None and c in chain and c not in seen:
        seen.add(c)
        previous, year, snapshot = chain[c]
        if snapshot is not None:
            found = [x for x in services.snapshot_results(snapshot)["units"] if x["code"] in codes]
            for u in found[:1] if len(found) == 1 else []:
                out.append({"year": year, "cycle_id": c, "index": u["index"], "rank": u["rank"], "of": u["of"],
                            "band": u["band"], "code": u["code"]})
        codes = list(dict.fromkeys(codes + [pred for succ, pred in lineage if succ in codes]))
        c = previous
    return sorted(out, key=lambda r: r["year"])


def _unit_result_context(cycle, unit, data) -> dict:
    unit_code = unit.code
    u = next((x for x in data["units"] if x["code"] == unit_code), None)
    if u is None:
        raise Http404
    fw = cycle.framework.framework
    names = {n.code: local_name(n) for n, _a in fw.walk()}
    codes = [f["code"] for f in data["fields"]]
    means = group_means(({c: (p["fields"].get(c) or {}).get("index") for c in codes}
                         for p in data["units"] if p["group"] == u["group"]), codes)
    fields = []
    for f in data["fields"]:
        mine = u["fields"].get(f["code"])
        if not mine or mine["index"] is None:
            continue
        fields.append({"code": f["code"], "name": names.get(f["code"], f["name_vi"]), "index": mine["index"],
                       "points": mine["points"], "max_points": mine["max_points"], "group_mean": means[f["code"]]})
    detail = services.unit_detail(cycle, unit_code) or {"lost": {}}
    leaf_codes = {n.code for n in fw.leaves(u["unit_type"])}
    lost = [{"code": c, "name": names.get(c, c), "lost": v, "max": fw.node(c).max_points}
            for c, v in detail["lost"].items() if v and v > 0 and c in leaf_codes][:25]
    chart = charts.unit_against_group(
        [{"field": f["name"], "index": f["index"], "group_mean": f["group_mean"]} for f in fields],
        unit=u["name"], average=_("Trung bình nhóm"), index_title=_("Chỉ số (%)"))

    return {"cycle": cycle, "unit": unit, "u": u, "data": data, "fields": fields, "lost": lost, "chart": chart}


@login_required
def unit_result(request, cycle_id, unit_code):
    """A unit's result. A published cycle's content is cached under the snapshot's identity (immutable), the
    cycle and unit rows, the unit's history over the previous cycles (as shown) and the sheet link; a preview
    before publication is computed every time."""
    part = next(iter(Participation.objects.listed().filter(cycle_id=cycle_id, unit__code=unit_code).order_by()[:1]), None)
    cycle = part.cycle if part is not None else get_object_or_404(_cycles(), pk=cycle_id)
    unit = part.unit if part is not None else get_object_or_404(Unit, code=unit_code)
    require(policy.can_view_results(request.user, cycle) or (
        cycle.is_published and policy.can_view_unit(request.user, unit)))
    if part is None:
        raise Http404
    chain = _cycle_chain()
    extra = {"history": _unit_history(cycle, unit_code, chain), "can_sheet": policy.can_export_sheet(request.user, part)}
    snapshot = chain.get(cycle.pk, (None, None, None))[2]
    if snapshot is None:
        body = fragments.render_shared("results/_unit_result_body.html",
                                       _unit_result_context(cycle, unit, services.results_for(cycle)) | extra)
    else:
        record = cycle.framework
        key = fragments.key("unit_result", snapshot, fragments.row(cycle), fragments.row(unit),
                            (record.pk, record.framework_id, record.version), extra)
        body = fragments.get(key)
        if body is None:
            body = fragments.render_shared("results/_unit_result_body.html",
                                           _unit_result_context(cycle, unit, services.snapshot_results(snapshot)) | extra)
            fragments.put(key, body)
    return render(request, "results/unit_result.html", {
        "cycle": cycle, "unit": unit, "body": fragments.personal(body, request),
    })


@login_required
def results_xlsx(request, cycle_id):

    cycle = get_object_or_404(Cycle, pk=cycle_id)
    require(policy.can_export_results(request.user, cycle))
    return xlsx_response(exports.results_workbook(cycle, services.results_for(cycle)), f"ket-qua-{cycle.year}-{cycle.pk}.xlsx")


@login_required
def publish(request, cycle_id):
    """Publication, confirmed on a preview of exactly the table that will be published. The chair ticks the
    confirmation; the form carries the previewed inputs hash and the workflow refuses to publish if the data
    changed since. The snapshot records the chair and the time."""
    cycle = get_object_or_404(_cycles(), pk=cycle_id)
    require(policy.can_transition(request.user, cycle, State.PUBLISHED))
    data = services.results_for(cycle)
    form = PublishForm(request.POST or None, initial={"previewed": data["hash"]})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.transition(cycle, State.PUBLISHED, request.user, form.cleaned_data["reason"],
                                previewed=form.cleaned_data["previewed"])
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã chuyển trạng thái: %(s)s.") % {"s": State.PUBLISHED.label})
            return redirect("cycle", cycle_id=cycle.pk)
        data = services.results_for(cycle)
        form = PublishForm(initial={"previewed": data["hash"]})
    body = fragments.render_shared("results/_results_body.html",
                                   _results_context(cycle, data, "", "", public=False, can_export=False))
    return render(request, "results/publish.html", {
        "cycle": cycle, "body": fragments.personal(body, request), "form": form, "hash": data["hash"],
        "incomplete": assessment_services.incomplete(cycle),
    })
