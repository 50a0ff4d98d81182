"""Assessment pages: cycles (detail, transitions, reminders, new, edit, computed inputs), the sheet (self-assessment,
appraisal, explanation), leaf saves, evidence, submission and leaf history. Every permission question goes to
:mod:`cchc.web.accounts.policy`; every write and every number to :mod:`cchc.web.assessments.services` and the
core."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.scoring import level_points, points_limits
from cchc.web import fragments
from cchc.web.accounts import policy
from cchc.web.assessments import evidence as evidence_mod
from cchc.web.assessments import exports, frameworks, scoring, services, workflow
from cchc.web.assessments.computed import import_computed
from cchc.web.assessments.forms import (
    ComputedImportForm,
    CycleEditForm,
    CycleForm,
    EvidenceUploadForm,
    ExclusionForm,
    LeafSaveForm,
    ReturnSubmissionForm,
    TransitionForm,
)
from cchc.web.assessments.models import Cycle, Evidence, LeafAssessment, Participation, State
from cchc.web.http import is_htmx, require, xlsx_response
from cchc.web.org.models import Unit
from cchc.web.templatetags.cchc_tags import local_name


def _participation(cycle_id: int, unit_code: str) -> Participation:
    return get_object_or_404(Participation.objects.listed(), cycle_id=cycle_id, unit__code=unit_code)


@login_required
def cycle_detail(request, cycle_id):
    cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=cycle_id)
    require(policy.can_view_cycle(request.user, cycle))
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

        by_appraiser = list(
            LeafAssessment.objects.filter(participation__cycle=cycle, appraised_by__isnull=False)
            .values("appraised_by__username", "appraised_by__first_name", "appraised_by__last_name")
            .annotate(leaves=Count("id"), units=Count("participation", distinct=True))
            .order_by("-leaves")
        )
    deciding = cycle.state in (State.FINAL_APPRAISAL, State.APPROVED)
    return render(request, "assessments/cycle.html", {
        "cycle": cycle, "rows": rows, "summary": summary, "by_appraiser": by_appraiser,
        # before approval and publication: what keeps the cycle from them, per unit and stage, and the exclusions
        "incomplete": services.incomplete(cycle, rows) if deciding else [],
        "excluded": [r["participation"] for r in rows if r["participation"].excluded_reason],
        "can_exclude": policy.can_exclude_from_ranking(request.user, cycle),
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
    form = TransitionForm(request.POST)
    form.is_valid()  # refuses nothing: the workflow checks the target and the reason
    target = form.cleaned_data["target"]
    if target == State.PUBLISHED:  # publication is confirmed on the preview of what will be published
        require(policy.can_transition(request.user, cycle, target))
        return redirect("cycle-publish", cycle_id=cycle.pk)
    try:
        workflow.transition(cycle, target, request.user, form.cleaned_data["reason"])
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã chuyển trạng thái: %(s)s.") % {"s": State(target).label})
    return redirect("cycle", cycle_id=cycle.pk)


@login_required
@require_POST
def cycle_remind(request, cycle_id):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    require(policy.can_send_reminders(request.user, cycle))
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
        form = ReturnSubmissionForm(request.POST)
        form.is_valid()  # refuses nothing: the workflow requires the reason
        workflow.return_submission(part, request.user, form.cleaned_data["reason"])
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã trả lại kết quả tự đánh giá của %(u)s.") % {"u": part.unit.name})
    return redirect("cycle", cycle_id=cycle_id)


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
        "kind": frameworks.entry_kind(node), "levels": level_points(node),
        "limits": points_limits(node), "evidence": list(la.evidence.all()) if la else [],
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
    rows = frameworks.leaf_rows(fw, part.unit.unit_type)
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
    if field_only:
        # appraisers assigned by field see only their fields, whichever stage of the sheet they open
        items = [i for i in items if policy.appraises(user, part, i["row"].field_code)]
    names = {n.code: local_name(n) for n, _a in fw.walk()}
    leaves = list(stored.values())
    totals = scoring.self_total(part, leaves) if mode == "self" else scoring.unit_total(part, leaves)
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
    require(policy.can_view_sheet(request.user, part))
    selected = request.GET.get("field") or ""
    # The content is cached under a key made of all it is rendered from (see _sheet_key); reading the rows as
    # stored costs far less than loading them as objects and rendering 150 leaves. Only real choices of field
    # are cached (no cache entry per made-up query string).
    cacheable = selected in ("", "all") or selected in {n.code for n in part.cycle.framework.framework.nodes}
    body = fragments.get(_sheet_key(request.user, part, mode, selected, *_sheet_rows(part))) if cacheable else None
    if body is None:
        stored = {la.leaf_code: la for la in part.leaves.prefetch_related("evidence")}
        body = fragments.render_shared("assessments/_sheet_body.html", _sheet_context(request.user, part, mode, selected, stored))
        if cacheable:  # under the rows it was rendered from (newer than those read above if someone saved meanwhile)
            fragments.put(_sheet_key(request.user, part, mode, selected, *_stored_rows(stored)), body)
    return render(request, "assessments/sheet.html", {
        "cycle": part.cycle, "unit": part.unit, "body": fragments.personal(body, request),
    })


def _settings():

    return settings


def _render_leaf(request, part, leaf_code, mode, *, status=200, error=None, errors=None, posted=None):
    fw = part.cycle.framework.framework
    row = next(r for r in frameworks.leaf_rows(fw, part.unit.unit_type) if r.node.code == leaf_code)
    la = LeafAssessment.objects.filter(participation=part, leaf_code=leaf_code).prefetch_related("evidence").first()
    item = _leaf_item(part, row, la, mode, request.user, error=error, errors=errors)
    # a refused save shows what the person typed in the form they sent, not the stored values (nothing lost)
    item["typed"] = dict(posted or {})  # LeafSaveForm.values(): the leaf's fields as sent
    totals = scoring.self_total(part) if mode == "self" else scoring.unit_total(part)
    return render(request, "assessments/_leaf.html", {"i": item, "part": part, "totals": totals, "oob": True,
                                                "max_mb": int(_settings().EVIDENCE_MAX_BYTES / 1048576)},
                  status=status)


SAVE = {"self": services.save_self, "appraise": services.save_appraisal, "explain": services.save_explanation}


@login_required
@require_POST
def leaf_save(request, cycle_id, unit_code, leaf_code, mode):
    if mode not in MODES:
        raise Http404
    part = _participation(cycle_id, unit_code)
    require(policy.can_view_sheet(request.user, part))
    back = reverse(f"sheet-{mode}", args=[cycle_id, unit_code]) + f"#leaf-{leaf_code}"
    form = LeafSaveForm(request.POST)
    try:
        SAVE[mode](part, leaf_code, form.values(), request.user, form.loaded_version())
    except services.Conflict as exc:
        if not is_htmx(request):
            messages.error(request, str(exc))
            return redirect(back)
        return _render_leaf(request, part, leaf_code, mode, status=409, error=str(exc))
    except services.Invalid as exc:
        if not is_htmx(request):
            for msg in exc.errors.values():
                messages.error(request, f"{leaf_code}: {msg}")
            return redirect(back)
        return _render_leaf(request, part, leaf_code, mode, status=422, errors=exc.errors, posted=form.values())
    if not is_htmx(request):
        messages.success(request, _("Đã lưu tiêu chí %(c)s.") % {"c": leaf_code})
        return redirect(back)
    return _render_leaf(request, part, leaf_code, mode)


@login_required
@require_POST
def evidence_upload(request, cycle_id, unit_code, leaf_code, mode):
    part = _participation(cycle_id, unit_code)
    if mode == "self":
        require(policy.can_edit_self(request.user, part))
    elif mode == "explain":
        require(policy.can_explain(request.user, part))
    else:
        raise PermissionDenied
    la = services.get_leaf(part, leaf_code)  # not a leaf of this unit: 404 (cchc.web.errors)
    error = None
    form = EvidenceUploadForm(request.POST, request.FILES)
    form.is_valid()  # refuses nothing: evidence_mod.store checks every file
    files = form.cleaned_data["file"]
    if not files:
        error = _("Chọn một tệp để tải lên.")
    for f in files:
        try:
            evidence_mod.store(la, f, request.user, stage=mode)
        except evidence_mod.EvidenceError as exc:
            error = str(exc)
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(reverse(f"sheet-{mode}", args=[cycle_id, unit_code]) + f"#leaf-{leaf_code}")
    return _render_leaf(request, part, leaf_code, mode, status=422 if error else 200, error=error)


@login_required
def evidence_download(request, evidence_id):
    ev = get_object_or_404(Evidence.objects.select_related("assessment__participation"), pk=evidence_id)
    require(policy.can_download_evidence(request.user, ev))
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
    services.submit_explanation(part, request.user)  # a refusal is the 403 page (cchc.web.errors)
    messages.success(request, _("Đã nộp giải trình."))
    return redirect("sheet-explain", cycle_id, unit_code)


@login_required
def sheet_xlsx(request, cycle_id, unit_code):

    part = _participation(cycle_id, unit_code)
    require(policy.can_export_sheet(request.user, part))
    return xlsx_response(exports.sheet_workbook(part, request.user), f"phieu-cham-{unit_code}-{part.cycle.year}.xlsx")


@login_required
def cycle_new(request):

    require(policy.can_manage(request.user))
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

    cycle = get_object_or_404(Cycle, pk=cycle_id)
    require(policy.can_import_computed(request.user, cycle))
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

    cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=cycle_id)
    require(policy.can_manage(request.user))
    form = CycleEditForm(instance=cycle)
    if request.method == "POST":
        with transaction.atomic():
            # The form is checked against the row as it is now, locked until the details are written, and only
            # the details are written (CycleEditForm.details): the state belongs to the workflow, so a transition
            # made while the page was open is never undone, and what may change follows the state it made.
            cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
            form = CycleEditForm(request.POST, instance=cycle)
            saved = form.is_valid()
            if saved:
                cycle = form.save(commit=False)
                cycle._change_reason = form.change_reason()
                cycle._history_user = request.user
                cycle.save(update_fields=form.details())
                units = form.cleaned_data.get("units")
                if units is not None:
                    keep = {u.pk for u in units}
                    cycle.participations.exclude(unit_id__in=keep).delete()
                    have = set(cycle.participations.values_list("unit_id", flat=True))
                    Participation.objects.bulk_create(
                        [Participation(cycle=cycle, unit=u) for u in units if u.pk not in have])
        if saved:
            messages.success(request, _("Đã lưu."))
            return redirect("cycle", cycle_id=cycle.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Sửa kỳ đánh giá: %(c)s") % {"c": cycle.name}})


HISTORY_FIELDS = ("self_points", "justification", "no_evidence_reason", "numerator", "denominator", "survey_index",
                  "appraised_points", "appraisal_comment", "explanation")


@login_required
def leaf_history(request, cycle_id, unit_code, leaf_code):
    """Every change of one leaf: who, when, old value, new value, why."""
    part = _participation(cycle_id, unit_code)
    require(policy.can_view_sheet(request.user, part))
    la = LeafAssessment.objects.filter(participation=part, leaf_code=leaf_code).first()
    if la is None:
        raise Http404
    require(policy.can_view_leaf(request.user, part, frameworks.field_of(part.cycle.framework.framework, leaf_code)))
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
    return render(request, "assessments/leaf_history.html", {
        "part": part, "cycle": part.cycle, "unit": part.unit, "leaf_code": leaf_code,
        "node": part.cycle.framework.framework.node(leaf_code), "rows": list(reversed(rows)), "evidence": ev,
    })


@login_required
@require_POST
def unit_exclusion(request, cycle_id, unit_code):
    """The council chair leaves a unit out of the ranking with a written reason, or takes that back."""
    part = _participation(cycle_id, unit_code)
    form = ExclusionForm(request.POST)
    form.is_valid()  # refuses nothing: the service requires the reason
    try:
        if form.cleaned_data["action"] == "include":
            services.include_in_ranking(part, request.user)
            messages.success(request, _("%(u)s được xếp hạng trở lại.") % {"u": part.unit.name})
        else:
            services.exclude_from_ranking(part, form.cleaned_data["reason"], request.user)
            messages.success(request, _("%(u)s: không xếp hạng.") % {"u": part.unit.name})
    except services.Invalid as exc:
        for msg in exc.errors.values():
            messages.error(request, f"{part.unit.name}: {msg}")
    return redirect("cycle", cycle_id=cycle_id)
