"""What the steering pages, API, commands and the review report call. Decisions are made by
:mod:`cchc.steering`; this module gathers stored data as plain values, calls it and persists the outcome."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import unicodedata

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from cchc.frameworks import load_framework
from cchc.steering import figures as core_figures
from cchc.steering import proposals as core_proposals
from cchc.steering import reminders as core_reminders
from cchc.steering import rewards as core_rewards
from cchc.steering import targets as core_targets
from cchc.steering.tasks import TaskState, TransitionError, check_transition
from cchc.web.accounts.models import Role, RoleAssignment
from cchc.web.assessments import scoring
from cchc.web.assessments.evidence import EvidenceError, receive
from cchc.web.assessments.models import Cycle
from cchc.web.org.models import Unit
from cchc.web.results import services as results_services

from . import clock
from .models import (
    FieldResponsibility,
    Observation,
    ProgressReport,
    Proposal,
    ReminderSent,
    Target,
    Task,
    TaskEvent,
    TaskEvidence,
)

logger = logging.getLogger(__name__)


def today() -> dt.date:
    return clock.today()


# ---- transitions ---------------------------------------------------------------------------------------------


def transition(task: Task, new: str, user, *, reason: str = "", completion_note: str = "",
               completed_on: dt.date | None = None) -> Task:
    """Move ``task`` to ``new`` if :func:`cchc.steering.tasks.check_transition` allows it (raises
    ``TransitionError`` otherwise); writes a :class:`TaskEvent` and the task's history with the reason."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        check_transition(TaskState(task.state), TaskState(new), reason=reason, completion_note=completion_note,
                         evidence_count=task.evidence.count())
        old = task.state
        task.state = new
        if new == TaskState.DONE:
            task.completion_note = completion_note.strip()
            task.completed_on = completed_on or today()
        elif old == TaskState.DONE:
            task.completed_on = None
        if new == TaskState.CANCELLED:
            task.cancel_reason = reason.strip()
        task._change_reason = reason or completion_note or f"{old} → {new}"
        if getattr(user, "is_authenticated", False):
            task._history_user = user
        task.save()
        TaskEvent.objects.create(task=task, from_state=old, to_state=new, reason=reason or completion_note,
                                 user=user if getattr(user, "is_authenticated", False) else None)
    return task


def report_progress(task: Task, user, percent: int, text: str, date: dt.date | None = None):

    if not 0 <= int(percent) <= 100:
        raise ValueError(_("Tiến độ phải từ 0 đến 100%."))
    if not text.strip():
        raise ValueError(_("Cần nêu nội dung đã thực hiện."))
    who = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        report = ProgressReport(task=task, date=date or today(), percent=int(percent), text=text.strip(), user=who)
        if who:
            report._history_user = who
        report.save()
        if task.state == TaskState.NOT_STARTED and int(percent) > 0:
            transition(task, TaskState.IN_PROGRESS, user, reason=_("Báo cáo tiến độ %(p)d%%") % {"p": int(percent)})
    return report


# ---- evidence (same content checks and content-hash store as the assessment evidence) -------------------------


def store_evidence(task: Task, upload, user) -> TaskEvidence:

    got = receive(upload)
    who = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            ev = TaskEvidence(task=task, sha256=got.sha256, name=got.name, size=got.size,
                              content_type=got.content_type, uploaded_by=who)
            if who:
                ev._history_user = who
            ev.save()
            return ev
    except IntegrityError as exc:
        raise EvidenceError(_("Tệp “%(name)s” đã được đính kèm cho nhiệm vụ này.") % {"name": got.name}) from exc


# ---- reminders ----------------------------------------------------------------------------------------------


def due_reminders(on: dt.date | None = None, days_before: int = 7, units=None):
    """Reminders due on ``on`` (default today) for open tasks, with whether each was already sent."""
    qs = Task.objects.select_related("lead_unit", "plan").filter(state__in=[TaskState.NOT_STARTED, TaskState.IN_PROGRESS])
    if units is not None:
        qs = qs.filter(lead_unit__in=units)
    by_id = {t.pk: t for t in qs}
    items = core_reminders.reminders_due([t.facts() for t in by_id.values()], on or today(), days_before)
    sent = set(ReminderSent.objects.filter(key__in=[r.key for r in items]).values_list("key", flat=True))
    return [(r, by_id[r.task_id], r.key in sent) for r in items]


def send_reminders(on: dt.date | None = None, days_before: int = 7, dry_run: bool = False) -> dict:
    """E-mail each unit its upcoming and overdue tasks, once per reminder key (idempotent per day)."""

    on = on or today()
    pending = [(r, t) for r, t, sent in due_reminders(on, days_before) if not sent]
    by_unit: dict[int, list] = {}
    for r, t in pending:
        by_unit.setdefault(t.lead_unit_id, []).append((r, t))
    mailed = skipped = failed = 0
    for items in by_unit.values():
        unit = items[0][1].lead_unit
        recipients = [e for e in {unit.email, *focal_emails(unit)} if e]
        lines = [
            (_("QUÁ HẠN") if r.kind == "overdue" else _("Sắp đến hạn")) + f" {r.deadline:%d/%m/%Y}: {r.title}"
            for r, _t in items
        ]
        if not recipients:
            skipped += len(items)
            continue
        if not dry_run:
            try:
                mail.send_mail(_("[CCHC] Nhắc việc: %(n)d nhiệm vụ của %(u)s") % {"n": len(items), "u": unit.name},
                          _("Kính gửi %(u)s,\n\nCác nhiệm vụ cải cách hành chính sau cần được quan tâm:\n\n")
                          % {"u": unit.name} + "\n".join(lines) + "\n", None, recipients)
            except Exception as exc:  # noqa: BLE001 — one unit's mail server problem must not stop the others
                logger.warning("reminders for %s not sent: %s", unit.code, exc)
                failed += len(items)
                continue
            with transaction.atomic():
                for r, t in items:
                    ReminderSent.objects.get_or_create(key=r.key, defaults={
                        "unit": unit, "task": t, "kind": r.kind, "recipients": ", ".join(sorted(recipients))[:500]})
        mailed += len(items)
    return {"due": len(pending), "sent": mailed, "no_address": skipped, "failed": failed}


def focal_emails(unit) -> list[str]:

    return list(RoleAssignment.objects.filter(role=Role.FOCAL, unit=unit).exclude(user__email="")
                .values_list("user__email", flat=True))


# ---- results of published cycles --------------------------------------------------------------------------


def published_result(cycle):
    """(framework, CycleResult) of a published cycle, recomputed by the core from its snapshot's inputs."""

    snap = results_services.published_snapshot(cycle, with_inputs=True)
    if snap is None:
        return None, None
    record = snap.framework_record()
    return record.framework, scoring.score(record.framework, snap.inputs)


def generate_internal_proposals(cycle, user=None) -> int:
    """Store the core's proposals for a published cycle (existing ones, decided or not, are kept)."""
    fw, result = published_result(cycle)
    if result is None:
        raise ValueError(_("Kỳ đánh giá chưa công bố kết quả."))
    return _store_proposals(core_proposals.internal_proposals(fw, result, cycle.year), cycle.year, cycle, user)


def _store_proposals(items, year: int, cycle=None, user=None) -> int:
    """Insert the proposals not stored yet (key: source, unit, criterion), with their history, in one go."""

    sources = {p.source for p in items}
    have = set(Proposal.objects.filter(source__in=sources).values_list("source", "unit_code", "criterion"))
    new = [Proposal(source=p.source, unit_code=p.unit_code, criterion=p.criterion, cycle=cycle,
                    **_proposal_fields(p, year))
           for p in items if (p.source, p.unit_code, p.criterion) not in have]
    with transaction.atomic():
        bulk_create_with_history(new, Proposal, batch_size=500,
                                 default_user=user if getattr(user, "is_authenticated", False) else None,
                                 default_change_reason="Lập đề xuất từ điểm bị trừ")
    return len(new)


def _proposal_fields(p, year):
    return {"year": year, "unit_name": p.unit_name, "criterion_name": p.criterion_name, "points_lost": p.points_lost,
            "max_points": p.max_points, "title": p.title}


def national_field_indices(year: int) -> dict[str, float]:
    return {o.metric.split(":", 1)[1]: o.value for o in Observation.objects.filter(year=year, metric__startswith="field:")}


def generate_national_proposals(year: int, framework_name: str = "par-index-876-provincial", user=None) -> int:


    fw = load_framework(framework_name)
    agencies = {f.field_code: (f.unit.code, f.unit.name) for f in FieldResponsibility.objects.select_related("unit")}
    return _store_proposals(core_proposals.national_proposals(fw, national_field_indices(year), year,
                                                              agencies=agencies), year, None, user)


def accept_proposal(proposal: Proposal, user, *, title: str | None = None, deadline=None, plan=None,
                    lead_unit=None) -> Task:

    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != "pending":
            raise ValueError(_("Đề xuất này đã được xử lý."))
        unit = lead_unit or Unit.objects.filter(code=proposal.unit_code).first()
        if unit is None:
            raise ValueError(_("Không có đơn vị mã %(c)s trong danh mục đơn vị.") % {"c": proposal.unit_code})
        task = Task(title=(title or proposal.title).strip(), lead_unit=unit, deadline=deadline, plan=plan,
                    criteria=proposal.criterion, source="finding", source_ref=proposal.source,
                    description=_("Điểm bị trừ: %(l)s / %(m)s điểm (%(s)s).") % {
                        "l": f"{proposal.points_lost:g}".replace(".", ","),
                        "m": f"{proposal.max_points:g}".replace(".", ","), "s": proposal.source})
        if getattr(user, "is_authenticated", False):
            task._history_user = user
        task._change_reason = _("Tạo từ đề xuất khắc phục")
        task.save()
        proposal.status, proposal.task, proposal.decided_at = "accepted", task, timezone.now()
        proposal.decided_by = user if getattr(user, "is_authenticated", False) else None
        proposal.save()
    return task


def discard_proposal(proposal: Proposal, user) -> None:
    if proposal.status != "pending":
        raise ValueError(_("Đề xuất này đã được xử lý."))
    proposal.status, proposal.decided_at = "discarded", timezone.now()
    proposal.decided_by = user if getattr(user, "is_authenticated", False) else None
    proposal.save()


def proposals_by_criterion(proposals) -> list[dict]:
    groups: dict[str, dict] = {}
    for p in proposals:
        g = groups.setdefault(p.criterion, {"criterion": p.criterion, "name": p.criterion_name, "items": [],
                                            "points": 0.0})
        g["items"].append(p)
        g["points"] += p.points_lost
    return list(groups.values())


# ---- chain: lost last year → tasks → status → points this year -------------------------------------------


def chain(cycle, criterion: str) -> list[dict]:
    """Per unit, for one criterion: points lost in ``cycle.previous``, the tasks serving the criterion, their
    state, and the points (and lost points) in ``cycle`` — from the published snapshots."""

    def detail(c):
        snap = results_services.published_snapshot(c) if c is not None else None
        return {d.unit_code: d.data for d in snap.details.all()} if snap else {}

    before, now = detail(cycle.previous), detail(cycle)

    names = dict(Unit.objects.filter(code__in={*before, *now}).values_list("code", "name"))
    units = sorted({*before, *now}, key=lambda c: (names.get(c, c), c))
    tasks = [t for t in Task.objects.select_related("lead_unit", "plan").filter(criteria__contains=criterion)
             if criterion in t.criteria_list]
    rows = []
    for code in units:
        lost_before = (before.get(code) or {}).get("lost", {}).get(criterion)
        node_now = (now.get(code) or {}).get("nodes", {}).get(criterion) or {}
        lost_now = (now.get(code) or {}).get("lost", {}).get(criterion)
        mine = [t for t in tasks if t.lead_unit.code == code]
        if not lost_before and not mine and not lost_now:
            continue
        rows.append({"unit": code, "unit_name": names.get(code, code), "lost_before": lost_before, "tasks": mine, "points_now": node_now.get("points"),
                     "max_points": node_now.get("max_points"), "lost_now": lost_now})
    return rows


# ---- figures, targets, rewards ---------------------------------------------------------------------------------


def task_figure_rows(period: str, by: str = "unit", on: dt.date | None = None) -> list[dict]:
    """Half-year review figures as plain rows the review report embeds: per lead unit (``by="unit"``) or per
    plan (``by="plan"``): due in the period, done on time, done late, overdue, cancelled, open (not yet due),
    completion rate (%, or None)."""
    facts = [t.facts() for t in Task.objects.select_related("lead_unit", "plan")]
    key = (lambda t: t.plan or "—") if by == "plan" else (lambda t: t.lead_unit)
    return [{"key": f.key, "due": f.due, "done_on_time": f.done_on_time, "done_late": f.done_late,
             "overdue": f.overdue, "cancelled": f.cancelled, "open_not_due": f.open_not_due,
             "completion_rate": f.completion_rate}
            for f in core_figures.task_figures(facts, period, on or today(), key=key)]


def overdue_rows(on: dt.date | None = None) -> list[dict]:
    facts = [t.facts() for t in Task.objects.select_related("lead_unit", "plan")]
    return [{"id": t.id, "title": t.title, "lead_unit": t.lead_unit, "deadline": t.deadline, "plan": t.plan}
            for t in core_figures.overdue_list(facts, on or today())]


def observations(metric: str) -> list[tuple[dt.date, float]]:
    """Observed values of a metric. ``internal:<unit code>`` reads published internal indices;
    ``task_completion`` the completion rate of tasks due so far in each year; others are entered observations."""

    if metric.startswith("internal:"):
        code = metric.split(":", 1)[1]
        out = []
        for cycle in Cycle.objects.filter(state="published").order_by("year"):

            snap = results_services.published_snapshot(cycle)
            unit = next((u for u in (snap.results["units"] if snap else []) if u["code"] == code), None)
            if unit and unit.get("index") is not None:
                out.append((snap.created_at.date(), unit["index"]))
        return out
    if metric == "task_completion":
        years = sorted({t.deadline.year for t in Task.objects.exclude(deadline=None)})
        out = []
        facts = [t.facts() for t in Task.objects.select_related("lead_unit")]
        for y in years:
            as_of = min(today(), dt.date(y, 12, 31))
            # tasks due so far ("nhiệm vụ đến hạn"): a task whose deadline is still ahead is not yet a shortfall
            due = [f for f in facts if f.deadline is not None and f.deadline <= as_of]
            rows = core_figures.task_figures(due, str(y), today(), key=lambda t: "all")
            if rows and rows[0].completion_rate is not None:
                out.append((as_of, rows[0].completion_rate))
        return out
    return [(o.observed_on, o.value) for o in Observation.objects.filter(metric=metric)]


def target_rows(on: dt.date | None = None) -> list[dict]:
    """Every target with its attainment (met / not met / on track / at risk / unknown) from the data in the
    system — rows the review report embeds."""

    out = []
    names = dict(Unit.objects.values_list("code", "name"))
    for t in Target.objects.all():
        core = core_targets.Target(t.source, t.metric, t.comparator, t.value, t.deadline, t.description)
        a = core_targets.attainment(core, observations(t.metric), on or today())
        out.append({"target": t, "source": t.source, "description": t.description, "metric": t.metric,
                    "comparator": t.comparator, "value": t.value, "deadline": t.deadline, "status": a.status,
                    "label_vi": a.label_vi, "latest": a.latest, "latest_on": a.latest_on, "projected": a.projected,
                    "metric_label": core_targets.metric_label_vi(t.metric, names),
                    "decimals": 0 if core_targets.is_rank(t.metric, t.comparator) else 2})
    return out


def reward_rules_id() -> str:
    """The province's reward rules: ``CCHC_REWARD_RULES`` (a shipped id or a YAML path), else Kon Tum's example."""
    return settings.CCHC_REWARD_RULES


def reward_rows(cycle, rules: str | None = None) -> list[dict]:
    """Reward proposal for a published cycle under the rules (YAML id or path; default
    :func:`reward_rules_id`): every unit with candidate yes/no and the reason for each exclusion — rows the
    review report embeds."""
    rules = rules or reward_rules_id()
    fw, result = published_result(cycle)
    if result is None:
        raise ValueError(_("Kỳ đánh giá chưa công bố kết quả."))
    previous = None
    if cycle.previous is not None:
        _pfw, previous = published_result(cycle.previous)
    decisions = core_rewards.evaluate(core_rewards.load_rules(rules), fw, result, previous)
    labels = {b.code: b.label_vi for b in fw.bands}
    return [{"unit_code": d.unit_code, "unit_name": d.unit_name, "group": d.group, "rank": d.rank, "index": d.index,
             "band": labels.get(d.band, d.band), "previous_band": labels.get(d.previous_band, d.previous_band),
             "candidate": d.candidate, "reasons": d.reasons} for d in decisions]


def open_task_count() -> int:
    """How many tasks are open (not started or in progress), whatever their deadline."""
    return Task.objects.filter(state__in=["not_started", "in_progress"]).count()


def next_period_tasks(after: dt.date | None = None, months: int = 6) -> list[dict]:
    """Open tasks due within the next ``months`` months, overdue ones included (the "next six months"
    section of a review), chosen by :func:`cchc.steering.figures.next_period`."""
    start = after or today()
    tasks = {t.pk: t for t in Task.objects.select_related("lead_unit", "plan").filter(
        state__in=["not_started", "in_progress"]).exclude(deadline=None)}
    return [{"id": f.id, "title": f.title, "lead_unit": f.lead_unit, "deadline": f.deadline,
             "state": tasks[f.id].display_state(start), "plan": f.plan, "criteria": tasks[f.id].criteria_list}
            for f in core_figures.next_period([t.facts() for t in tasks.values()], start, months)]


def review_data(period: str, cycle=None, on: dt.date | None = None) -> dict:
    """Everything a half-year or annual review embeds from steering, as plain JSON-ready values:

    - ``figures_by_unit`` / ``figures_by_plan``: :func:`task_figure_rows` for ``period``;
    - ``overdue``: :func:`overdue_rows` (as of ``on``, default today);
    - ``targets``: :func:`target_rows` without the model object;
    - ``rewards``: :func:`reward_rows` for ``cycle`` when it is published, else ``[]``;
    - ``next_period``: :func:`next_period_tasks` from ``on``.
    Dates stay ``datetime.date``."""
    on = on or today()
    rewards = []
    if cycle is not None and getattr(cycle, "state", None) == "published":
        rewards = reward_rows(cycle)
    return {
        "period": period,
        "figures_by_unit": task_figure_rows(period, "unit", on),
        "figures_by_plan": task_figure_rows(period, "plan", on),
        "overdue": overdue_rows(on),
        "targets": [{k: v for k, v in r.items() if k != "target"} for r in target_rows(on)],
        "rewards": rewards,
        "next_period": next_period_tasks(on),
    }


__all__ = ["TransitionError", "transition", "report_progress", "store_evidence", "due_reminders", "send_reminders",
           "generate_internal_proposals", "generate_national_proposals", "accept_proposal", "discard_proposal",
           "chain", "task_figure_rows", "overdue_rows", "target_rows", "reward_rows", "next_period_tasks", "review_data"]


# ---- national observations ----------------------------------------------------------------------------------


def import_observations(text: str, province: str | None = None, note: str = "") -> int:
    """Store observations from CSV text, all or none. Two shapes:

    - ``metric,year,value[,observed_on][,note]`` — one observation per row;
    - the national results table (``year,unit,index,rank,sipas,<field>.index,<field>.rank…`` as in
      ``examples/par_index_national_2022_2023.csv``) with ``province``: that province's PAR INDEX value and
      rank, SIPAS and field indices (``field:<code>``) and ranks (``field_rank:<code>``).

    ``observed_on`` defaults to 1 April of the following year (the PAR INDEX is announced every April).
    Raises ``ValueError`` listing every problem as ``row N: …``."""

    rows = list(csv.DictReader(io.StringIO(text)))
    items, problems = [], []

    def num(v):
        return float(str(v).replace(",", ".")) if v not in (None, "") else None

    def key(s):
        return unicodedata.normalize("NFC", s or "").strip().casefold()

    for i, r in enumerate(rows, start=2):
        try:
            if "metric" in r:
                year = int(r["year"])
                when = dt.date.fromisoformat(r["observed_on"]) if r.get("observed_on") else dt.date(year + 1, 4, 1)
                items.append((r["metric"].strip(), year, num(r["value"]), when, r.get("note") or note))
            elif province and key(r.get("unit")) == key(province):
                year = int(r["year"])
                when = dt.date(year + 1, 4, 1)
                src = r.get("source") or note
                for col, metric in (("index", "par_index"), ("rank", "par_index_rank"), ("sipas", "sipas")):
                    if num(r.get(col)) is not None:
                        items.append((metric, year, num(r[col]), when, src))
                for col, v in r.items():
                    if col and "." in col and num(v) is not None:
                        code, what = col.rsplit(".", 1)
                        metric = {"index": f"field:{code}", "rank": f"field_rank:{code}"}.get(what)
                        if metric:
                            items.append((metric, year, num(v), when, src))
        except (KeyError, ValueError) as exc:
            problems.append(f"row {i}: {exc}")
    if problems:
        raise ValueError("\n".join(problems))
    with transaction.atomic():
        for metric, year, value, when, text_note in items:
            if value is None:
                continue
            Observation.objects.update_or_create(metric=metric, year=year, defaults={
                "value": value, "observed_on": when, "note": (text_note or "")[:255]})
    return sum(1 for it in items if it[2] is not None)
