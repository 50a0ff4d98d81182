"""Publication safeguards (issue 14): an incomplete cycle is neither approved nor published unless the council
chair leaves the incomplete units out of the ranking with a written reason; such a unit has no rank, no band and
no change in places anywhere; what is published is what the chair previewed."""

from __future__ import annotations

import pytest
from tests.web.helpers import complete, fill_all, set_state

from cchc.web.assessments import services, workflow
from cchc.web.assessments.models import LeafAssessment, Participation, State
from cchc.web.errors import Invalid, NotAllowed
from cchc.web.results import services as results_services

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _ready(world):
    """D1 complete, D2 submitted but not appraised."""
    fill_all(world, "D1", 0.9, appraise=True)
    fill_all(world, "D2", 0.6)
    set_state(world.cycle, State.FINAL_APPRAISAL)
    Participation.objects.filter(cycle=world.cycle).update(submitted_at="2026-03-01T00:00:00Z")


def test_what_is_missing_is_listed_per_unit_and_stage(world):
    fill_all(world, "D1", 0.9, appraise=True)
    set_state(world.cycle, State.FINAL_APPRAISAL)
    Participation.objects.filter(pk=world.part("D1").pk).update(submitted_at="2026-03-01T00:00:00Z")
    LeafAssessment.objects.filter(participation=world.part("D1")).update(explanation="đang viết")
    missing = {m["unit"].code: m["stages"] for m in services.incomplete(world.cycle)}
    assert missing == {"D1": ["explanation"], "D2": ["self", "appraisal"]}


def test_approval_and_publication_are_refused_while_a_unit_is_incomplete(world):
    _ready(world)
    with pytest.raises(workflow.WorkflowError, match="Sở Hai: chưa thẩm định đủ tiêu chí"):
        workflow.transition(world.cycle, State.APPROVED, world.users["approver"])
    set_state(world.cycle, State.APPROVED)
    with pytest.raises(workflow.WorkflowError, match="1 đơn vị chưa hoàn thành"):
        workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"])
    assert not world.cycle.snapshots.exists()


def test_only_the_chair_excludes_with_a_reason_and_then_the_cycle_publishes(world, client):
    _ready(world)
    part = world.part("D2")
    with pytest.raises(NotAllowed):
        services.exclude_from_ranking(part, "lý do", world.users["admin"])
    with pytest.raises(Invalid):
        services.exclude_from_ranking(part, "   ", world.users["approver"])
    services.exclude_from_ranking(part, "Giải thể giữa kỳ", world.users["approver"])
    part.refresh_from_db()
    assert part.history.first().history_change_reason == "Không xếp hạng: Giải thể giữa kỳ"
    cycle = workflow.transition(world.cycle, State.APPROVED, world.users["approver"])
    cycle = workflow.transition(cycle, State.PUBLISHED, world.users["approver"], previewed=results_services.preview_hash(cycle))
    snap = cycle.snapshots.get(published=True)
    d2 = next(u for u in snap.results["units"] if u["code"] == "D2")
    assert (d2["rank"], d2["band"], d2["index"], d2["excluded"]) == (None, None, None, "Giải thể giữa kỳ")
    assert (d2["change"] or {}).get("delta_rank") is None
    d1 = next(u for u in snap.results["units"] if u["code"] == "D1")
    assert (d1["rank"], d1["of"]) == (1, 1)
    assert snap.inputs["D2"]["excluded"] == "Giải thể giữa kỳ" and results_services.verify_snapshot(snap)
    with pytest.raises(NotAllowed):  # published: the exclusion is final
        services.include_in_ranking(world.part("D2"), world.users["approver"])


def test_what_is_published_is_what_was_previewed(world):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    set_state(world.cycle, State.APPROVED)
    complete(world.cycle)
    seen = results_services.preview_hash(world.cycle)
    la = LeafAssessment.objects.filter(participation=world.part("D2"), appraised_points__isnull=False).first()
    LeafAssessment.objects.filter(pk=la.pk).update(appraised_points=0)  # changed after the preview
    with pytest.raises(workflow.WorkflowError, match="thay đổi sau khi xem trước"):
        workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"], previewed=seen)
    cycle = workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"],
                                previewed=results_services.preview_hash(world.cycle))
    snap = cycle.snapshots.get(published=True)
    assert snap.created_by == world.users["approver"] and snap.created_at is not None


def test_the_publish_page_needs_the_confirmation(world, login):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    set_state(world.cycle, State.APPROVED)
    complete(world.cycle)
    c = login(world.users["approver"])
    r = c.post(f"/cycles/{world.cycle.pk}/transition/", {"target": "published"})
    assert r.status_code == 302 and r["Location"] == f"/cycles/{world.cycle.pk}/publish/"
    page = c.get(r["Location"])
    assert page.status_code == 200 and 'data-unit="D1"' in page.content.decode()
    seen = results_services.preview_hash(world.cycle)
    r = c.post(f"/cycles/{world.cycle.pk}/publish/", {"previewed": seen})  # not confirmed
    world.cycle.refresh_from_db()
    assert r.status_code == 200 and world.cycle.state == State.APPROVED
    r = c.post(f"/cycles/{world.cycle.pk}/publish/", {"previewed": seen, "confirm": "on"})
    world.cycle.refresh_from_db()
    assert r.status_code == 302 and world.cycle.state == State.PUBLISHED
    assert login(world.users["admin"]).get(f"/cycles/{world.cycle.pk}/publish/").status_code == 403


def test_a_unit_with_nothing_entered_is_not_ranked_in_the_preview(world):
    fill_all(world, "D1", 0.9)
    data = results_services.results_for(world.cycle)
    d2 = next(u for u in data["units"] if u["code"] == "D2")
    assert d2["rank"] is None and d2["band"] is None and d2["index"] is None


@pytest.mark.parametrize(("deadlines", "wrong"), [
    ({"self_deadline": "2026-04-01", "appraisal_deadline": "2026-03-01"}, "appraisal_deadline"),
    ({"self_deadline": "2026-03-01", "explanation_deadline": "2026-02-01"}, "explanation_deadline"),
    ({"appraisal_deadline": "2026-05-01", "explanation_deadline": "2026-04-30"}, "explanation_deadline"),
])
def test_deadlines_out_of_workflow_order_are_refused_with_a_message(world, login, deadlines, wrong):
    c = login(world.users["admin"])
    data = {"name": world.cycle.name, "self_deadline": "", "appraisal_deadline": "", "explanation_deadline": "",
            "units": [p.unit_id for p in world.cycle.participations.all()]} | deadlines
    r = c.post(f"/cycles/{world.cycle.pk}/edit/", data)
    body = r.content.decode()
    assert r.status_code == 200 and "phải sau hoặc cùng ngày với" in body  # the form again, with the message
    world.cycle.refresh_from_db()
    assert getattr(world.cycle, wrong) is None  # nothing saved
    ok = data | {"self_deadline": "2026-03-01", "appraisal_deadline": "2026-04-01", "explanation_deadline": "2026-04-01"}
    assert c.post(f"/cycles/{world.cycle.pk}/edit/", ok).status_code == 302
