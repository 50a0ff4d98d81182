"""What the web tests share besides fixtures: the small province (:func:`build_world`), filling sheets, setting
a cycle's state, and a database that refuses saves. Fixtures that use them are in ``conftest.py``."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc.core.scoring import level_points, points_limits

PASSWORD = "test-pass-123"


@dataclass
class World:
    """A small province: two departments, one commune, one user per role, one cycle."""

    fw: object
    record: object
    d1: object
    d2: object
    users: dict
    cycle: object
    parts: dict = field(default_factory=dict)

    def part(self, code):
        return self.parts[code]


def past_policy(response) -> bool:
    """Whether a request got past the policy (the permission matrices): a 401, 403 or 404, or a redirect to the
    sign-in page, is a refusal; success, or a business refusal (stale version, invalid input) that only an
    authorised person can reach, is past it."""
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code == 302:
        return "/accounts/login/" not in response["Location"]
    assert response.status_code in (200, 201, 400, 409, 422), (response.status_code, response.content[:300])
    return True


def refuse_saves(monkeypatch, model, update_fields: list[str]) -> list[str]:
    """Make ``model.save(update_fields=...)`` with exactly these fields fail as a busy SQLite database does
    ("database is locked" after its timeout); returns the steps whose save was refused, as they happen."""
    from django.db import OperationalError

    refused: list[str] = []
    save = model.save

    def busy_save(self, *args, **kwargs):
        if kwargs.get("update_fields") == update_fields:
            refused.append(self.step)
            raise OperationalError("database is locked")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", busy_save)
    return refused


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from cchc.web.accounts.models import Role, RoleAssignment
    from cchc.web.assessments import services as assessment_services
    from cchc.web.assessments.models import Cycle, Participation
    from cchc.web.org.models import Unit

    record = assessment_services.load_shipped("example-department")
    fw = record.framework
    d1 = Unit.objects.create(code="D1", name="Sở Một", unit_type="department", email="d1@example.invalid")
    d2 = Unit.objects.create(code="D2", name="Sở Hai", unit_type="department")
    User = get_user_model()
    users = {}
    for name, role, unit, fld in [
        ("admin", Role.ADMIN, None, ""),
        ("focal", Role.FOCAL, d1, ""),
        ("focal2", Role.FOCAL, d2, ""),
        ("appraiser", Role.APPRAISER, d1, ""),
        ("field_appraiser", Role.APPRAISER, None, "2"),
        ("approver", Role.APPROVER, None, ""),
        ("leader", Role.LEADER, None, ""),
        ("nobody", None, None, ""),
    ]:
        user = User.objects.create_user(name, f"{name}@example.invalid", PASSWORD)
        users[name] = user
        if role:
            RoleAssignment.objects.create(user=user, role=role, unit=unit, field_code=fld)
    cycle = Cycle.objects.create(name="Kỳ thử 2026", year=2026, framework=record)
    parts = {u.code: Participation.objects.create(cycle=cycle, unit=u) for u in (d1, d2)}
    return World(fw=fw, record=record, d1=d1, d2=d2, users=users, cycle=cycle, parts=parts)


def set_state(cycle, state):
    cycle.state = state
    cycle.save()
    return cycle


def leaf_values(node, quality=1.0) -> dict:
    """Valid inputs for one leaf at a quality between 0 and 1 (level tables respected)."""
    from cchc.web.assessments import frameworks

    kind = frameworks.entry_kind(node)
    if kind == "ratio":
        return {"numerator": round(100 * quality), "denominator": 100.0}
    if kind != "points":
        return {"survey_index": 60 + 35 * quality}
    if node.kind in ("bonus", "penalty"):
        return {"self_points": 0.0}
    _low, high = points_limits(node)
    levels = level_points(node)
    if levels:
        return {"self_points": min((p for p, _l in levels), key=lambda p: abs(p - quality * high))}
    return {"self_points": round(quality * high * 4) / 4}


def fill_part(fw, part, quality=1.0, appraise=False):
    """Fill every leaf of a participation with valid inputs."""
    from cchc.web.assessments.models import LeafAssessment

    for node in fw.leaves(part.unit.unit_type):
        vals = leaf_values(node, quality)
        if node.evidence == "required":
            vals["no_evidence_reason"] = "Lưu tại văn thư."
        if appraise and "self_points" in vals:
            vals["appraised_points"] = vals["self_points"]
        LeafAssessment.objects.update_or_create(participation=part, leaf_code=node.code, defaults=vals)
    return part


def complete(cycle) -> None:
    """Make every participation of ``cycle`` complete as approval and publication require: submitted, and every
    criterion scored by people appraised at its self-score where it has none (scores unchanged)."""
    from django.db.models import F
    from django.utils import timezone

    from cchc.web.assessments.models import LeafAssessment

    cycle.participations.filter(submitted_at__isnull=True).update(submitted_at=timezone.now())
    LeafAssessment.objects.filter(participation__cycle=cycle, appraised_points__isnull=True,
                                  self_points__isnull=False).update(appraised_points=F("self_points"))


def fill_all(world, code, quality=1.0, appraise=False):
    """Fill every leaf of a unit of the world's cycle with valid inputs."""
    return fill_part(world.fw, world.part(code), quality, appraise)
