"""Published is final in the Django admin too: no history revert, no delete of published assessments,
participations, snapshots (nor, with them, evidence), a started cycle's framework read-only, the state never
written by the admin; a published cycle's name and public flag change only on its page, with a reason."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.web.helpers import fill_all

from cchc.web.assessments import workflow
from cchc.web.assessments.admin import ParticipationInline
from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment, Participation, State
from cchc.web.results.models import ResultSnapshot

pytestmark = [pytest.mark.db, pytest.mark.django_db]


@pytest.fixture
def root(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.invalid", "x"))
    return client


def _publish(world):
    fill_all(world, "D1", 0.8, appraise=True)
    fill_all(world, "D2", 0.6, appraise=True)
    Participation.objects.filter(cycle=world.cycle).update(submitted_at=timezone.now(), explained_at=timezone.now())
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.APPROVED)
    return workflow.transition(Cycle.objects.get(pk=world.cycle.pk), State.PUBLISHED, world.users["approver"], "QĐ")


def test_history_is_never_reverted(world, root):
    cycle = _publish(world)
    first = cycle.history.order_by("history_date", "history_id").first()
    url = f"/admin/assessments/cycle/{cycle.pk}/history/{first.history_id}/"
    page = root.get(url)
    assert page.status_code == 200 and "Revert" not in page.content.decode() and "Khôi phục" not in page.content.decode()
    r = root.post(url, {"name": "Đổi lại", "year": cycle.year, "framework": cycle.framework_id})
    assert r.status_code == 403
    cycle.refresh_from_db()
    assert cycle.state == State.PUBLISHED and cycle.name == "Kỳ thử 2026"
    la = LeafAssessment.objects.filter(participation__cycle=cycle).first()
    old = la.history.order_by("history_date").first()
    assert root.post(f"/admin/assessments/leafassessment/{la.pk}/history/{old.history_id}/", {}).status_code == 403
    unit_history = world.d1.history.first()
    assert root.post(f"/admin/org/unit/{world.d1.pk}/history/{unit_history.history_id}/",
                     {"code": "X", "name": "X", "unit_type": "department"}).status_code == 403


def test_published_data_is_never_deleted(world, root):
    cycle = _publish(world)
    la = LeafAssessment.objects.filter(participation__cycle=cycle).first()
    snap = ResultSnapshot.objects.get(cycle=cycle, published=True)
    for url in (f"/admin/assessments/leafassessment/{la.pk}/delete/", f"/admin/assessments/cycle/{cycle.pk}/delete/",
                f"/admin/results/resultsnapshot/{snap.pk}/delete/"):
        assert root.get(url).status_code == 403, url
        assert root.post(url, {"post": "yes"}).status_code == 403, url
    # "delete selected" is not offered, and a forged action deletes nothing
    for changelist in ("/admin/assessments/leafassessment/", "/admin/assessments/cycle/",
                       "/admin/results/resultsnapshot/"):
        page = root.get(changelist)
        assert 'value="delete_selected"' not in page.content.decode()
    r = root.post("/admin/assessments/leafassessment/",
                  {"action": "delete_selected", "_selected_action": [la.pk], "post": "yes"})
    assert r.status_code in (200, 302, 403)
    assert LeafAssessment.objects.filter(pk=la.pk).exists()
    assert Participation.objects.filter(cycle=cycle).count() == 2
    assert ResultSnapshot.objects.filter(pk=snap.pk).exists() and Cycle.objects.filter(pk=cycle.pk).exists()
    # the participations of a started cycle: neither added, changed nor deleted through the cycle's page
    from django.contrib import admin

    inline = ParticipationInline(Cycle, admin.site)
    request = root.get("/admin/").wsgi_request
    assert not inline.has_delete_permission(request, cycle) and not inline.has_add_permission(request, cycle)


def test_a_published_cycle_is_read_only_in_the_admin(world, root):
    cycle = _publish(world)
    r = root.post(f"/admin/assessments/cycle/{cycle.pk}/change/",
                  {"name": "Đổi", "year": cycle.year, "public": "on", "participations-TOTAL_FORMS": "0",
                   "participations-INITIAL_FORMS": "0"})
    assert r.status_code == 403
    cycle.refresh_from_db()
    assert cycle.name == "Kỳ thử 2026" and not cycle.public


def test_the_framework_of_a_started_cycle_is_read_only_and_the_admin_never_writes_the_state(world, root):
    other = FrameworkRecord.objects.create(framework_id="x", version="1", name="X", data={})
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.OPEN)
    page = root.get(f"/admin/assessments/cycle/{world.cycle.pk}/change/").content.decode()
    assert 'name="framework"' not in page and 'name="state"' not in page
    form = {"name": "Kỳ thử (admin)", "year": 2026, "framework": other.pk, "state": "published",
            "participations-TOTAL_FORMS": "0", "participations-INITIAL_FORMS": "0"}
    r = root.post(f"/admin/assessments/cycle/{world.cycle.pk}/change/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    cycle = Cycle.objects.get(pk=world.cycle.pk)
    assert (cycle.name, cycle.framework_id, cycle.state) == ("Kỳ thử (admin)", world.record.pk, State.OPEN)
    # a framework used by a started cycle is itself read-only
    assert root.post(f"/admin/assessments/frameworkrecord/{world.record.pk}/change/",
                     {"framework_id": "y", "version": "9", "name": "Y"}).status_code == 403
    # a draft cycle's framework may still be changed
    Cycle.objects.filter(pk=world.cycle.pk).update(state=State.DRAFT)
    assert 'name="framework"' in root.get(f"/admin/assessments/cycle/{world.cycle.pk}/change/").content.decode()


def test_name_and_public_flag_of_a_published_cycle_change_only_with_a_reason(world, login):
    cycle = _publish(world)
    c = login(world.users["admin"])
    url = f"/cycles/{cycle.pk}/edit/"
    r = c.post(url, {"name": "Kỳ 2026 (đã sửa)", "public": "on"})
    assert r.status_code == 200 and "cần nêu lý do" in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.name == "Kỳ thử 2026" and not cycle.public
    r = c.post(url, {"name": "Kỳ 2026 (đã sửa)", "public": "on", "reason": "Sai chính tả",
                     "narrative_vi": "đổi", "self_deadline": "2030-01-01"})
    assert r.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.public, cycle.state) == ("Kỳ 2026 (đã sửa)", True, State.PUBLISHED)
    assert cycle.narrative_vi == "" and cycle.self_deadline is None  # the other details are final
    latest = cycle.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Sửa kỳ đã công bố: Sai chính tả",
                                                                    world.users["admin"])
