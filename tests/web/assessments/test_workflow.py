"""The cycle state machine: every transition, the refusals, reopen, history, publication snapshot."""

import pytest
from tests.web.helpers import complete, fill_all, set_state

from cchc.web.assessments import states, workflow
from cchc.web.assessments.models import State, Transition
from cchc.web.results.models import ImmutableResult

pytestmark = [pytest.mark.db, pytest.mark.django_db]

FORWARD = [
    (State.DRAFT, State.OPEN, "admin"),
    (State.OPEN, State.SELF_CLOSED, "admin"),
    (State.SELF_CLOSED, State.APPRAISAL, "admin"),
    (State.APPRAISAL, State.EXPLANATION, "admin"),
    (State.EXPLANATION, State.FINAL_APPRAISAL, "admin"),
    (State.FINAL_APPRAISAL, State.APPROVED, "approver"),
    (State.APPROVED, State.PUBLISHED, "approver"),
]


@pytest.mark.parametrize("source,target,who", FORWARD)
def test_each_forward_transition_by_its_role_only(world, source, target, who):
    set_state(world.cycle, source)
    if target in (State.APPROVED, State.PUBLISHED):  # approval and publication need complete units
        fill_all(world, "D1")
        fill_all(world, "D2")
        complete(world.cycle)
    for name, user in world.users.items():
        if name == who:
            continue
        with pytest.raises(PermissionError):
            workflow.transition(world.cycle, target, user, "x")
    cycle = workflow.transition(world.cycle, target, world.users[who], "theo kế hoạch")
    assert cycle.state == target
    t = Transition.objects.get(cycle=cycle)
    assert (t.from_state, t.to_state, t.user, t.reason) == (source, target, world.users[who], "theo kế hoạch")
    latest = cycle.history.first()
    assert (latest.state, latest.history_user, latest.history_change_reason) == (
        target, world.users[who], "theo kế hoạch")


def test_illegal_jumps_are_refused(world):
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(world.cycle, State.APPRAISAL, world.users["admin"])
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(world.cycle, "nonsense", world.users["admin"])
    set_state(world.cycle, State.OPEN)
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"])


@pytest.mark.parametrize("source", states.ORDER[1:-1])
def test_reopen_needs_admin_and_reason(world, source):
    set_state(world.cycle, source)
    back = states.ORDER[states.ORDER.index(source) - 1]
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(world.cycle, back, world.users["admin"], "  ")
    with pytest.raises(PermissionError):
        workflow.transition(world.cycle, back, world.users["approver"], "lý do")
    cycle = workflow.transition(world.cycle, back, world.users["admin"], "Đơn vị xin bổ sung")
    assert cycle.state == back
    assert cycle.history.first().history_change_reason == "Đơn vị xin bổ sung"


def test_published_cannot_be_reopened_and_snapshot_is_immutable(world):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    set_state(world.cycle, State.APPROVED)
    complete(world.cycle)
    cycle = workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"], "QĐ số 1")
    for target in State.values:
        with pytest.raises((workflow.WorkflowError, PermissionError)):
            workflow.transition(cycle, target, world.users["admin"], "lý do")
    snap = cycle.snapshots.get(published=True)
    assert snap.framework_id == "example-department" and len(snap.inputs_hash) == 64
    from cchc.web.results import services as results_services

    assert results_services.verify_snapshot(snap)
    detail = snap.details.first()
    with pytest.raises(ImmutableResult):
        detail.save()
    with pytest.raises(ImmutableResult):
        detail.delete()
    snap.results = {}
    with pytest.raises(ImmutableResult):
        snap.save()
    with pytest.raises(ImmutableResult):
        snap.delete()


def test_open_requires_units(world):
    world.cycle.participations.all().delete()
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(world.cycle, State.OPEN, world.users["admin"])


def test_transition_page_posts_and_refuses(world, login):
    c = login(world.users["admin"])
    r = c.post(f"/cycles/{world.cycle.pk}/transition/", {"target": "open"})
    assert r.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.state == "open"
    c = login(world.users["focal"])
    r = c.post(f"/cycles/{world.cycle.pk}/transition/", {"target": "self_closed"})
    assert r.status_code == 403
