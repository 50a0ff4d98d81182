"""Per-leaf operations shared by pages and API: self-assessment, appraisal, explanation, submission.

Each operation checks permission through :mod:`cchc.web.accounts.policy`, checks the optimistic lock
(``version`` as read by the person) and records the change in history with a reason. Points are checked
against the framework (range, level table); nothing here computes a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.numbers import parse_number
from cchc.core.scoring import points_problem
from cchc.frameworks import load_framework
from cchc.web import errors as refusals
from cchc.web.accounts import policy
from cchc.web.assessments import frameworks
from cchc.web.assessments.models import FrameworkRecord, LeafAssessment, Participation


class Conflict(refusals.Conflict):
    """Stale save: someone saved this leaf after the person loaded it. Nothing was written."""

    def __init__(self, current: LeafAssessment):
        self.current = current
        who = current.history.first()
        user = getattr(who, "history_user", None) if who else None
        super().__init__(
            _(
                "Không lưu: tiêu chí %(code)s đã được %(who)s lưu lúc %(at)s, sau khi anh/chị mở trang. "
                "Giá trị hiện tại đang hiển thị; hãy xem lại rồi lưu lại."
            )
            % {
                "code": current.leaf_code,
                "who": (user.get_full_name() or user.username) if user else _("người khác"),
                "at": timezone.localtime(current.updated_at).strftime("%H:%M:%S %d/%m/%Y"),
            }
        )


Invalid = refusals.Invalid  # input refused: ``errors`` maps field names to messages


def leaf_node(participation: Participation, leaf_code: str):
    fw = participation.cycle.framework.framework
    applicable = {n.code: n for n in fw.leaves(participation.unit.unit_type)}
    node = applicable.get(leaf_code)
    if node is None:
        raise refusals.NotFound(leaf_code)
    return node


def get_leaf(participation: Participation, leaf_code: str, lock: bool = False) -> LeafAssessment:
    leaf_node(participation, leaf_code)
    qs = LeafAssessment.objects.select_for_update() if lock else LeafAssessment.objects
    obj, _created = qs.get_or_create(participation=participation, leaf_code=leaf_code)
    return obj


def _decimal(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _points(node, raw, name: str, errors: dict) -> float | None:
    """Typed points for ``node``, checked by the core's rule (:func:`cchc.core.scoring.points_problem`: one
    tolerance, range before level table); a refusal goes into ``errors[name]`` worded in Vietnamese."""
    try:
        value = parse_number(raw)
    except ValueError:
        errors[name] = _("“%(v)s” không phải là số.") % {"v": raw}
        return None
    if value is None:
        return None
    problem = points_problem(node, value)
    if problem is None:
        return value
    if problem.kind == "not_a_level":
        errors[name] = _("Điểm phải là một mức trong bảng mức: %(l)s.") % {
            "l": ", ".join(_decimal(p) for p in problem.allowed)
        }
    elif problem.kind == "outside":
        errors[name] = _("Điểm phải trong khoảng %(a)s – %(b)s.") % {
            "a": _decimal(problem.low), "b": _decimal(problem.high)
        }
    else:  # not_a_number: parse_number refuses NaN already; kept so that no kind goes unworded
        errors[name] = _("“%(v)s” không phải là số.") % {"v": raw}
    return value


def _check_version(obj: LeafAssessment, version) -> None:
    try:
        v = int(version)
    except (TypeError, ValueError):
        v = None
    if v is None or v != obj.version:
        raise Conflict(obj)


@dataclass
class SaveResult:
    leaf: LeafAssessment
    changed: list[str] = field(default_factory=list)


def _apply(obj: LeafAssessment, values: dict, reason: str, user=None) -> list[str]:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k, v in values.items():
        setattr(obj, k, v)
    if changed:
        obj.version += 1
        obj._change_reason = reason
        if user is not None and getattr(user, "is_authenticated", False):
            obj._history_user = user  # recorded even outside a web request (API, shell, tests)
        obj.save()
    return changed


def set_survey_index(participation: Participation, leaf_code: str, index: float | None, reason: str, user):
    """Write the survey index of one leaf from an applied survey import and record it in history with
    ``reason``; returns the index it replaces (``None`` when there was none). The leaf must apply to the
    participation's unit (``LookupError`` otherwise). The caller has checked the permission
    (``policy.can_apply_survey``); no optimistic lock: the survey's number replaces whatever was stored."""
    with transaction.atomic():
        obj = get_leaf(participation, leaf_code, lock=True)
        old = obj.survey_index
        _apply(obj, {"survey_index": index}, reason, user)
    return old


def save_self(participation: Participation, leaf_code: str, data: dict, user, version) -> SaveResult:
    """Save a focal point's self-assessment of one leaf (points or ratio inputs, justification, and the
    written explanation when evidence is missing)."""
    if not policy.can_edit_self(user, participation):
        raise refusals.NotAllowed("not allowed")
    node = leaf_node(participation, leaf_code)
    errors: dict[str, str] = {}
    values: dict = {}
    kind = frameworks.entry_kind(node)
    if kind == "points":
        values["self_points"] = _points(node, data.get("self_points"), "self_points", errors)
    elif kind == "ratio":
        for name in ("numerator", "denominator"):
            try:
                values[name] = parse_number(data.get(name))
            except ValueError:
                errors[name] = _("“%(v)s” không phải là số.") % {"v": data.get(name)}
            else:
                if values[name] is not None and values[name] < 0:
                    errors[name] = _("Không được âm.")
        if (not errors and values.get("numerator") is not None and values.get("denominator") is not None
                and values["numerator"] > values["denominator"]):
                errors["numerator"] = _("Tử số không được lớn hơn mẫu số.")
    for name in ("justification", "no_evidence_reason"):
        if name in data:
            values[name] = str(data.get(name) or "").strip()
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        obj = get_leaf(participation, leaf_code, lock=True)
        _check_version(obj, version)
        return SaveResult(obj, _apply(obj, values, _("Tự đánh giá"), user))


def save_appraisal(participation: Participation, leaf_code: str, data: dict, user, version) -> SaveResult:
    """Save an appraised score with its reason. ``accept`` copies the self-score."""
    node = leaf_node(participation, leaf_code)
    fw = participation.cycle.framework.framework
    if not policy.can_appraise(user, participation, frameworks.field_of(fw, leaf_code)):
        raise refusals.NotAllowed(policy.why_not_appraise(user, participation) or "not allowed")
    errors: dict[str, str] = {}
    comment = str(data.get("appraisal_comment") or "").strip()
    with transaction.atomic():
        obj = get_leaf(participation, leaf_code, lock=True)
        _check_version(obj, version)
        if data.get("accept"):
            if frameworks.entry_kind(node) != "points":
                raise Invalid({"appraised_points": _("Tiêu chí tính tự động: nhập điểm thẩm định.")})
            points = obj.self_points
            if points is None:
                raise Invalid({"appraised_points": _("Đơn vị chưa tự chấm tiêu chí này.")})
        else:
            points = _points(node, data.get("appraised_points"), "appraised_points", errors)
            if points is None and "appraised_points" not in errors:
                errors["appraised_points"] = _("Nhập điểm thẩm định.")
            if points is not None and points != obj.self_points and not comment:
                errors["appraisal_comment"] = _("Điểm thẩm định khác điểm tự đánh giá: cần nêu lý do.")
        if errors:
            raise Invalid(errors)
        values = {"appraised_points": points, "appraisal_comment": comment, "appraised_by": user}
        return SaveResult(obj, _apply(obj, values, comment or _("Chấp nhận điểm tự đánh giá"), user))


def save_explanation(participation: Participation, leaf_code: str, data: dict, user, version) -> SaveResult:
    if not policy.can_explain(user, participation):
        raise refusals.NotAllowed("not allowed")
    leaf_node(participation, leaf_code)
    with transaction.atomic():
        obj = get_leaf(participation, leaf_code, lock=True)
        _check_version(obj, version)
        if not obj.adjusted:
            raise Invalid({"explanation": _("Tiêu chí này không bị điều chỉnh, không cần giải trình.")})
        values = {"explanation": str(data.get("explanation") or "").strip()}
        return SaveResult(obj, _apply(obj, values, _("Giải trình"), user))


def missing_for_submission(participation: Participation, stored: dict | None = None) -> list[tuple[str, str]]:
    """Completeness check: (leaf code, problem) for every leaf that blocks submission.

    ``stored`` (leaf code → LeafAssessment with evidence prefetched) saves the query when the caller has it."""
    fw = participation.cycle.framework.framework
    if stored is None:
        stored = {la.leaf_code: la for la in participation.leaves.prefetch_related("evidence")}
    problems = []
    for node in fw.leaves(participation.unit.unit_type):
        la = stored.get(node.code)
        kind = frameworks.entry_kind(node)
        if kind == "points" and (la is None or la.self_points is None):
            problems.append((node.code, _("chưa chấm điểm")))
            continue
        if kind == "ratio" and (la is None or la.numerator is None or la.denominator is None):
            problems.append((node.code, _("chưa nhập tử số và mẫu số")))
            continue
        if node.evidence == "required" and kind != "survey":
            has_files = la is not None and any(True for _e in la.evidence.all())
            if not has_files and not (la and la.no_evidence_reason.strip()):
                problems.append((node.code, _("thiếu tài liệu kiểm chứng hoặc giải thích")))
    return problems


def submit(participation: Participation, user) -> None:
    if not policy.can_submit(user, participation):
        raise refusals.NotAllowed("not allowed")
    problems = missing_for_submission(participation)
    if problems:
        raise Invalid({code: msg for code, msg in problems})
    participation.submitted_at = timezone.now()
    participation.submitted_by = user
    participation._change_reason = _("Nộp kết quả tự đánh giá")
    participation._history_user = user
    participation.save()


def submit_explanation(participation: Participation, user) -> None:
    if not policy.can_explain(user, participation):
        raise refusals.NotAllowed("not allowed")
    participation.explained_at = timezone.now()
    participation._change_reason = _("Nộp giải trình")
    participation._history_user = user
    participation.save()


def progress(cycle) -> list[dict]:
    """Per unit: leaves scored, appraised, adjusted and explained; submission and overdue flags."""

    fw = cycle.framework.framework
    n_leaves = {}
    rows = []
    today = timezone.localdate()
    parts = (
        Participation.objects.filter(cycle=cycle)
        .select_related("unit")
        .annotate(
            scored=Count("leaves", filter=Q(leaves__self_points__isnull=False) | Q(leaves__numerator__isnull=False)),
            appraised=Count("leaves", filter=Q(leaves__appraised_points__isnull=False)),
            explained=Count("leaves", filter=~Q(leaves__explanation="")),
        )
    )
    for p in parts:
        ut = p.unit.unit_type
        if ut not in n_leaves:
            n_leaves[ut] = len(fw.leaves(ut))
        overdue = bool(
            cycle.state == "open" and cycle.self_deadline and today > cycle.self_deadline and not p.submitted_at
        ) or bool(
            cycle.state == "appraisal" and cycle.appraisal_deadline and today > cycle.appraisal_deadline
            and p.appraised < n_leaves[ut]
        ) or bool(
            cycle.state == "explanation" and cycle.explanation_deadline and today > cycle.explanation_deadline
            and not p.explained_at
        )
        rows.append({
            "participation": p, "unit": p.unit, "leaves": n_leaves[ut], "scored": p.scored,
            "appraised": p.appraised, "explained": p.explained, "submitted": p.submitted_at is not None,
            "overdue": overdue,
        })
    return rows


STAGES = {
    "self": gettext_lazy("chưa nộp kết quả tự đánh giá"),
    "appraisal": gettext_lazy("chưa thẩm định đủ tiêu chí"),
    "explanation": gettext_lazy("giải trình đã viết nhưng chưa nộp"),
}


def incomplete(cycle, rows: list[dict] | None = None) -> list[dict]:
    """The participating units that keep the cycle from being approved or published, with the stages they miss:
    not submitted, a criterion scored by people (not a computed ratio or survey) without appraised points, an
    explanation written but not submitted. A unit the council
    left out of the ranking (``excluded_reason``) is not listed. ``rows``: :func:`progress` of the cycle, if the
    caller has it."""
    fw = cycle.framework.framework
    to_appraise: dict[str | None, set[str]] = {}  # per unit type: the criteria scored by people (not computed)
    appraised: dict[int, int] = {}
    rows = progress(cycle) if rows is None else rows
    for r in rows:
        ut = r["unit"].unit_type
        if ut not in to_appraise:
            to_appraise[ut] = {n.code for n in fw.leaves(ut) if frameworks.entry_kind(n) == "points"}
    done = LeafAssessment.objects.filter(participation__cycle=cycle, appraised_points__isnull=False).values_list(
        "participation_id", "leaf_code")
    units = {r["participation"].pk: r["unit"].unit_type for r in rows}
    for pid, code in done:
        if code in to_appraise.get(units.get(pid), ()):
            appraised[pid] = appraised.get(pid, 0) + 1
    out = []
    for r in rows:
        part = r["participation"]
        if part.excluded_reason:
            continue
        stages = [stage for stage, missing in (
            ("self", not r["submitted"]),
            ("appraisal", appraised.get(part.pk, 0) < len(to_appraise[r["unit"].unit_type])),
            ("explanation", r["explained"] > 0 and part.explained_at is None),
        ) if missing]
        if stages:
            out.append({"participation": part, "unit": r["unit"], "stages": stages,
                        "labels": [str(STAGES[s]) for s in stages]})
    return out


def exclude_from_ranking(participation: Participation, reason: str, user) -> None:
    """Leave a unit out of the ranking with the council's written reason (kept in the history)."""
    if not policy.can_exclude_from_ranking(user, participation.cycle):
        raise refusals.NotAllowed("not allowed")
    reason = (reason or "").strip()
    if not reason:
        raise refusals.Invalid({"reason": _("Cần ghi lý do không xếp hạng đơn vị.")})
    participation.excluded_reason = reason
    participation.excluded_by = user
    participation.excluded_at = timezone.now()
    participation._change_reason = _("Không xếp hạng: %(r)s") % {"r": reason}
    participation._history_user = user
    participation.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])


def include_in_ranking(participation: Participation, user) -> None:
    """Take back an exclusion (before publication): the unit is ranked again once complete."""
    if not policy.can_exclude_from_ranking(user, participation.cycle):
        raise refusals.NotAllowed("not allowed")
    participation.excluded_reason = ""
    participation.excluded_by = None
    participation.excluded_at = None
    participation._change_reason = _("Xếp hạng lại")
    participation._history_user = user
    participation.save(update_fields=["excluded_reason", "excluded_by", "excluded_at"])


def store_framework(fw, source: str = ""):
    """Store a validated framework (``cchc.core.framework.Framework``) as a :class:`FrameworkRecord`."""

    data = fw.model_dump(mode="json", exclude_none=True)
    record, created = FrameworkRecord.objects.get_or_create(
        framework_id=fw.id, version=str(fw.version), defaults={"name": fw.name_vi, "data": data, "source": source}
    )
    return record


def load_shipped(name: str):

    return store_framework(load_framework(name), source=name)
