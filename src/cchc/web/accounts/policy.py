"""The one permission policy used by pages, API and exports.

Every check takes the acting user and the object acted upon and answers yes or no. Views, API viewsets and
export endpoints call these functions, never test roles themselves; ``tests/web/accounts/test_permissions.py``
checks them as a matrix (role × endpoint × own/other unit).

One module, one entry point, in sections per area: accounts (the user's grants), org, assessments, results,
steering, surveys, dossiers, reports.

Roles (see :class:`cchc.web.accounts.models.Role`):

- administrator: everything, every unit;
- focal point: self-assessment and explanation of its own unit(s) only;
- appraiser: appraisal of assigned units and/or fields;
- approver (council chair): approves and publishes; reads everything;
- leader: reads everything, changes nothing.

Separation of duties (issue 14; docs/decisions/0009-web-application.md, "Separation of duties"): nobody grants
themselves the approver role; who performed a preparation transition of a cycle (any transition but approval and
publication, reopening included) does not publish it, whatever roles they hold; nobody appraises a unit they are
the focal point of. The refusals are worded here (:func:`why_not_publish`, :func:`why_not_grant`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from cchc.core.names import normalize_unit_name
from cchc.web.accounts.models import Role, RoleAssignment
from cchc.web.assessments.frameworks import field_of
from cchc.web.assessments.models import State
from cchc.web.assessments.states import APPRAISAL_STATES, TRANSITIONS
from cchc.web.org.models import Unit

READ_ALL_ROLES = {Role.ADMIN, Role.APPROVER, Role.LEADER}


# === accounts: who the user is (every section below asks through these) ========================================


@dataclass(frozen=True)
class Grants:
    roles: frozenset[str] = frozenset()
    focal_units: frozenset[int] = frozenset()
    appraiser_units: frozenset[int] = frozenset()
    appraiser_fields: frozenset[str] = frozenset()
    superuser: bool = False
    _: tuple = field(default=(), repr=False)

    @property
    def is_admin(self) -> bool:
        return self.superuser or Role.ADMIN in self.roles

    @property
    def reads_all(self) -> bool:
        return self.is_admin or bool(self.roles & READ_ALL_ROLES)


def grants(user) -> Grants:
    """The user's roles, cached on the user object for the request (the sign-in backend,
    :class:`cchc.web.accounts.backends.UserWithRolesBackend`, sets them with the user in one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grants()
    cached = getattr(user, "_cchc_grants", None)
    if cached is not None:
        return cached
    rows = RoleAssignment.objects.filter(user=user).values_list("role", "unit_id", "field_code")
    g = grants_from_rows(rows, user.is_superuser)
    user._cchc_grants = g
    return g


def grants_from_rows(rows, superuser: bool) -> Grants:  # noqa: ANN001 - iterable of (role, unit_id, field_code)
    """Grants from a user's role assignments, as (role, unit id, field code) rows; a row of Nones (no role,
    from an outer join) adds nothing."""
    roles, focal, app_units, app_fields = set(), set(), set(), set()
    for role, unit_id, field_code in rows:
        if role is None:
            continue
        roles.add(role)
        if role == Role.FOCAL and unit_id:
            focal.add(unit_id)
        if role == Role.APPRAISER:
            if unit_id:
                app_units.add(unit_id)
            if field_code:
                app_fields.add(field_code)
    return Grants(frozenset(roles), frozenset(focal), frozenset(app_units), frozenset(app_fields), superuser)


def has_any_role(user) -> bool:
    g = grants(user)
    return g.superuser or bool(g.roles)


def is_admin(user) -> bool:
    return grants(user).is_admin


def is_appraiser(user) -> bool:
    g = grants(user)
    return g.is_admin or Role.APPRAISER in g.roles


def is_approver(user) -> bool:
    g = grants(user)
    return g.is_admin or Role.APPROVER in g.roles


def is_focal_of(user, unit) -> bool:
    return _unit_id(unit) in grants(user).focal_units


def _unit_id(unit) -> int:
    return unit if isinstance(unit, int) else unit.pk


def why_not_grant(user, target_user, role: str) -> str:
    """Why ``user`` may not give ``role`` to ``target_user`` ("" when they may): only administrators grant roles,
    and nobody grants themselves the approver role (who prepares a cycle does not also decide it)."""
    if not is_admin(user):
        return _("Chỉ quản trị viên được phân quyền.")
    if role == Role.APPROVER and target_user is not None and target_user.pk == user.pk:
        return _("Không tự phân cho mình vai trò phê duyệt: người chuẩn bị kỳ đánh giá không đồng thời phê duyệt, "
                 "công bố kết quả.")
    return ""


def can_grant(user, target_user, role: str) -> bool:
    return not why_not_grant(user, target_user, role)


# === org: units ================================================================================================


def can_view_unit(user, unit) -> bool:
    g = grants(user)
    if g.reads_all:
        return True
    uid = _unit_id(unit)
    if uid in g.focal_units or uid in g.appraiser_units:
        return True
    return bool(g.appraiser_fields)  # field appraisers appraise that field in every unit


def visible_units(user, queryset):
    """Restrict a Unit queryset to what ``user`` may see."""
    g = grants(user)
    if g.reads_all or g.appraiser_fields:
        return queryset
    return queryset.filter(pk__in=g.focal_units | g.appraiser_units)


def can_manage(user) -> bool:
    """Units, users, frameworks, cycles and deadlines."""
    return is_admin(user)


# === assessments: cycles =======================================================================================


def can_view_cycle(user, cycle) -> bool:
    g = grants(user)
    if g.reads_all or Role.APPRAISER in g.roles:
        return True
    if g.focal_units:
        return cycle.participations.filter(unit_id__in=g.focal_units).exists()
    return False


def visible_cycles(user, queryset):
    g = grants(user)
    if g.reads_all or Role.APPRAISER in g.roles:
        return queryset
    if g.focal_units:
        return queryset.filter(participations__unit_id__in=g.focal_units).distinct()
    return queryset.none()


def can_send_reminders(user, cycle) -> bool:
    return is_admin(user)


def can_transition(user, cycle, target: str) -> bool:
    """May ``user`` move ``cycle`` to state ``target``? (State legality is checked by the workflow.)"""
    rule = TRANSITIONS.get((cycle.state, target))
    if rule is None:
        return False
    g = grants(user)
    if not (g.superuser or bool(g.roles & set(rule.roles))):
        return False
    return not (target == State.PUBLISHED and prepared(user, cycle))


# The decisions of the council chair; every other transition (reopening included) prepares the cycle.
DECISIONS = (State.APPROVED, State.PUBLISHED)


def prepared(user, cycle) -> bool:
    """Did ``user`` perform a preparation transition of ``cycle`` (any but approval and publication)? Such a person
    does not publish it, whatever roles they hold (a superuser too)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return cycle.transitions.filter(user_id=user.pk).exclude(to_state__in=DECISIONS).exists()


def can_exclude_from_ranking(user, cycle) -> bool:
    """Leave a unit out of the ranking (with a written reason), or take that back: the council chair's decision,
    once appraisal is over and before publication (final appraisal or approved)."""
    g = grants(user)
    return (g.superuser or Role.APPROVER in g.roles) and cycle.state in (State.FINAL_APPRAISAL, State.APPROVED)


def why_not_publish(user, cycle) -> str:
    """The message for a person who holds the approver role but prepared the cycle ("" otherwise)."""
    if cycle.state == State.APPROVED and is_approver(user) and prepared(user, cycle):
        return _("Người đã thực hiện các bước chuẩn bị kỳ đánh giá (mở, khóa, chuyển thẩm định, giải trình, mở lại) "
                 "không được công bố kết quả của kỳ đó: cần một người phê duyệt khác.")
    return ""


# === assessments: one unit's sheet in a cycle ==================================================================


def can_view_sheet(user, participation) -> bool:
    return can_view_unit(user, participation.unit_id)


def can_edit_self(user, participation) -> bool:
    if participation.cycle.state != State.OPEN or participation.submitted_at is not None:
        return False
    return is_admin(user) or is_focal_of(user, participation.unit_id)


def can_submit(user, participation) -> bool:
    return can_edit_self(user, participation)


def appraises(user, participation, field_code: str | None) -> bool:
    """Is ``user`` an appraiser of this unit, or of the field ``field_code`` (any unit)?"""
    g = grants(user)
    if g.is_admin:
        return True
    if Role.APPRAISER not in g.roles:
        return False
    if participation.unit_id in g.appraiser_units:
        return True
    return field_code is not None and field_code in g.appraiser_fields


def can_appraise(user, participation, field_code: str | None) -> bool:
    """Appraise this leaf now: an appraiser of the unit or field (or an administrator) in an appraisal state — never
    the unit's own focal point, whatever other roles they hold (nobody appraises their own unit)."""
    if participation.cycle.state not in APPRAISAL_STATES:
        return False
    if is_focal_of(user, participation.unit_id):
        return False
    return appraises(user, participation, field_code)


def why_not_appraise(user, participation) -> str:
    """The message for a focal point of the unit who is also an appraiser ("" otherwise)."""
    g = grants(user)
    if participation.unit_id in g.focal_units and (g.is_admin or Role.APPRAISER in g.roles):
        return _("Không thẩm định đơn vị mà mình là đầu mối.")
    return ""


def sees_by_field_only(user, participation) -> bool:
    """Does ``user`` see this unit's sheet only as an appraiser by field (no other role on the unit)? Such a person
    sees the criteria of their own fields only: sheet, its XLSX export, leaf history, API and evidence."""
    g = grants(user)
    uid = participation.unit_id
    return (bool(g.appraiser_fields) and not g.reads_all and uid not in g.focal_units
            and uid not in g.appraiser_units)


def can_view_leaf(user, participation, field_code: str | None) -> bool:
    """One criterion of a unit's sheet (its values, history and evidence)."""
    if not can_view_sheet(user, participation):
        return False
    return not sees_by_field_only(user, participation) or field_code in grants(user).appraiser_fields


def visible_leaf_rows(user, participation, rows) -> list:
    """The framework's leaf rows (:func:`cchc.web.assessments.frameworks.leaf_rows`) ``user`` may see."""
    if not sees_by_field_only(user, participation):
        return list(rows)
    fields = grants(user).appraiser_fields
    return [r for r in rows if r.field_code in fields]


def can_explain(user, participation) -> bool:
    if participation.cycle.state != State.EXPLANATION:
        return False
    return is_admin(user) or is_focal_of(user, participation.unit_id)


def can_export_sheet(user, participation) -> bool:
    return can_view_sheet(user, participation)


def can_import_computed(user, cycle) -> bool:
    """Import survey / ratio inputs per unit from XLSX."""
    return is_admin(user) and cycle.state not in {"approved", "published"}


# === assessments: evidence =====================================================================================


def can_download_evidence(user, evidence) -> bool:
    part = evidence.assessment.participation
    if not can_view_unit(user, part.unit_id):
        return False
    if not sees_by_field_only(user, part):
        return True
    return field_of(part.cycle.framework.framework, evidence.assessment.leaf_code) in grants(user).appraiser_fields


# === results: live preview, published results, exports =========================================================


def can_view_results(user, cycle) -> bool:
    """Published results: every signed-in user with a role. Before publication: a live preview for
    administrators, approvers and leaders only."""
    g = grants(user)
    if cycle.state == "published":
        return g.superuser or bool(g.roles)
    return g.reads_all


def can_view_public_results(cycle) -> bool:

    return bool(settings.CCHC_PUBLIC_RESULTS and cycle.state == "published" and cycle.public)


def can_export_results(user, cycle) -> bool:
    return can_view_results(user, cycle)


# === steering (issue 6): plans, tasks, proposals, targets, committee, rewards ==================================
# Leaders, approvers and administrators see all steering work; a focal point sees the tasks its unit leads
# or coordinates and updates (progress, evidence, start, done) only the tasks its unit leads; the
# administrator assigns, edits, cancels, restores and reopens tasks and decides proposals.


def can_view_steering(user) -> bool:
    g = grants(user)
    return g.reads_all or bool(g.focal_units)


def can_manage_steering(user) -> bool:
    return is_admin(user)


def visible_tasks(user, queryset):

    g = grants(user)
    if g.reads_all:
        return queryset
    if g.focal_units:
        return queryset.filter(Q(lead_unit_id__in=g.focal_units) | Q(coordinating_units__in=g.focal_units)).distinct()
    return queryset.none()


def can_view_task(user, task) -> bool:
    g = grants(user)
    if g.reads_all or task.lead_unit_id in g.focal_units:
        return True
    return bool(g.focal_units) and task.coordinating_units.filter(pk__in=g.focal_units).exists()


def can_update_task(user, task) -> bool:
    """Progress reports and evidence: the lead unit's focal point, or the administrator."""
    return is_admin(user) or is_focal_of(user, task.lead_unit_id)


def can_transition_task(user, task, target: str) -> bool:
    """Start and finish: the lead unit's focal point or the administrator; cancel, restore and reopen a done
    task: the administrator. (Whether the state change itself is allowed is decided by cchc.steering.tasks.)"""
    if target in ("in_progress", "done") and task.state != "done":
        return can_update_task(user, task)
    return is_admin(user)


def can_view_steering_results(user) -> bool:
    """Proposals, chains, targets, committee, rewards and figures: readers of everything."""
    return grants(user).reads_all


# === surveys (issue 4): import, results per unit, applying survey indices to a cycle ===========================
# The administrator imports survey responses and applies the indices to a cycle's survey leaves; readers of all
# units (administrator, approver, leader) see every unit's results; a focal point sees only its own unit's row.


def can_import_surveys(user) -> bool:
    return is_admin(user)


def can_view_surveys(user) -> bool:
    g = grants(user)
    return g.reads_all or bool(g.focal_units)


def can_view_all_survey_units(user) -> bool:
    """Every unit's row, the problem reports and the importance–performance analysis."""
    return grants(user).reads_all


def visible_survey_rows(user, rows):
    """The per-unit survey rows (``{"label": unit name, …}``) that ``user`` may see: all for readers of all
    units; for a focal point, the rows whose label is the name or code of one of its units."""
    g = grants(user)
    if g.reads_all:
        return list(rows)
    if not g.focal_units:
        return []

    keys = set()
    for name, code in Unit.objects.filter(pk__in=g.focal_units).values_list("name", "code"):
        keys |= {normalize_unit_name(name), normalize_unit_name(code)}
    return [r for r in rows if normalize_unit_name(r["label"]) in keys]


def can_apply_survey(user, cycle) -> bool:
    """Write survey indices into a cycle's survey leaves: as importing computed inputs."""
    return can_import_computed(user, cycle)


# === dossiers (issue 5): Decision 766 indicators from the one-stop-shop dossier store ==========================
# Readers of all units see the province overview and every unit; a focal point sees its own unit's pages only
# (the dossiers' unit_code is the web Unit.code); the administrator imports dossier files.


def can_import_dossiers(user) -> bool:
    return is_admin(user)


def can_view_services_overview(user) -> bool:
    return grants(user).reads_all


def services_unit_codes(user) -> list[str]:
    """The codes of the focal point's own units (the dossier unit codes it may see), sorted."""

    g = grants(user)
    if not g.focal_units:
        return []
    return sorted(Unit.objects.filter(pk__in=g.focal_units).values_list("code", flat=True))


def can_view_services_unit(user, unit_code: str) -> bool:
    if grants(user).reads_all:
        return True
    return unit_code in services_unit_codes(user)


# === reports: the review report and the results-decision annex =================================================
# Reports cover every unit: those who read all units (administrator, approver, leader) make them. A report job is
# seen by the person who asked for it, and by the administrator.


def can_make_reports(user) -> bool:
    return grants(user).reads_all


def can_view_report_job(user, job) -> bool:
    """Its page and its files: the maker of the job (while still a reader of all units), or the administrator."""
    return can_make_reports(user) and (job.created_by_id == user.pk or is_admin(user))
