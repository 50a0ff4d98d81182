"""Fixtures for the steering web tests: the small province of tests/web (two departments, one user per role)
plus steering data, and published cycles with lost points. Django set-up, passwords and the evidence directory
come from tests/web/conftest.py (one place; pytest gives its fixtures to this folder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from tests.web import helpers
from tests.web.helpers import PASSWORD, complete, fill_part

TODAY = dt.date(2026, 7, 10)


def pytest_configure(config):
    config.addinivalue_line("markers", "db: uses the database (re-run on PostgreSQL in CI)")


@dataclass
class World(helpers.World):
    """The small province of tests/web plus the steering plan and two tasks."""

    plan: object = None
    task1: object = None
    task2: object = None


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from cchc.web.steering import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def world(db, evidence_dir):  # steering's own province (overrides tests/web/conftest.py's)
    return build_world()


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from cchc.web.accounts.models import Role, RoleAssignment
    from cchc.web.assessments import services as assessment_services
    from cchc.web.assessments.models import Cycle, Participation
    from cchc.web.org.models import Unit
    from cchc.web.steering.models import Plan, Task

    record = assessment_services.load_shipped("example-department")
    d1 = Unit.objects.create(code="D1", name="Sở Một", unit_type="department", email="d1@example.invalid")
    d2 = Unit.objects.create(code="D2", name="Sở Hai", unit_type="department")
    User = get_user_model()
    users = {}
    for name, role, unit, fld in [
        ("admin", Role.ADMIN, None, ""), ("focal", Role.FOCAL, d1, ""), ("focal2", Role.FOCAL, d2, ""),
        ("appraiser", Role.APPRAISER, d1, ""), ("approver", Role.APPROVER, None, ""),
        ("leader", Role.LEADER, None, ""), ("nobody", None, None, ""),
    ]:
        users[name] = User.objects.create_user(name, f"{name}@example.invalid", PASSWORD)
        if role:
            RoleAssignment.objects.create(user=users[name], role=role, unit=unit, field_code=fld)
    cycle = Cycle.objects.create(name="Kỳ thử 2026", year=2026, framework=record)
    parts = {u.code: Participation.objects.create(cycle=cycle, unit=u) for u in (d1, d2)}
    plan = Plan.objects.create(title="Kế hoạch CCHC năm 2026", year=2026, decision="KH số 12/KH-UBND")
    t1 = Task.objects.create(plan=plan, title="Rà soát TTHC", lead_unit=d1, deadline=dt.date(2026, 6, 30),
                             criteria="3.2")
    t2 = Task.objects.create(plan=plan, title="Số hóa hồ sơ", lead_unit=d2, deadline=dt.date(2026, 7, 15))
    return World(fw=record.framework, record=record, d1=d1, d2=d2, users=users, cycle=cycle, parts=parts,
                 plan=plan, task1=t1, task2=t2)


def fill_all(world, part, quality=1.0):
    fill_part(world.fw, part, quality)


def publish(world, cycle, qualities: dict[str, float]):
    from cchc.web.assessments import workflow
    from cchc.web.assessments.models import Participation, State

    for code, q in qualities.items():
        part, _c = Participation.objects.get_or_create(cycle=cycle, unit=getattr(world, code.lower()))
        fill_all(world, part, q)
    cycle.state = State.APPROVED
    cycle.save()
    complete(cycle)
    workflow.transition(cycle, State.PUBLISHED, world.users["approver"], "QĐ công bố")
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def two_years(world):
    """2025 published (D1 0.95, D2 0.9), 2026 published (D1 0.7, D2 0.95) with 2025 as previous."""
    from cchc.web.assessments.models import Cycle

    c25 = Cycle.objects.create(name="Kỳ 2025", year=2025, framework=world.record)
    publish(world, c25, {"D1": 0.95, "D2": 0.9})
    world.cycle.previous = c25
    world.cycle.save()
    publish(world, world.cycle, {"D1": 0.7, "D2": 0.95})
    return c25, world.cycle


def tiny_pdf(text="x") -> bytes:
    from cchc.web.demo import tiny_pdf as make

    return make(text)
