"""Separation of duties (cchc.web.accounts.policy): nobody grants themselves the approver role, who prepared a cycle
does not publish it, nobody appraises the unit they are the focal point of — each refused with a message."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.web.helpers import fill_all

from cchc.web.accounts import policy, services
from cchc.web.accounts.models import Role, RoleAssignment
from cchc.web.assessments import frameworks, workflow
from cchc.web.assessments.models import Cycle, Participation, State
from cchc.web.errors import Refused

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _grant(username, role, **kw):
    return {"username": username, "role": role, "unit": None, "field_code": "", "new_user": False, **kw}


def test_an_administrator_cannot_grant_themselves_the_approver_role(world, login):
    admin = world.users["admin"]
    with pytest.raises(Refused, match="Không tự phân cho mình vai trò phê duyệt"):
        services.grant_role(_grant("admin", Role.APPROVER), admin)
    r = login(admin).post("/people/", {"username": "admin", "role": Role.APPROVER})
    assert r.status_code == 422 and "Không tự phân cho mình vai trò phê duyệt" in r.content.decode()
    assert not RoleAssignment.objects.filter(user=admin, role=Role.APPROVER).exists()
    # another person may be made approver; the administrator may take other roles
    assert login(admin).post("/people/", {"username": "leader", "role": Role.APPROVER}).status_code == 302
    assert RoleAssignment.objects.filter(user=world.users["leader"], role=Role.APPROVER).exists()
    services.grant_role(_grant("admin", Role.LEADER), admin)
    # nor through the Django admin
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    r = login(root).post("/admin/accounts/roleassignment/add/", {"user": root.pk, "role": Role.APPROVER})
    assert r.status_code == 200 and "Không tự phân cho mình vai trò phê duyệt" in r.content.decode()
    assert not RoleAssignment.objects.filter(user=root).exists()
    r = login(root).post("/admin/accounts/roleassignment/add/", {"user": world.users["nobody"].pk,
                                                                 "role": Role.APPROVER})
    assert r.status_code == 302


def _approved(world):
    fill_all(world, "D1", 0.8, appraise=True)
    fill_all(world, "D2", 0.6, appraise=True)
    Participation.objects.filter(cycle=world.cycle).update(submitted_at=timezone.now(), explained_at=timezone.now())


def test_who_prepared_the_cycle_does_not_publish_it(world):
    both = world.users["admin"]
    RoleAssignment.objects.create(user=both, role=Role.APPROVER)
    both = get_user_model().objects.get(pk=both.pk)  # roles read afresh
    _approved(world)
    cycle = workflow.transition(world.cycle, State.OPEN, both, "mở")  # a preparation transition
    Cycle.objects.filter(pk=cycle.pk).update(state=State.APPROVED)
    cycle.refresh_from_db()
    assert not policy.can_transition(both, cycle, State.PUBLISHED)
    assert State.PUBLISHED not in [t for t, _r in workflow.available(cycle, both)]
    assert "không được công bố" in policy.why_not_publish(both, cycle)
    with pytest.raises(PermissionError):
        workflow.transition(cycle, State.PUBLISHED, both, "QĐ")
    # an administrator-and-approver who prepared nothing, and any other approver, may
    assert policy.can_transition(world.users["approver"], cycle, State.PUBLISHED)
    assert policy.why_not_publish(world.users["approver"], cycle) == ""
    # approving is the chair's decision, not a preparation: the approver who approved publishes
    cycle = workflow.transition(cycle, State.PUBLISHED, world.users["approver"], "QĐ")
    assert cycle.state == State.PUBLISHED


def test_a_superuser_who_prepared_the_cycle_does_not_publish_it_either(world):
    root = get_user_model().objects.create_superuser("root", "root@example.invalid", "x")
    workflow.transition(world.cycle, State.OPEN, root, "mở")
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.APPROVED)
    world.cycle.refresh_from_db()
    assert not policy.can_transition(root, world.cycle, State.PUBLISHED)


def test_nobody_appraises_the_unit_they_are_the_focal_point_of(world, api):
    focal = world.users["focal"]  # focal point of D1
    RoleAssignment.objects.create(user=focal, role=Role.APPRAISER, unit=world.d1)
    RoleAssignment.objects.create(user=focal, role=Role.APPRAISER, unit=world.d2)
    focal = get_user_model().objects.get(pk=focal.pk)
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.APPRAISAL)
    fill_all(world, "D1")
    p1 = Participation.objects.listed().get(cycle=world.cycle, unit=world.d1)
    p2 = Participation.objects.listed().get(cycle=world.cycle, unit=world.d2)
    assert not policy.can_appraise(focal, p1, None) and policy.can_appraise(focal, p2, None)
    assert policy.why_not_appraise(focal, p1) == "Không thẩm định đơn vị mà mình là đầu mối."
    assert policy.why_not_appraise(focal, p2) == ""
    # even an administrator who is a unit's focal point
    RoleAssignment.objects.create(user=world.users["admin"], role=Role.FOCAL, unit=world.d2)
    admin = get_user_model().objects.get(pk=world.users["admin"].pk)
    assert not policy.can_appraise(admin, p2, None) and policy.can_appraise(admin, p1, None)
    leaf = next(n.code for n in world.fw.leaves("department") if frameworks.entry_kind(n) == "points")
    r = api(focal)("patch", f"/api/cycles/{world.cycle.pk}/units/D1/leaves/{leaf}/",
                   {"stage": "appraise", "version": 1, "accept": True})
    assert r.status_code == 403
    r = api(focal)("patch", f"/api/cycles/{world.cycle.pk}/units/D2/leaves/{leaf}/",
                   {"stage": "appraise", "version": 0, "accept": True})
    assert r.status_code in (200, 400, 409)  # past the policy: appraises D2, of which it is not the focal point
