"""Steering permission matrix: role × endpoint × own task (D1 leads, focal's unit) / other task (D2 leads), on
pages and API alike. Everyone not listed must be refused (403/404, or the login page for anonymous)."""

from __future__ import annotations

import io

import pytest
from tests.web.helpers import past_policy

from cchc.web.steering.models import Proposal, Task

from .conftest import tiny_pdf

pytestmark = [pytest.mark.db, pytest.mark.django_db]

ROLES = ["admin", "focal", "focal2", "appraiser", "approver", "leader", "nobody", "anonymous"]
READERS = {"admin", "approver", "leader"}

# endpoint, allowed on the D1 task, allowed on the D2 task (focal = D1's focal point, focal2 = D2's)
MATRIX = [
    ("task_list", READERS | {"focal", "focal2"}, READERS | {"focal", "focal2"}),
    ("task_page", READERS | {"focal"}, READERS | {"focal2"}),
    ("task_progress", {"admin", "focal"}, {"admin", "focal2"}),
    ("task_evidence", {"admin", "focal"}, {"admin", "focal2"}),
    ("task_start", {"admin", "focal"}, {"admin", "focal2"}),
    ("task_cancel", {"admin"}, {"admin"}),
    ("task_edit_page", {"admin"}, {"admin"}),
    ("task_new_page", {"admin"}, {"admin"}),
    ("plan_page", READERS | {"focal", "focal2"}, READERS | {"focal", "focal2"}),
    ("plan_import", {"admin"}, {"admin"}),
    ("reminders_page", READERS | {"focal", "focal2"}, READERS | {"focal", "focal2"}),
    ("proposals_page", READERS, READERS),
    ("proposal_accept", {"admin"}, {"admin"}),
    ("chain_page", READERS, READERS),
    ("targets_page", READERS, READERS),
    ("target_add", {"admin"}, {"admin"}),
    ("committee_page", READERS, READERS),
    ("rewards_page", READERS, READERS),
    ("figures_page", READERS, READERS),
    ("api_tasks", READERS | {"focal", "focal2"}, READERS | {"focal", "focal2"}),
    ("api_task", READERS | {"focal"}, READERS | {"focal2"}),
    ("api_task_create", {"admin"}, {"admin"}),
    ("api_task_patch", {"admin"}, {"admin"}),
    ("api_progress", {"admin", "focal"}, {"admin", "focal2"}),
    ("api_transition", {"admin", "focal"}, {"admin", "focal2"}),
    ("api_plans", READERS | {"focal", "focal2"}, READERS | {"focal", "focal2"}),
    ("api_targets", READERS, READERS),
]


def _request(client, world, endpoint, task):
    t = f"/steering/tasks/{task.pk}"
    if endpoint == "task_list":
        return client.get(f"/steering/?unit={task.lead_unit.code}")
    if endpoint == "task_page":
        return client.get(f"{t}/")
    if endpoint == "task_progress":
        return client.post(f"{t}/progress/", {"percent": "10", "text": "x"}, HTTP_HX_REQUEST="true")
    if endpoint == "task_evidence":
        f = io.BytesIO(tiny_pdf(str(task.pk)))
        f.name = "a.pdf"
        return client.post(f"{t}/evidence/", {"file": f}, HTTP_HX_REQUEST="true")
    if endpoint == "task_start":
        return client.post(f"{t}/transition/", {"target": "in_progress"}, HTTP_HX_REQUEST="true")
    if endpoint == "task_cancel":
        return client.post(f"{t}/transition/", {"target": "cancelled", "reason": "trùng"}, HTTP_HX_REQUEST="true")
    if endpoint == "task_edit_page":
        return client.get(f"{t}/edit/")
    if endpoint == "task_new_page":
        return client.get("/steering/tasks/new/")
    if endpoint == "plan_page":
        return client.get(f"/steering/plans/{world.plan.pk}/")
    if endpoint == "plan_import":
        f = io.BytesIO(b"x")
        f.name = "a.xlsx"
        return client.post(f"/steering/plans/{world.plan.pk}/", {"file": f})
    if endpoint == "reminders_page":
        return client.get("/steering/reminders/")
    if endpoint == "proposals_page":
        return client.get("/steering/proposals/")
    if endpoint == "proposal_accept":
        Proposal.objects.filter(source="internal:x:2025").delete()
        p = Proposal.objects.create(source="internal:x:2025", year=2025, unit_code=task.lead_unit.code,
                                    unit_name=task.lead_unit.name, criterion="1.1", criterion_name="x", points_lost=1,
                                    max_points=2, title="x")
        return client.post(f"/steering/proposals/{p.pk}/", {"action": "discard"}, HTTP_HX_REQUEST="true")
    if endpoint == "chain_page":
        return client.get("/steering/chain/")
    if endpoint == "targets_page":
        return client.get("/steering/targets/")
    if endpoint == "target_add":
        return client.post("/steering/targets/", {"t-source": "NQ", "t-metric": "sipas", "t-comparator": ">=",
                                                  "t-value": "85", "t-deadline": "2027-12-31"})
    if endpoint == "committee_page":
        return client.get("/steering/committee/")
    if endpoint == "rewards_page":
        return client.get("/steering/rewards/")
    if endpoint == "figures_page":
        return client.get("/steering/figures/")
    if endpoint == "api_tasks":
        r = client.get("/api/steering/tasks/")
        if r.status_code == 200:
            assert all(x["lead_unit"] in _units(world, client) for x in r.json()["results"])
        return r
    if endpoint == "api_task":
        return client.get(f"/api/steering/tasks/{task.pk}/")
    if endpoint == "api_task_create":
        return client.post("/api/steering/tasks/", {"title": "API", "lead_unit": task.lead_unit.code},
                           content_type="application/json")
    if endpoint == "api_task_patch":
        return client.patch(f"/api/steering/tasks/{task.pk}/", {"expected_output": "QĐ"}, content_type="application/json")
    if endpoint == "api_progress":
        return client.post(f"/api/steering/tasks/{task.pk}/progress/", {"percent": 20, "text": "x"},
                           content_type="application/json")
    if endpoint == "api_transition":
        return client.post(f"/api/steering/tasks/{task.pk}/transition/", {"target": "in_progress"},
                           content_type="application/json")
    if endpoint == "api_plans":
        return client.get("/api/steering/plans/")
    if endpoint == "api_targets":
        return client.get("/api/steering/targets/")
    raise AssertionError(endpoint)


def _units(world, client):
    return {"D1", "D2"}




@pytest.mark.parametrize("endpoint,own,other", MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(world, client, endpoint, own, other):
    for role in ROLES:
        for task, allowed in ((world.task1, own), (world.task2, other)):
            Task.objects.filter(pk__in=[world.task1.pk, world.task2.pk]).update(state="not_started")
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = _request(client, world, endpoint, task)
            assert past_policy(response) == (role in allowed), (endpoint, role, task.lead_unit.code, response.status_code)


def test_focal_point_sees_only_tasks_its_unit_leads_or_coordinates(world, client):
    client.force_login(world.users["focal"])
    assert "Số hóa hồ sơ" not in client.get("/steering/").content.decode()
    world.task2.coordinating_units.add(world.d1)
    assert "Số hóa hồ sơ" in client.get("/steering/").content.decode()
    assert client.get(f"/steering/tasks/{world.task2.pk}/").status_code == 200
    # coordinating is not leading: no progress report on another unit's task
    assert client.post(f"/steering/tasks/{world.task2.pk}/progress/", {"percent": "10", "text": "x"}).status_code == 403
