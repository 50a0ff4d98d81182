"""The cycle state machine.

``draft → open → self_closed → appraisal → explanation → final_appraisal → approved → published``, plus
``reopen`` edges (administrator only, reason required) that step a cycle back one stage. Published is final:
published results are an immutable snapshot, so a published cycle cannot be reopened.

Every transition is recorded twice: as a :class:`Transition` row (who, when, from, to, why) and in the
cycle's simple-history with the reason as ``history_change_reason``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cchc.web import errors as refusals
from cchc.web.accounts import policy
from cchc.web.assessments import services
from cchc.web.assessments.models import Cycle, State, Transition
from cchc.web.assessments.states import TRANSITIONS, Rule
from cchc.web.results.services import preview_hash, publish


class WorkflowError(refusals.Refused):
    """A refused transition or a refused change, with a message for the person."""


def available(cycle: Cycle, user) -> list[tuple[str, Rule]]:
    """Transitions ``user`` may perform on ``cycle`` now."""
    return [
        (target, rule)
        for (source, target), rule in TRANSITIONS.items()
        if source == cycle.state and policy.can_transition(user, cycle, target)
    ]


def transition(cycle: Cycle, target: str, user, reason: str = "", previewed: str | None = None) -> Cycle:
    """Move ``cycle`` to ``target`` or raise :class:`WorkflowError`. Publishing stores the result snapshot.

    Approval and publication need every participating unit complete, or left out of the ranking with a reason
    (:func:`cchc.web.assessments.services.incomplete`). ``previewed``: the inputs hash of the preview the chair
    confirmed; publication is refused when the data changed since (what is published is what was previewed)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        rule = TRANSITIONS.get((cycle.state, target))
        if rule is None:
            raise WorkflowError(
                _("Không thể chuyển từ “%(a)s” sang “%(b)s”.")
                % {"a": State(cycle.state).label, "b": State(target).label if target in State.values else target}
            )
        if not policy.can_transition(user, cycle, target):
            raise refusals.NotAllowed(policy.why_not_publish(user, cycle) or "not allowed")
        if rule.reason_required and not reason:
            raise WorkflowError(_("Cần nêu lý do để mở lại kỳ đánh giá."))
        if target == State.OPEN and not cycle.participations.exists():
            raise WorkflowError(_("Kỳ đánh giá chưa có đơn vị nào."))
        if target in (State.APPROVED, State.PUBLISHED) and (missing := services.incomplete(cycle)):
            raise WorkflowError(
                _("Chưa thể %(a)s: %(n)d đơn vị chưa hoàn thành (%(l)s). Hoàn thành, hoặc Chủ tịch Hội đồng quyết định "
                  "không xếp hạng đơn vị đó và ghi lý do.")
                % {"a": str(rule.label).lower(), "n": len(missing),
                   "l": "; ".join(f"{m['unit'].name}: {', '.join(m['labels'])}" for m in missing[:10])
                   + ("; …" if len(missing) > 10 else "")})
        if target == State.PUBLISHED and previewed is not None and previewed != preview_hash(cycle):
            raise WorkflowError(_("Dữ liệu đã thay đổi sau khi xem trước; hãy xem lại bảng kết quả rồi công bố."))
        source = cycle.state
        cycle.state = target
        cycle._change_reason = reason or str(rule.label)
        cycle._history_user = user
        cycle.save()
        Transition.objects.create(cycle=cycle, from_state=source, to_state=target, user=user, reason=reason)
        if target == State.PUBLISHED:
            publish(cycle, user)
    return cycle


def return_submission(participation, user, reason: str):
    """Administrator returns one unit's submitted self-assessment for correction (reason required)."""
    if not policy.is_admin(user):
        raise refusals.NotAllowed("not allowed")
    if participation.cycle.state != State.OPEN:
        raise WorkflowError(_("Chỉ trả lại được khi kỳ đánh giá đang tự đánh giá."))
    if not (reason or "").strip():
        raise WorkflowError(_("Cần nêu lý do trả lại."))
    participation.submitted_at = None
    participation.submitted_by = None
    participation._change_reason = reason.strip()
    participation._history_user = user
    participation.save()
