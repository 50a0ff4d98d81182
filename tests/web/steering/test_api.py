"""Steering REST API: token-authenticated create, progress, transitions with the same rules and history."""

from __future__ import annotations

import io

import pytest

from .conftest import tiny_pdf

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_task_life_over_the_api(world, api, client):
    admin = api(world.users["admin"])
    r = admin("post", "/api/steering/tasks/", {"title": "Thanh toán trực tuyến", "lead_unit": "D1",
                                               "coordinating_units": ["D2"], "deadline": "2026-09-30",
                                               "criteria": "7.1", "plan": world.plan.pk})
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    from cchc.web.steering.models import Task

    task = Task.objects.get(pk=tid)
    assert task.history.last().history_user == world.users["admin"]
    focal = api(world.users["focal"])
    r = focal("post", f"/api/steering/tasks/{tid}/progress/", {"percent": 60, "text": "Đã triển khai 3/5 TTHC"})
    assert r.status_code == 201 and r.json()["user"] == "focal"
    assert focal("get", f"/api/steering/tasks/{tid}/").json()["state"] == "in_progress"
    r = focal("post", f"/api/steering/tasks/{tid}/transition/", {"target": "done", "completion_note": "xong"})
    assert r.status_code == 400 and "evidence" in r.json()["detail"]
    f = io.BytesIO(tiny_pdf("x"))
    f.name = "kq.pdf"
    client.force_login(world.users["focal"])
    client.post(f"/steering/tasks/{tid}/evidence/", {"file": f})
    r = focal("post", f"/api/steering/tasks/{tid}/transition/", {"target": "done", "completion_note": "xong"})
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert task.history.first().history_user == world.users["focal"]
    assert focal("post", f"/api/steering/tasks/{tid}/transition/", {"target": "in_progress", "reason": "x"}).status_code == 403
    assert [p["percent"] for p in focal("get", f"/api/steering/tasks/{tid}/progress/").json()] == [60]
    # focal2 (coordinating unit) sees the task but may not report on it
    focal2 = api(world.users["focal2"])
    assert focal2("get", f"/api/steering/tasks/{tid}/").status_code == 200
    assert focal2("post", f"/api/steering/tasks/{tid}/progress/", {"percent": 1, "text": "x"}).status_code == 403
    # filters
    codes = [t["title"] for t in admin("get", "/api/steering/tasks/?state=overdue").json()["results"]]
    assert codes == ["Rà soát TTHC"]


def test_targets_api_reports_attainment(world, api):
    admin = api(world.users["admin"])
    r = admin("post", "/api/steering/targets/", {"source": "NQ 18-NQ/TU", "metric": "sipas", "comparator": ">=",
                                                 "value": 85, "deadline": "2027-12-31"})
    assert r.status_code == 201
    rows = admin("get", "/api/steering/targets/").json()["results"]
    assert rows[0]["attainment"]["status"] == "unknown"
    assert api(world.users["focal"])("get", "/api/steering/targets/").status_code == 403
