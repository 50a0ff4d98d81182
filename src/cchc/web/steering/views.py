"""Steering pages. Permission questions go to :mod:`cchc.web.accounts.policy`; decisions to
:mod:`cchc.steering` through :mod:`cchc.web.steering.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.periods import Period
from cchc.steering.rewards import RulesError, load_rules, shipped_ids
from cchc.steering.targets import LABELS_VI as ATTAINMENT_VI
from cchc.steering.targets import metric_label_vi, requirement_vi, value_text
from cchc.steering.tasks import LABELS_VI, TRANSITIONS, TaskState, TransitionError
from cchc.web.accounts import policy
from cchc.web.assessments.evidence import EvidenceError, path_for
from cchc.web.assessments.models import Cycle
from cchc.web.http import is_htmx, require, xlsx_response
from cchc.web.org.models import Unit

from . import forms, services, xlsx
from .models import (
    Conclusion,
    FieldResponsibility,
    Meeting,
    Member,
    Observation,
    Plan,
    Proposal,
    Task,
    TaskEvidence,
    with_latest_percent,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _labels() -> dict[str, str]:
    """The core's state labels in the page's language."""
    return {k: _(v) for k, v in LABELS_VI.items()}


def _attainment_label(status: str) -> str:
    """The verdict of a target: the core's wording (the one the review report prints), in the page's language."""
    return _(ATTAINMENT_VI[status])


def _unit_names() -> dict[str, str]:
    return dict(Unit.objects.values_list("code", "name"))


def _target_row(r: dict, names: dict[str, str]) -> dict:
    return r | {"label": _attainment_label(r["status"]), "metric_label": metric_label_vi(r["metric"], names, _),
                "requirement": requirement_vi(r["metric"], r["comparator"], r["value"], _),
                "latest_text": value_text(r["latest"], r["metric"], r["comparator"]),
                "projected_text": value_text(r["projected"], r["metric"], r["comparator"])}


# ---- tasks ---------------------------------------------------------------------------------------------------


def _filtered(request, qs):
    f = request.GET
    if f.get("unit"):
        qs = qs.filter(Q(lead_unit__code=f["unit"]) | Q(coordinating_units__code=f["unit"])).distinct()
    if f.get("plan"):
        qs = qs.filter(plan_id=f["plan"]) if f["plan"].isdigit() else qs
    if f.get("criterion"):
        crit = f["criterion"].strip()
        qs = [t for t in qs.filter(criteria__contains=crit) if crit in t.criteria_list]
    state = f.get("state")
    if state:
        today = services.today()
        qs = [t for t in qs if t.display_state(today) == state]
    return qs


@login_required
def tasks(request):
    require(policy.can_view_steering(request.user))
    qs = policy.visible_tasks(request.user, with_latest_percent(Task.objects.select_related("lead_unit", "plan")))
    rows = _filtered(request, qs)
    if request.GET.get("format") == "xlsx":
        if not isinstance(rows, list):
            rows = rows.prefetch_related("coordinating_units")
        return xlsx_response(xlsx.export_tasks(rows, _("Danh sách nhiệm vụ CCHC")), "nhiem-vu-cchc.xlsx")

    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "steering/tasks.html", {
        "tasks": page.object_list, "page": page, "query": query.urlencode(), "today": services.today(), "labels": _labels(), "f": request.GET,
        "units": policy.visible_units(request.user, Unit.objects.all()), "plans": Plan.objects.all(),
        "can_manage": policy.can_manage_steering(request.user), "title": _("Nhiệm vụ CCHC"),
    })


@login_required
def my_tasks(request):
    g = policy.grants(request.user)
    require(bool(g.focal_units) or policy.can_view_steering(request.user))
    qs = with_latest_percent(Task.objects.select_related("lead_unit", "plan").filter(lead_unit_id__in=g.focal_units))
    reminders = services.due_reminders(units=list(g.focal_units)) if g.focal_units else []
    return render(request, "steering/tasks.html", {
        "tasks": list(qs), "today": services.today(), "labels": _labels(), "mine": True, "reminders": reminders,
        "title": _("Nhiệm vụ của đơn vị tôi"),
    })


@login_required
def task_new(request, conclusion_id=None):
    require(policy.can_manage_steering(request.user))
    initial = {}
    if request.GET.get("plan"):
        initial["plan"] = request.GET["plan"]
    form = forms.TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        task = form.save(commit=False)
        task._history_user = request.user
        task._change_reason = form.cleaned_data.get("change_reason") or _("Giao nhiệm vụ")
        task.save()
        form.save_m2m()
        messages.success(request, _("Đã giao nhiệm vụ."))
        return redirect("steering:task", task_id=task.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Giao nhiệm vụ")})


@login_required
def task_edit(request, task_id):
    task = get_object_or_404(Task, pk=task_id)
    require(policy.can_manage_steering(request.user))
    form = forms.TaskForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        task = form.save(commit=False)
        task._history_user = request.user
        task._change_reason = form.cleaned_data.get("change_reason") or _("Sửa nhiệm vụ")
        task.save()
        form.save_m2m()
        messages.success(request, _("Đã lưu."))
        return redirect("steering:task", task_id=task.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Sửa nhiệm vụ")})


def _panel_context(request, task, error=None, *, typed=None, progress_form=None):
    """``typed``: what a refused transition sent, ``progress_form``: a refused progress report, bound — shown
    back so that nothing typed is lost."""
    today = services.today()
    options = [t for (s, t) in TRANSITIONS if s == task.state and policy.can_transition_task(request.user, task, t)]
    return {"task": task, "today": today, "state": task.display_state(today), "labels": _labels(),
            "options": [(t, _labels()[t], TRANSITIONS[(TaskState(task.state), TaskState(t))]) for t in options],
            "can_update": policy.can_update_task(request.user, task), "error": error,
            "progress_form": progress_form or forms.ProgressForm(initial={"date": today}), "typed": typed or {},
            "progress": task.progress.select_related("user"), "evidence": task.evidence.all()}


@login_required
def task_detail(request, task_id):
    task = get_object_or_404(Task.objects.select_related("lead_unit", "plan", "conclusion__meeting"), pk=task_id)
    require(policy.can_view_task(request.user, task))
    history = task.history.select_related("history_user").order_by("-history_date")[:50]
    changes = []
    for h in history:
        prev = h.prev_record
        diff = h.diff_against(prev).changes if prev else []
        changes.append({"at": h.history_date, "user": h.history_user, "type": h.history_type,
                        "reason": h.history_change_reason, "changes": diff})
    ctx = _panel_context(request, task) | {
        "changes": changes, "events": task.events.select_related("user"),
        "can_manage": policy.can_manage_steering(request.user),
        "can_see_chain": policy.can_view_steering_results(request.user),
        "proposals": task.proposals.all(),
    }
    return render(request, "steering/task.html", ctx)


def _panel(request, task, error=None, status=200, **kept):  # noqa: ANN003 - typed / progress_form
    task.refresh_from_db()
    if is_htmx(request):
        return render(request, "steering/_panel.html", _panel_context(request, task, error, **kept), status=status)
    if error:
        messages.error(request, error)
    return redirect("steering:task", task_id=task.pk)


@login_required
@require_POST
def task_transition(request, task_id):
    task = get_object_or_404(Task, pk=task_id)
    form = forms.TransitionForm(request.POST)
    form.is_valid()
    if "target" in form.errors:
        return _panel(request, task, _("Trạng thái không hợp lệ."), 422)
    target = form.cleaned_data["target"]
    require(policy.can_transition_task(request.user, task, target))
    try:
        if form.errors:  # a date that is not one: refused like the core's refusals, with what was typed kept
            raise ValueError(next(e for errs in form.errors.values() for e in errs))
        data = form.cleaned_data
        services.transition(task, target, request.user, reason=data["reason"],
                            completion_note=data["completion_note"], completed_on=data["completed_on"])
    except (TransitionError, ValueError) as exc:
        return _panel(request, task, _translate_transition(str(exc)), 422, typed=form.typed())
    if not is_htmx(request):
        messages.success(request, _("Đã chuyển trạng thái: %(s)s.") % {"s": _labels()[target]})
    return _panel(request, task)


def _translate_transition(msg: str) -> str:
    table = {"completion note": _("Cần ghi kết quả thực hiện khi đánh dấu hoàn thành."),
             "evidence": _("Cần đính kèm ít nhất một tài liệu kiểm chứng trước khi đánh dấu hoàn thành."),
             "needs a reason": _("Cần nêu lý do."), "cannot go": _("Không thể chuyển sang trạng thái này."),
             "already": _("Nhiệm vụ đã ở trạng thái này.")}
    return next((v for k, v in table.items() if k in msg), msg)


@login_required
@require_POST
def task_progress(request, task_id):
    task = get_object_or_404(Task, pk=task_id)
    require(policy.can_update_task(request.user, task))
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        return _panel(request, task, "; ".join(e for errs in form.errors.values() for e in errs), 422,
                      progress_form=form)
    try:
        services.report_progress(task, request.user, form.cleaned_data["percent"], form.cleaned_data["text"],
                                 form.cleaned_data.get("date"))
    except ValueError as exc:
        return _panel(request, task, str(exc), 422, progress_form=form)
    if not is_htmx(request):
        messages.success(request, _("Đã ghi báo cáo tiến độ."))
    return _panel(request, task)


@login_required
@require_POST
def task_evidence(request, task_id):

    task = get_object_or_404(Task, pk=task_id)
    require(policy.can_update_task(request.user, task))
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _panel(request, task, "; ".join(e for errs in form.errors.values() for e in errs), 422)
    try:
        services.store_evidence(task, form.cleaned_data["file"], request.user)
    except EvidenceError as exc:
        return _panel(request, task, str(exc), 422)
    return _panel(request, task)


@login_required
def evidence_download(request, evidence_id):

    ev = get_object_or_404(TaskEvidence.objects.select_related("task"), pk=evidence_id)
    require(policy.can_view_task(request.user, ev.task))
    try:
        handle = open(path_for(ev.sha256), "rb")  # noqa: SIM115 — closed by FileResponse
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=ev.name, content_type=ev.content_type)


# ---- plans ---------------------------------------------------------------------------------------------------


@login_required
def plans(request):
    require(policy.can_view_steering(request.user))
    return render(request, "steering/plans.html", {"plans": Plan.objects.all(),
                                                   "can_manage": policy.can_manage_steering(request.user)})


@login_required
def plan_new(request):
    require(policy.can_manage_steering(request.user))
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        return redirect("steering:plan", plan_id=plan.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Kế hoạch mới")})


@login_required
def plan_detail(request, plan_id):
    plan = get_object_or_404(Plan, pk=plan_id)
    require(policy.can_view_steering(request.user))
    rows = policy.visible_tasks(request.user, with_latest_percent(plan.tasks.select_related("lead_unit", "plan"))
                                .prefetch_related("coordinating_units"))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(xlsx.export_tasks(rows, f"{plan.title} — {plan.decision}"), f"ke-hoach-{plan.pk}.xlsx")
    errors = []
    can_manage = policy.can_manage_steering(request.user)
    if request.method == "POST":
        require(can_manage)
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                made = xlsx.import_tasks(plan, form.cleaned_data["file"].read(), request.user)
            except xlsx.ImportError_ as exc:
                errors = exc.problems
            else:
                messages.success(request, _("Đã nhập %(n)d nhiệm vụ.") % {"n": len(made)})
                return redirect("steering:plan", plan_id=plan.pk)
    figures = services.task_figure_rows(str(plan.year), by="plan")
    return render(request, "steering/plan.html", {
        "plan": plan, "tasks": rows, "today": services.today(), "labels": _labels(), "can_manage": can_manage,
        "import_form": forms.ImportForm(), "errors": errors,
        "figures": [r for r in figures if r["key"] == plan.title],
    }, status=422 if errors else 200)


# ---- reminders -----------------------------------------------------------------------------------------------


@login_required
def reminders(request):
    require(policy.can_view_steering(request.user))
    g = policy.grants(request.user)
    units = None if g.reads_all else list(g.focal_units)
    return render(request, "steering/reminders.html", {"items": services.due_reminders(units=units)})


# ---- proposals and chain ---------------------------------------------------------------------------------------


@login_required
def proposals(request):
    require(policy.can_view_steering_results(request.user))
    can_manage = policy.can_manage_steering(request.user)
    published = Cycle.objects.filter(state="published")
    if request.method == "POST":
        require(can_manage)
        form = forms.GenerateProposalsForm(request.POST)
        try:
            if not form.is_valid():
                raise ValueError("; ".join(e for errs in form.errors.values() for e in errs))
            if form.cleaned_data["cycle"]:
                n = services.generate_internal_proposals(get_object_or_404(published, pk=form.cleaned_data["cycle"]),
                                                        request.user)
            else:
                n = services.generate_national_proposals(form.cleaned_data["year"], user=request.user)
        except (ValueError, KeyError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã lập %(n)d đề xuất mới.") % {"n": n})
        return redirect(request.get_full_path())
    qs = Proposal.objects.select_related("task")
    source = request.GET.get("source", "")
    if source:
        qs = qs.filter(source=source)
    status = request.GET.get("status", "pending")
    if status:
        qs = qs.filter(status=status)
    unit = request.GET.get("unit", "").strip()
    if unit:
        qs = qs.filter(unit_code=unit)
    criterion = request.GET.get("criterion", "").strip()
    if criterion:
        qs = qs.filter(criterion=criterion)

    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "steering/proposals.html", {
        "groups": services.proposals_by_criterion(page.object_list), "page": page, "query": query.urlencode(),
        "unit": unit, "criterion": criterion, "cycles": published, "can_manage": can_manage,
        "sources": Proposal.objects.values_list("source", flat=True).distinct().order_by("source"),
        "source": source, "status": status, "plans": Plan.objects.all(),
        "units": Unit.objects.only("code", "name") if can_manage else [],
    })


@login_required
@require_POST
def proposal_decide(request, proposal_id):
    proposal = get_object_or_404(Proposal, pk=proposal_id)
    require(policy.can_manage_steering(request.user))
    error = None
    decision = forms.ProposalDecisionForm(request.POST)
    action = decision.cleaned_data["action"] if decision.is_valid() else ""
    try:
        if action == "accept":
            form = forms.AcceptProposalForm(request.POST)
            if not form.is_valid():
                raise ValueError(form.first_error())
            data = form.cleaned_data
            services.accept_proposal(proposal, request.user, title=data["title"], deadline=data["deadline"],
                                     plan=data["plan"], lead_unit=data["lead_unit"])
        elif action == "discard":
            services.discard_proposal(proposal, request.user)
    except ValueError as exc:
        error = str(exc)
    proposal.refresh_from_db()
    if is_htmx(request):
        return render(request, "steering/_proposal.html", {"p": proposal, "error": error, "can_manage": True,
                                                           "plans": Plan.objects.all()},
                      status=422 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("steering:proposals")


@login_required
def chain(request):
    require(policy.can_view_steering_results(request.user))
    cycles = Cycle.objects.filter(state="published").select_related("previous")
    cycle = cycles.filter(pk=request.GET.get("cycle") or 0).first() or cycles.first()
    criterion = request.GET.get("criterion", "").strip()
    criteria = []
    if cycle is not None:
        criteria = [(n.code, n.name_vi) for n, anc in cycle.framework.framework.walk() if len(anc) == 1]
    rows = services.chain(cycle, criterion) if cycle and criterion else []
    return render(request, "steering/chain.html", {"cycles": cycles, "cycle": cycle, "criterion": criterion,
                                                   "criteria": criteria, "rows": rows, "labels": _labels(),
                                                   "today": services.today()})


# ---- national indices, targets -----------------------------------------------------------------------------


@login_required
def targets(request):
    require(policy.can_view_steering_results(request.user))
    can_manage = policy.can_manage_steering(request.user)
    tform = forms.TargetForm(prefix="t")
    oform = forms.ObservationForm(prefix="o")
    if request.method == "POST":
        require(can_manage)
        form = forms.posted_target_form(request.POST)
        if isinstance(form, forms.TargetForm):
            tform, saved = form, _("Đã thêm chỉ tiêu.")
        else:
            oform, saved = form, _("Đã ghi số liệu.")
        if form.is_valid():
            form.save()
            messages.success(request, saved)
            return redirect("steering:targets")
    names = _unit_names()
    return render(request, "steering/targets.html", {
        "rows": [_target_row(r, names) for r in services.target_rows()],
        "observations": [{"label": metric_label_vi(o.metric, names, _), "year": o.year, "observed_on": o.observed_on,
                          "note": o.note, "value": value_text(o.value, o.metric)} for o in Observation.objects.all()],
        "tform": tform,
        "oform": oform, "can_manage": can_manage})


# ---- committee ---------------------------------------------------------------------------------------------


@login_required
def committee(request):
    require(policy.can_view_steering_results(request.user))
    can_manage = policy.can_manage_steering(request.user)
    mform, rform, gform = forms.MemberForm(prefix="m"), forms.ResponsibilityForm(prefix="r"), forms.MeetingForm(prefix="g")
    if request.method == "POST":
        require(can_manage)
        which, form = forms.posted_committee_form(request.POST)
        if which == "member":
            mform = form
        elif which == "responsibility":
            rform = form
        else:
            gform = form
        if form.is_valid():
            obj = form.save()
            if which == "meeting":
                for line in (form.cleaned_data.get("conclusions") or "").splitlines():
                    if line.strip():
                        Conclusion.objects.create(meeting=obj, text=line.strip())
            messages.success(request, _("Đã lưu."))
            return redirect("steering:committee")
    return render(request, "steering/committee.html", {
        "members": Member.objects.select_related("unit"), "responsibilities": FieldResponsibility.objects.select_related("unit"),
        "meetings": Meeting.objects.prefetch_related("conclusions__tasks"), "can_manage": can_manage,
        "mform": mform, "rform": rform, "gform": gform})


@login_required
def conclusion_task(request, conclusion_id):
    conclusion = get_object_or_404(Conclusion.objects.select_related("meeting"), pk=conclusion_id)
    require(policy.can_manage_steering(request.user))
    form = forms.ConclusionTaskForm(request.POST or None, initial={"title": conclusion.text[:500]})
    if request.method == "POST" and form.is_valid():
        task = form.save(commit=False)
        task.source, task.conclusion = "meeting", conclusion
        task.source_ref = f"{conclusion.meeting.title} ({conclusion.meeting.date:%d/%m/%Y}) {conclusion.meeting.notice}".strip()
        task._history_user = request.user
        task.save()
        messages.success(request, _("Đã giao nhiệm vụ từ kết luận."))
        return redirect("steering:task", task_id=task.pk)
    return render(request, "cchc/form.html", {"form": form, "title": _("Giao nhiệm vụ từ kết luận: %(t)s")
                                              % {"t": conclusion.text[:80]}})


# ---- rewards and figures ---------------------------------------------------------------------------------


@login_required
def rewards(request):
    require(policy.can_view_steering_results(request.user))
    cycles = Cycle.objects.filter(state="published")
    cycle = cycles.filter(pk=request.GET.get("cycle") or 0).first() or cycles.first()
    # Only shipped rule ids from the query string; a province's own file comes from CCHC_REWARD_RULES.
    asked = request.GET.get("rules", "")
    rules_id = asked if asked in shipped_ids() else services.reward_rules_id()

    rows, error, rules = [], None, None
    try:
        rules = load_rules(rules_id)
        if cycle is not None and rules is not None:
            rows = services.reward_rows(cycle, rules_id)
    except (RulesError, ValueError) as exc:
        error = str(exc)
    if request.GET.get("format") == "xlsx" and cycle is not None and not error:
        return xlsx_response(xlsx.export_rewards(cycle, rows, rules), f"de-xuat-khen-thuong-{cycle.year}.xlsx")
    return render(request, "steering/rewards.html", {"cycles": cycles, "cycle": cycle, "rows": rows, "rules": rules,
                                                     "error": error})


@login_required
def figures(request):
    require(policy.can_view_steering_results(request.user))
    today = services.today()
    asked = request.GET.get("period") or f"{today.year}-{'H1' if today.month <= 6 else 'H2'}"
    try:
        period = Period.parse(asked).label
    except ValueError:
        period = str(today.year)
    return render(request, "steering/figures.html", {
        "period": period, "by_unit": services.task_figure_rows(period, "unit"),
        "by_plan": services.task_figure_rows(period, "plan"), "overdue": services.overdue_rows(),
        "next": services.next_period_tasks()})
