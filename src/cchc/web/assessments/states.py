"""The cycle's states and the transitions between them, with who may perform each (imports only models: the
permission policy and the workflow both read it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cchc.web.accounts.models import Role
from cchc.web.assessments.models import State

APPRAISAL_STATES = frozenset({State.APPRAISAL, State.FINAL_APPRAISAL})


ORDER = [
    State.DRAFT, State.OPEN, State.SELF_CLOSED, State.APPRAISAL, State.EXPLANATION,
    State.FINAL_APPRAISAL, State.APPROVED, State.PUBLISHED,
]


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]
    label: str
    reason_required: bool = False
    reopen: bool = False


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (State.DRAFT, State.OPEN): Rule((Role.ADMIN,), _("Mở tự đánh giá")),
    (State.OPEN, State.SELF_CLOSED): Rule((Role.ADMIN,), _("Khóa tự đánh giá")),
    (State.SELF_CLOSED, State.APPRAISAL): Rule((Role.ADMIN,), _("Bắt đầu thẩm định")),
    (State.APPRAISAL, State.EXPLANATION): Rule((Role.ADMIN,), _("Chuyển giải trình")),
    (State.EXPLANATION, State.FINAL_APPRAISAL): Rule((Role.ADMIN,), _("Thẩm định lại")),
    (State.FINAL_APPRAISAL, State.APPROVED): Rule((Role.APPROVER,), _("Phê duyệt")),
    (State.APPROVED, State.PUBLISHED): Rule((Role.APPROVER,), _("Công bố kết quả")),
}
# Reopen: one step back, administrator, reason required. Never from published.
for _i in range(1, len(ORDER) - 1):
    TRANSITIONS[(ORDER[_i], ORDER[_i - 1])] = Rule((Role.ADMIN,), _("Mở lại"), reason_required=True, reopen=True)


DEADLINES = ("self_deadline", "appraisal_deadline", "explanation_deadline")
"""A cycle's deadlines in workflow order: self-assessment, appraisal, explanation (the final appraisal follows)."""


def deadlines_out_of_order(deadlines: dict) -> tuple[str, str] | None:
    """The first pair of given deadlines (field names) out of workflow order, a later stage ending before an
    earlier one, or None. Missing deadlines are skipped.

    >>> import datetime as dt
    >>> deadlines_out_of_order({"self_deadline": dt.date(2026, 4, 1), "appraisal_deadline": dt.date(2026, 3, 1)})
    ('self_deadline', 'appraisal_deadline')
    """
    given = [(name, deadlines[name]) for name in DEADLINES if deadlines.get(name)]
    for (a, da), (b, db) in zip(given, given[1:], strict=False):
        if db < da:
            return a, b
    return None
