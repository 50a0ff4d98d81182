"""Pages. Every permission question goes to :mod:`cchc.web.accounts.policy`; every number to
:mod:`cchc.web.engine` (which calls the core)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db.models import F, FilteredRelation, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.web import engine, fragments
from cchc.web.accounts import policy
from cchc.web.assessments import evidence as evidence_mod
from cchc.web.assessments import services, workflow
from cchc.web.assessments.models import Cycle, Evidence, LeafAssessment, Participation, State
from cchc.web.org.models import Unit
from cchc.web.templatetags.cchc_tags import local_name

# ---- helpers ----------------------------------------------------------------------------------------------


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _participations():
    """Participations with their cycle, the cycle's framework record (without its JSON, see :func:`_cycles`) and
    the unit, in one query."""
    return Participation.objects.select_related("cycle", "cycle__framework", "unit").defer("cycle__framework__data")


def _participation(cycle_id: int, unit_code: str) -> Participation:
    return get_object_or_404(_participations(), cycle_id=cycle_id, unit__code=unit_code)


def _cycles():
    """Cycles with their framework record, without the record's JSON: the parsed framework is cached per
    process (:func:`cchc.web.engine.framework_from_record`), so the JSON is read only when it is parsed."""
    return Cycle.objects.select_related("framework").defer("framework__data")


def _published_snapshot():
    """A cycle's published snapshot (at most one), to read its identity in the cycle's own query
    (``published IN (true)``: from the covering index, see :func:`cchc.web.engine.published_key`)."""
    return FilteredRelation("snapshots", condition=Q(snapshots__published__in=[True]))


def _cycle_and_snapshot(cycle_id: int):
    """The cycle (as :func:`_cycles`) and the identity of its published snapshot (as
    :func:`cchc.web.engine.published_key`, or None), in one query."""
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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# ---- home and cycles --------------------------------------------------------------------------------------


@login_required
def home(request):
    cycles = policy.visible_cycles(request.user, Cycle.objects.select_related("framework"))
    g = policy.grants(request.user)
    mine = (
        Participation.objects.filter(unit_id__in=g.focal_units).select_related("cycle", "unit")
        .exclude(cycle__state=State.DRAFT).order_by("-cycle__year")
        if g.focal_units else []
    )
    return render(request, "cchc/home.html", {"cycles": cycles, "mine": mine})


@login_required
def cycle_detail(request, cycle_id):
    cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=cycle_id)
    _require(policy.can_view_cycle(request.user, cycle))
    rows = services.progress(cycle)
    rows = [r for r in rows if policy.can_view_unit(request.user, r["unit"])]
    summary = {
        "units": len(rows),
        "submitted": sum(r["submitted"] for r in rows),
        "appraised": sum(1 for r in rows if r["appraised"] >= r["leaves"]),
        "explained": sum(1 for r in rows if r["participation"].explained_at),
        "overdue": [r for r in rows if r["overdue"]],
    }
    by_appraiser = []
    if policy.grants(request.user).reads_all:
        from django.db.models import Count

        by_appraiser = list(
            LeafAssessment.objects.filter(participation__cycle=cycle, appraised_by__isnull=False)
            .values("appraised_by__username", "appraised_by__first_name", "appraised_by__last_name")
            .annotate(leaves=Count("id"), units=Count("participation", distinct=True))
            .order_by("-leaves")
        )
    return render(request, "cchc/cycle.html", {
        "cycle": cycle, "rows": rows, "summary": summary, "by_appraiser": by_appraiser,
        "transitions": workflow.available(cycle, request.user),
        "log": cycle.transitions.select_related("user"),
        "can_remind": policy.can_send_reminders(request.user, cycle),
        "can_results": policy.can_view_results(request.user, cycle),
        "is_admin": policy.is_admin(request.user),
    })


@login_required
@require_POST
def cycle_transition(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    target = request.POST.get("target", "")
    try:
        workflow.transition(cycle, target, request.user, request.POST.get("reason", ""))
    except PermissionError as exc:
        raise PermissionDenied from exc
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã chuyển trạng thái: %(s)s.") % {"s": State(target).label})
    return redirect("cycle", cycle_id=cycle.pk)


@login_required
@require_POST
def cycle_remind(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require(policy.can_send_reminders(request.user, cycle))
    rows = [r for r in services.progress(cycle) if r["overdue"] and r["unit"].email]
    mails = [
        (
            _("[CCHC] Nhắc hạn: %(c)s") % {"c": cycle.name},
            _("Đơn vị %(u)s chưa hoàn thành bước “%(s)s” của %(c)s đúng hạn. Đề nghị khẩn trương hoàn thành.")
            % {"u": r["unit"].name, "s": State(cycle.state).label, "c": cycle.name},
            None,
            [r["unit"].email],
        )
        for r in rows
    ]
    sent = send_mass_mail(mails, fail_silently=True) if mails else 0
    messages.success(request, _("Đã gửi %(n)d thư nhắc.") % {"n": sent})
    return redirect("cycle", cycle_id=cycle.pk)


@login_required
@require_POST
def return_submission(request, cycle_id, unit_code):
    part = _participation(cycle_id, unit_code)
    try:
        workflow.return_submission(part, request.user, request.POST.get("reason", ""))
    except PermissionError as exc:
        raise PermissionDenied from exc
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã trả lại kết quả tự đánh giá của %(u)s.") % {"u": part.unit.name})
    return redirect("cycle", cycle_id=cycle_id)


# ---- the assessment sheet (self-assessment, appraisal, explanation) ----------------------------------------

MODES = ("self", "appraise", "explain")
SHEET_PAGE_LEAVES = 60


def _leaf_context(user, part: Participation, mode: str, rows, stored):
    can_self = policy.can_edit_self(user, part)
    can_explain = policy.can_explain(user, part)
    return [_leaf_item(part, row, stored.get(row.node.code), mode, user, can_self, can_explain) for row in rows]


def _leaf_item(part, row, la, mode, user, can_self=None, can_explain=None, error=None, errors=None):
    if can_self is None:
        can_self = policy.can_edit_self(user, part)
    if can_explain is None:
        can_explain = policy.can_explain(user, part)
    node = row.node
    base = reverse("sheet-self", args=[part.cycle_id, part.unit.code]).removesuffix("/self/")
    return {
        "urls": {m: f"{base}/{m}/leaf/{node.code}/" for m in MODES}
        | {"evidence": f"{base}/{mode}/leaf/{node.code}/evidence/", "history": f"{base}/history/{node.code}/"},
        "row": row, "node": node, "la": la, "version": la.version if la else 0,
        "kind": engine.entry_kind(node), "levels": engine.level_choices(node),
        "limits": engine.leaf_limits(node), "evidence": list(la.evidence.all()) if la else [],
        "edit_self": mode == "self" and can_self,
        "edit_appraisal": mode == "appraise" and policy.can_appraise(user, part, row.field_code),
        "edit_explanation": mode == "explain" and can_explain and la is not None and la.adjusted,
        "mode": mode, "error": error, "errors": errors or {},
    }


# The columns of the participation's leaf rows and evidence rows that go into the key of the cached sheet: all
# but the time stamps, which the sheet does not show (a save changes a shown column, and ``version``). Any
# change to them (a save through the page or the API, the admin, an import, a direct UPDATE) gives a new key.
LEAF_COLUMNS = fragments.plain_columns(LeafAssessment, "updated_at")
EVIDENCE_COLUMNS = fragments.plain_columns(Evidence, "uploaded_at")
_LEAF_ROWS = fragments.FixedQuery(LeafAssessment, lambda part_id: LeafAssessment.objects.filter(
    participation_id=part_id).order_by("pk").values_list(*LEAF_COLUMNS))
_EVIDENCE_ROWS = fragments.FixedQuery(Evidence, lambda part_id: Evidence.objects.filter(
    assessment__participation_id=part_id).order_by("pk").values_list(*EVIDENCE_COLUMNS))


def _sheet_rows(part: Participation) -> tuple[tuple, tuple]:
    """The participation's leaf and evidence rows (:data:`LEAF_COLUMNS`, :data:`EVIDENCE_COLUMNS`) in
    primary-key order."""
    return _LEAF_ROWS.rows(part.pk), _EVIDENCE_ROWS.rows(part.pk)


def _stored_rows(stored: dict) -> tuple[tuple, tuple]:
    """The rows of loaded leaves (evidence prefetched) as :func:`_sheet_rows` gives them."""
    leaves = tuple(sorted(tuple(getattr(la, c) for c in LEAF_COLUMNS) for la in stored.values()))
    evidence = tuple(sorted(tuple(getattr(e, c) for c in EVIDENCE_COLUMNS)
                            for la in stored.values() for e in la.evidence.all()))
    return leaves, evidence


def _sheet_key(user, part: Participation, mode: str, selected: str, leaves: tuple, evidence: tuple) -> str:
    """The key of a sheet's content: everything it is rendered from. ``leaves`` and ``evidence`` are the
    participation's rows (:func:`_sheet_rows`); the viewer enters through their roles (every permission on the
    sheet is decided from them, the cycle state and the participation)."""
    record = part.cycle.framework
    return fragments.key(
        "sheet", mode, selected, fragments.viewer(policy.grants(user)),
        fragments.row(part), fragments.row(part.cycle), fragments.row(part.unit),
        (record.pk, record.framework_id, record.version), _settings().EVIDENCE_MAX_BYTES, SHEET_PAGE_LEAVES,
        fragments.digest((leaves, evidence)),
    )


def _sheet_context(user, part: Participation, mode: str, selected: str, stored: dict) -> dict:
    fw = part.cycle.framework.framework
    rows = engine.leaf_rows(fw, part.unit.unit_type)
    # Large frameworks are shown one field (lĩnh vực) at a time; small ones on one page.
    field_codes = list(dict.fromkeys(r.field_code for r in rows))
    missing_list = services.missing_for_submission(part, stored) if mode == "self" else []
    if not selected and len(rows) > SHEET_PAGE_LEAVES and mode == "self":
        missing = {code for code, _msg in missing_list}
        selected = next((r.field_code for r in rows if r.node.code in missing), field_codes[0])
    elif not selected and len(rows) > SHEET_PAGE_LEAVES:
        selected = field_codes[0]
    if selected and selected != "all":
        rows = [r for r in rows if r.field_code == selected]
    items = _leaf_context(user, part, mode, rows, stored)
    if mode == "explain":
        items = [i for i in items if i["la"] is not None and i["la"].adjusted]
    g = policy.grants(user)
    field_only = (not g.reads_all and not policy.is_focal_of(user, part.unit_id)
                  and not policy.appraises(user, part, None))
    if mode == "appraise" and field_only:
        # appraisers assigned by field see only their fields
        items = [i for i in items if policy.appraises(user, part, i["row"].field_code)]
    names = {n.code: local_name(n) for n, _a in fw.walk()}
    leaves = list(stored.values())
    totals = engine.self_total(part, leaves) if mode == "self" else engine.unit_total(part, leaves)
    return {
        "part": part, "cycle": part.cycle, "unit": part.unit, "mode": mode, "items": items, "names": names,
        "totals": totals, "fw": fw, "field_codes": field_codes if len(field_codes) > 1 else [],
        "selected_field": selected or "all",
        "can_submit": mode == "self" and policy.can_submit(user, part),
        "can_explain_submit": mode == "explain" and policy.can_explain(user, part),
        "missing": missing_list,
        "max_mb": int(_settings().EVIDENCE_MAX_BYTES / 1048576),
    }


@login_required
def sheet(request, cycle_id, unit_code, mode="self"):
    if mode not in MODES:
        raise Http404
    part = _participation(cycle_id, unit_code)
    _require(policy.can_view_sheet(request.user, part))
    selected = request.GET.get("field") or ""
    # The content is cached under a key made of all it is rendered from (see _sheet_key); reading the rows as
    # stored costs far less than loading them as objects and rendering 150 leaves. Only real choices of field
    # are cached (no cache entry per made-up query string).
    cacheable = selected in ("", "all") or selected in {n.code for n in part.cycle.framework.framework.nodes}
    body = fragments.get(_sheet_key(request.user, part, mode, selected, *_sheet_rows(part))) if cacheable else None
    if body is None:
        stored = {la.leaf_code: la for la in part.leaves.prefetch_related("evidence")}
        body = fragments.render_shared("cchc/_sheet_body.html", _sheet_context(request.user, part, mode, selected, stored))
        if cacheable:  # under the rows it was rendered from (newer than those read above if someone saved meanwhile)
            fragments.put(_sheet_key(request.user, part, mode, selected, *_stored_rows(stored)), body)
    return render(request, "cchc/sheet.html", {
        "cycle": part.cycle, "unit": part.unit, "body": fragments.personal(body, request),
    })


def _settings():
    from django.conf import settings

    return settings


def _render_leaf(request, part, leaf_code, mode, *, status=200, error=None, errors=None, posted=None):
    fw = part.cycle.framework.framework
    row = next(r for r in engine.leaf_rows(fw, part.unit.unit_type) if r.node.code == leaf_code)
    la = LeafAssessment.objects.filter(participation=part, leaf_code=leaf_code).prefetch_related("evidence").first()
    item = _leaf_item(part, row, la, mode, request.user, error=error, errors=errors)
    # a refused save shows what the person typed in the form they sent, not the stored values (nothing lost)
    item["typed"] = {k: v for k, v in (posted or {}).items() if k not in ("csrfmiddlewaretoken", "version")}
    totals = engine.self_total(part) if mode == "self" else engine.unit_total(part)
    return render(request, "cchc/_leaf.html", {"i": item, "part": part, "totals": totals, "oob": True,
                                                "max_mb": int(_settings().EVIDENCE_MAX_BYTES / 1048576)},
                  status=status)


SAVE = {"self": services.save_self, "appraise": services.save_appraisal, "explain": services.save_explanation}


@login_required
@require_POST
def leaf_save(request, cycle_id, unit_code, leaf_code, mode):
    if mode not in MODES:
        raise Http404
    part = _participation(cycle_id, unit_code)
    _require(policy.can_view_sheet(request.user, part))
    back = reverse(f"sheet-{mode}", args=[cycle_id, unit_code]) + f"#leaf-{leaf_code}"
    try:
        SAVE[mode](part, leaf_code, request.POST, request.user, request.POST.get("version"))
    except LookupError as exc:
        raise Http404 from exc
    except PermissionError as exc:
        raise PermissionDenied from exc
    except services.Conflict as exc:
        if not _is_htmx(request):
            messages.error(request, str(exc))
            return redirect(back)
        return _render_leaf(request, part, leaf_code, mode, status=409, error=str(exc))
    except services.Invalid as exc:
        if not _is_htmx(request):
            for msg in exc.errors.values():
                messages.error(request, f"{leaf_code}: {msg}")
            return redirect(back)
        return _render_leaf(request, part, leaf_code, mode, status=422, errors=exc.errors, posted=request.POST)
    if not _is_htmx(request):
        messages.success(request, _("Đã lưu tiêu chí %(c)s.") % {"c": leaf_code})
        return redirect(back)
    return _render_leaf(request, part, leaf_code, mode)


@login_required
@require_POST
def evidence_upload(request, cycle_id, unit_code, leaf_code, mode):
    part = _participation(cycle_id, unit_code)
    if mode == "self":
        _require(policy.can_edit_self(request.user, part))
    elif mode == "explain":
        _require(policy.can_explain(request.user, part))
    else:
        raise PermissionDenied
    try:
        la = services.get_leaf(part, leaf_code)
    except LookupError as exc:
        raise Http404 from exc
    error = None
    files = request.FILES.getlist("file")
    if not files:
        error = _("Chọn một tệp để tải lên.")
    for f in files:
        try:
            evidence_mod.store(la, f, request.user, stage=mode)
        except evidence_mod.EvidenceError as exc:
            error = str(exc)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(reverse(f"sheet-{mode}", args=[cycle_id, unit_code]) + f"#leaf-{leaf_code}")
    return _render_leaf(request, part, leaf_code, mode, status=422 if error else 200, error=error)


@login_required
def evidence_download(request, evidence_id):
    ev = get_object_or_404(Evidence.objects.select_related("assessment__participation"), pk=evidence_id)
    _require(policy.can_download_evidence(request.user, ev))
    path = evidence_mod.path_for(ev.sha256)
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=ev.name, content_type=ev.content_type)


@login_required
@require_POST
def submit(request, cycle_id, unit_code):
    part = _participation(cycle_id, unit_code)
    try:
        services.submit(part, request.user)
    except PermissionError as exc:
        raise PermissionDenied from exc
    except services.Invalid as exc:
        messages.error(
            request,
            _("Chưa nộp được: %(n)d tiêu chí chưa hoàn thành (%(l)s).")
            % {"n": len(exc.errors), "l": "; ".join(f"{k} {v}" for k, v in list(exc.errors.items())[:10])},
        )
    else:
        messages.success(request, _("Đã nộp kết quả tự đánh giá."))
    return redirect("sheet-self", cycle_id, unit_code)


@login_required
@require_POST
def submit_explanation(request, cycle_id, unit_code):
    part = _participation(cycle_id, unit_code)
    try:
        services.submit_explanation(part, request.user)
    except PermissionError as exc:
        raise PermissionDenied from exc
    messages.success(request, _("Đã nộp giải trình."))
    return redirect("sheet-explain", cycle_id, unit_code)


# ---- results ----------------------------------------------------------------------------------------------


def _results_context(cycle, data, selected_type: str, selected_band: str, public: bool, can_export: bool) -> dict:
    lang = get_language() or "vi"
    unit_types = sorted({u["unit_type"] for u in data["units"]})
    units = [
        u for u in data["units"]
        if (not selected_type or u["unit_type"] == selected_type)
        and (not selected_band or (u["band"] or {}).get("code") == selected_band)
    ]
    groups: dict[str, list] = {}
    for u in sorted(units, key=lambda u: (u["group"] or "", u["rank"], u["name"])):
        groups.setdefault(u["group"] or "", []).append(u)
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"unit": u["name"], "index": u["index"], "band": (u["band"] or {}).get(
            "label_en" if lang == "en" else "label_vi", "—")} for u in units]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "unit", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "index", "type": "quantitative", "title": _("Chỉ số (%)"), "scale": {"domain": [0, 100]}},
            "color": {"field": "band", "type": "nominal", "title": _("Xếp loại")},
            "tooltip": [{"field": "unit"}, {"field": "index", "format": ".2f"}, {"field": "band"}],
        },
        "width": "container",
        "height": {"step": 14},
    }
    from cchc.web.org.models import UnitType

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
        data = engine.results_for(cycle)
    else:
        data = engine.snapshot_results(snapshot)
        # only real filter choices are cached (no cache entry per made-up query string)
        if selected_type in {"", *(u["unit_type"] for u in data["units"])} and \
                selected_band in {"", *(b["code"] for b in data["bands"])}:
            key = fragments.key("results", snapshot, fragments.row(cycle), selected_type, selected_band, public,
                                can_export)
    body = fragments.get(key) if key else None
    if body is None:
        body = fragments.render_shared("cchc/_results_body.html", _results_context(
            cycle, data, selected_type, selected_band, public, can_export))
        if key:
            fragments.put(key, body)
    return render(request, "cchc/results.html", {"cycle": cycle, "body": fragments.personal(body, request)})


@login_required
def results(request, cycle_id):
    cycle, snapshot = _cycle_and_snapshot(cycle_id)
    _require(policy.can_view_results(request.user, cycle))
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
    from cchc.web.org.models import UnitLineage

    lineage = list(UnitLineage.objects.values_list("successor__code", "predecessor__code"))
    out = []
    codes = [code]
    c, seen = cycle.pk, set()
    while c is not None and c in chain and c not in seen:
        seen.add(c)
        previous, year, snapshot = chain[c]
        if snapshot is not None:
            found = [x for x in engine.snapshot_results(snapshot)["units"] if x["code"] in codes]
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
    peers = [x for x in data["units"] if x["group"] == u["group"]]
    fields = []
    for f in data["fields"]:
        mine = u["fields"].get(f["code"])
        if not mine or mine["index"] is None:
            continue
        vals = [p["fields"][f["code"]]["index"] for p in peers
                if p["fields"].get(f["code"], {}).get("index") is not None]
        fields.append({"code": f["code"], "name": names.get(f["code"], f["name_vi"]), "index": mine["index"],
                       "points": mine["points"], "max_points": mine["max_points"],
                       "group_mean": sum(vals) / len(vals) if vals else None})
    detail = engine.unit_detail(cycle, unit_code) or {"lost": {}}
    leaf_codes = {n.code for n in fw.leaves(u["unit_type"])}
    lost = [{"code": c, "name": names.get(c, c), "lost": v, "max": fw.node(c).max_points}
            for c, v in detail["lost"].items() if v and v > 0 and c in leaf_codes][:25]
    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"field": f["name"], "series": s, "index": v}
                            for f in fields for s, v in ((u["name"], f["index"]), (_("Trung bình nhóm"), f["group_mean"]))
                            if v is not None]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "field", "type": "nominal", "title": None, "sort": [f["name"] for f in fields]},
            "yOffset": {"field": "series"},
            "x": {"field": "index", "type": "quantitative", "title": _("Chỉ số (%)"), "scale": {"domain": [0, 100]}},
            "color": {"field": "series", "type": "nominal", "title": None},
        },
        "width": "container",
    }
    return {"cycle": cycle, "unit": unit, "u": u, "data": data, "fields": fields, "lost": lost, "chart": chart}


@login_required
def unit_result(request, cycle_id, unit_code):
    """A unit's result. A published cycle's content is cached under the snapshot's identity (immutable), the
    cycle and unit rows, the unit's history over the previous cycles (as shown) and the sheet link; a preview
    before publication is computed every time."""
    part = next(iter(_participations().filter(cycle_id=cycle_id, unit__code=unit_code).order_by()[:1]), None)
    cycle = part.cycle if part is not None else get_object_or_404(_cycles(), pk=cycle_id)
    unit = part.unit if part is not None else get_object_or_404(Unit, code=unit_code)
    _require(policy.can_view_results(request.user, cycle) or (
        cycle.is_published and policy.can_view_unit(request.user, unit)))
    if part is None:
        raise Http404
    chain = _cycle_chain()
    extra = {"history": _unit_history(cycle, unit_code, chain), "can_sheet": policy.can_export_sheet(request.user, part)}
    snapshot = chain.get(cycle.pk, (None, None, None))[2]
    if snapshot is None:
        body = fragments.render_shared("cchc/_unit_result_body.html",
                                       _unit_result_context(cycle, unit, engine.results_for(cycle)) | extra)
    else:
        record = cycle.framework
        key = fragments.key("unit_result", snapshot, fragments.row(cycle), fragments.row(unit),
                            (record.pk, record.framework_id, record.version), extra)
        body = fragments.get(key)
        if body is None:
            body = fragments.render_shared("cchc/_unit_result_body.html",
                                           _unit_result_context(cycle, unit, engine.snapshot_results(snapshot)) | extra)
            fragments.put(key, body)
    return render(request, "cchc/unit_result.html", {
        "cycle": cycle, "unit": unit, "body": fragments.personal(body, request),
    })


@login_required
def results_xlsx(request, cycle_id):
    from cchc.web import exports

    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require(policy.can_export_results(request.user, cycle))
    return _xlsx(exports.results_workbook(cycle, engine.results_for(cycle)), f"ket-qua-{cycle.year}-{cycle.pk}.xlsx")


@login_required
def sheet_xlsx(request, cycle_id, unit_code):
    from cchc.web import exports

    part = _participation(cycle_id, unit_code)
    _require(policy.can_export_sheet(request.user, part))
    return _xlsx(exports.sheet_workbook(part), f"phieu-cham-{unit_code}-{part.cycle.year}.xlsx")


def _xlsx(wb, filename):
    import io

    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


# ---- units ------------------------------------------------------------------------------------------------


@login_required
def units(request):
    qs = policy.visible_units(request.user, Unit.objects.select_related("parent"))
    return render(request, "cchc/units.html", {"units": qs, "can_manage": policy.can_manage(request.user)})


@login_required
def units_import(request):
    from cchc.web.org.importer import import_units

    _require(policy.can_manage(request.user))
    report = None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            return HttpResponseBadRequest("file missing")
        import zipfile

        from openpyxl.utils.exceptions import InvalidFileException

        try:
            report = import_units(f)
        except (zipfile.BadZipFile, InvalidFileException, KeyError):
            messages.error(request, _("Tệp %(name)s không phải tệp Excel (.xlsx); không có thay đổi nào được ghi.")
                           % {"name": f.name})
        except Exception as exc:  # noqa: BLE001 - an unreadable workbook is a user error
            messages.error(request, _("Không đọc được tệp XLSX: %(e)s") % {"e": exc})
        else:
            if report.errors:
                messages.error(request, _("Không nhập: tệp có lỗi, không có thay đổi nào được ghi."))
            else:
                messages.success(request, _("Đã nhập: %(c)d đơn vị mới, %(u)d cập nhật.")
                                 % {"c": report.created, "u": report.updated})
    return render(request, "cchc/units_import.html", {"report": report})


# ---- error pages ------------------------------------------------------------------------------------------


def not_found(request, exception=None):
    """404: JSON under /api/ (the API speaks JSON only), the usual page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


# ---- administration: new cycle, computed inputs ------------------------------------------------------------


@login_required
def cycle_new(request):
    from cchc.web.forms import CycleForm

    _require(policy.can_manage(request.user))
    form = CycleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = data["record"]
        fw = record.framework
        cycle = Cycle.objects.create(
            name=data["name"], year=data["year"], framework=record, previous=data.get("previous"),
            self_deadline=data.get("self_deadline"), appraisal_deadline=data.get("appraisal_deadline"),
            explanation_deadline=data.get("explanation_deadline"), public=data.get("public") or False,
        )
        units = [u for u in Unit.objects.filter(unit_type__in=fw.unit_types) if u.active_in(cycle.year)]
        Participation.objects.bulk_create([Participation(cycle=cycle, unit=u) for u in units])
        messages.success(request, _("Đã tạo kỳ đánh giá với %(n)d đơn vị (trạng thái dự thảo).") % {"n": len(units)})
        return redirect("cycle", cycle_id=cycle.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Kỳ đánh giá mới"), "multipart": True})


@login_required
def computed_import(request, cycle_id):
    from cchc.web.assessments.computed import import_computed
    from cchc.web.forms import ComputedImportForm

    cycle = get_object_or_404(Cycle, pk=cycle_id)
    _require(policy.can_import_computed(request.user, cycle))
    form = ComputedImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            n, errors = import_computed(cycle, form.cleaned_data["file"], request.user)
        except Exception as exc:  # noqa: BLE001 - an unreadable workbook is a user error
            errors = [_("Không đọc được tệp XLSX: %(e)s") % {"e": exc}]
        if not errors:
            messages.success(request, _("Đã nhập %(n)d dòng số liệu.") % {"n": n})
            return redirect("cycle", cycle_id=cycle.pk)
        messages.error(request, _("Không nhập: tệp có lỗi, không có thay đổi nào được ghi."))
    return render(request, "cchc/form.html", {
        "form": form, "title": _("Nhập số liệu khảo sát và tỷ lệ: %(c)s") % {"c": cycle.name},
        "multipart": True, "errors": errors,
    })


@login_required
def cycle_edit(request, cycle_id):
    from cchc.web.forms import CycleEditForm

    cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=cycle_id)
    _require(policy.can_manage(request.user))
    form = CycleEditForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        from django.db import transaction

        with transaction.atomic():
            cycle = form.save(commit=False)
            cycle._change_reason = _("Sửa thông tin kỳ đánh giá")
            cycle.save()
            units = form.cleaned_data.get("units")
            if units is not None:
                keep = {u.pk for u in units}
                cycle.participations.exclude(unit_id__in=keep).delete()
                have = set(cycle.participations.values_list("unit_id", flat=True))
                Participation.objects.bulk_create(
                    [Participation(cycle=cycle, unit=u) for u in units if u.pk not in have])
        messages.success(request, _("Đã lưu."))
        return redirect("cycle", cycle_id=cycle.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Sửa kỳ đánh giá: %(c)s") % {"c": cycle.name}})


@login_required
def people(request):
    """Users and their roles (administrators): add a role to a person, creating the account if needed."""
    from django.contrib.auth import get_user_model

    from cchc.web.accounts.models import RoleAssignment
    from cchc.web.forms import RoleForm

    _require(policy.can_manage(request.user))
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        User = get_user_model()
        if data["new_user"]:
            first, _sep, last = (data.get("full_name") or "").partition(" ")
            user = User.objects.create_user(data["username"], data.get("email") or "", data["password"],
                                            first_name=first, last_name=last)
        else:
            user = User.objects.get(username=data["username"])
        _ra, created = RoleAssignment.objects.get_or_create(
            user=user, role=data["role"], unit=data.get("unit"), field_code=data.get("field_code") or "")
        messages.success(request, _("Đã phân quyền cho %(u)s.") % {"u": user.username} if created
                         else _("Người dùng đã có vai trò này."))
        return redirect("people")
    assignments = RoleAssignment.objects.select_related("user", "unit").order_by("user__username", "role")
    return render(request, "cchc/people.html", {"form": form, "assignments": assignments})


@login_required
@require_POST
def people_remove(request, assignment_id):
    from cchc.web.accounts.models import RoleAssignment

    _require(policy.can_manage(request.user))
    ra = get_object_or_404(RoleAssignment, pk=assignment_id)
    if ra.user_id == request.user.pk and ra.role == "admin":
        messages.error(request, _("Không tự bỏ vai trò quản trị của chính mình."))
    else:
        ra._change_reason = _("Bỏ phân quyền")
        ra.delete()
        messages.success(request, _("Đã bỏ phân quyền."))
    return redirect("people")


HISTORY_FIELDS = ("self_points", "justification", "no_evidence_reason", "numerator", "denominator", "survey_index",
                  "appraised_points", "appraisal_comment", "explanation")


@login_required
def leaf_history(request, cycle_id, unit_code, leaf_code):
    """Every change of one leaf: who, when, old value, new value, why."""
    part = _participation(cycle_id, unit_code)
    _require(policy.can_view_sheet(request.user, part))
    la = LeafAssessment.objects.filter(participation=part, leaf_code=leaf_code).first()
    if la is None:
        raise Http404
    records = list(la.history.select_related("history_user").order_by("history_date", "history_id"))
    verbose = {f: str(LeafAssessment._meta.get_field(f).verbose_name) for f in HISTORY_FIELDS}
    rows, prev = [], None
    for rec in records:
        changes = []
        for f in HISTORY_FIELDS:
            old, new = (getattr(prev, f) if prev else None), getattr(rec, f)
            if old != new and not (old in (None, "") and new in (None, "")):
                changes.append({"field": verbose[f], "old": old, "new": new})
        who = rec.history_user
        rows.append({"rec": rec, "changes": changes,
                     "who": (who.get_full_name() or who.username) if who else "—",
                     "username": who.username if who else ""})
        prev = rec
    ev = list(Evidence.history.filter(assessment_id=la.pk).select_related("history_user").order_by("history_date"))
    return render(request, "cchc/leaf_history.html", {
        "part": part, "cycle": part.cycle, "unit": part.unit, "leaf_code": leaf_code,
        "node": part.cycle.framework.framework.node(leaf_code), "rows": list(reversed(rows)), "evidence": ev,
    })
