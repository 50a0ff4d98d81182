"""One truth for a cycle's state: only the workflow's transitions write it. A cycle's details saved at the same
moment as a transition (or a publication) never undo it — tried with real threads, both writers having read the
cycle before either writes, against every transition, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from tests.web.helpers import fill_all

from cchc.web.accounts import policy
from cchc.web.assessments import states, workflow
from cchc.web.assessments.models import Cycle, Participation, State, Transition
from cchc.web.results.models import ResultSnapshot, UnitResultDetail

pytestmark = [pytest.mark.db, pytest.mark.django_db(transaction=True)]

TRANSITIONS = list(states.TRANSITIONS)  # 7 forward, 6 back (reopen)
TRIES_PER_TRANSITION = 16  # 13 × 16 = 208 races in all


def _complete(world):
    """Every unit submitted, appraised and explained: approval and publication are not refused for want of data."""
    fill_all(world, "D1", 0.8, appraise=True)
    fill_all(world, "D2", 0.6, appraise=True)
    Participation.objects.filter(cycle=world.cycle).update(submitted_at=timezone.now(), explained_at=timezone.now())


def _reset(cycle, source):
    """The cycle back at ``source``, around the workflow (a test's shortcut): no snapshot left from the last try."""
    UnitResultDetail.objects.filter(snapshot__cycle=cycle).delete()
    ResultSnapshot.objects.filter(cycle=cycle).delete()
    Cycle.objects.filter(pk=cycle.pk).update(state=source)


def _race(world, edit_client, source, target, try_no, gate):
    """One race: the edit's request reads the cycle, the transition's thread reads it; then both write."""
    actor = world.users["approver" if target in (State.APPROVED, State.PUBLISHED) else "admin"]
    name = f"Kỳ thử 2026 — sửa {source}→{target} #{try_no}"
    outcome = {}

    def edit():
        try:
            gate.edit_thread = threading.get_ident()
            r = edit_client.post(f"/cycles/{world.cycle.pk}/edit/", {
                "name": name, "public": "on", "reason": "sửa tên", "narrative_vi": "",
                "units": [world.d1.pk, world.d2.pk]})
            outcome["edit"] = r.status_code
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["edit"] = exc
        finally:
            connection.close()

    def move():
        try:
            cycle = Cycle.objects.get(pk=world.cycle.pk)  # read before either writes
            gate.barrier.wait()
            time.sleep(random.random() * 0.004)  # either order: the edit's write before or after this one
            workflow.transition(cycle, target, actor, "lý do")
            outcome["move"] = True
        except Exception as exc:  # noqa: BLE001
            outcome["move"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=move)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return name, outcome


class Gate:
    """Holds the edit's request after it has read the cycle (its first policy question comes right after the
    read), until the transition's thread has read it too."""

    def __init__(self):
        self.barrier = threading.Barrier(2, timeout=20)
        self.edit_thread = None


def test_a_cycle_edit_never_undoes_a_transition(world, monkeypatch):
    _complete(world)
    admin = world.users["admin"]
    edit_client = Client()
    edit_client.force_login(admin)
    gate = Gate()
    can_manage = policy.can_manage

    def held(user):
        if threading.get_ident() == gate.edit_thread:
            gate.barrier.wait()
        return can_manage(user)

    monkeypatch.setattr(policy, "can_manage", held)
    random.seed(14)
    started = time.monotonic()
    tries, lost, lost_edits, failures = 0, [], [], []
    for source, target in TRANSITIONS:
        for i in range(TRIES_PER_TRANSITION):
            _reset(world.cycle, source)
            gate.barrier.reset()
            name, outcome = _race(world, edit_client, source, target, i, gate)
            tries += 1
            if outcome.get("move") is not True or outcome.get("edit") != 302:
                failures.append((source, target, outcome))
                continue
            cycle = Cycle.objects.get(pk=world.cycle.pk)
            if cycle.state != target:
                lost.append((source, target, i))
            if cycle.name != name:
                lost_edits.append((source, target, i))
            latest = cycle.history.order_by("-history_date", "-history_id").first()
            assert latest.state == target  # the history never records the state the edit had read
            if target == State.PUBLISHED:
                assert ResultSnapshot.objects.filter(cycle=cycle, published=True).count() == 1
    elapsed = time.monotonic() - started
    print(f"\n{tries} races, {len(lost)} lost transitions, {len(lost_edits)} lost edits, {elapsed:.1f} s")
    assert not failures, failures[:5]
    assert tries >= 200
    assert lost == [] and lost_edits == []
    assert Transition.objects.filter(cycle=world.cycle).count() == tries


def test_the_edit_form_writes_only_the_details(world, login):
    """No form writes ``state``: the edit page's fields and the columns its save writes."""
    from cchc.web.assessments.forms import CycleEditForm

    for state in State.values:
        Cycle.objects.filter(pk=world.cycle.pk).update(state=state)
        form = CycleEditForm(instance=Cycle.objects.get(pk=world.cycle.pk))
        assert "state" not in form.fields and "state" not in form.details()
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.OPEN)
    r = login(world.users["admin"]).post(f"/cycles/{world.cycle.pk}/edit/", {
        "name": "Kỳ thử", "state": "published", "units": [world.d1.pk, world.d2.pk]})
    assert r.status_code == 302
    assert Cycle.objects.get(pk=world.cycle.pk).state == State.OPEN
