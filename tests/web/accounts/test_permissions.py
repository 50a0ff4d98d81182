"""The permission matrix: role × endpoint × own/other unit, on pages and API alike.

Each row names an endpoint, the cycle state it is tried in, and the roles allowed for the own unit (D1) and
for the other unit (D2). Everyone else must be refused (403, or 404 where the object is hidden, or a redirect
to the login page for anonymous visitors)."""

import pytest
from tests.web.helpers import complete, fill_all, past_policy, set_state

from cchc.core.scoring import level_points
from cchc.web.assessments import frameworks
from cchc.web.assessments.models import State
from cchc.web.reports.models import ReportJob
from cchc.web.results.models import UnitResultDetail

pytestmark = [pytest.mark.db, pytest.mark.django_db]

ROLES = ["admin", "focal", "appraiser", "field_appraiser", "approver", "leader", "nobody", "anonymous"]
READERS = {"admin", "approver", "leader"}

# endpoint, method, state, allowed on own unit (D1), allowed on other unit (D2)
MATRIX = [
    ("self_page", "get", State.OPEN, READERS | {"focal", "appraiser", "field_appraiser"}, READERS | {"field_appraiser"}),
    ("self_save", "post", State.OPEN, {"admin", "focal"}, {"admin"}),
    ("submit", "post", State.OPEN, {"admin", "focal"}, {"admin"}),
    ("appraise_save", "post", State.APPRAISAL, {"admin", "appraiser"}, {"admin"}),
    ("appraise_save_field2", "post", State.APPRAISAL, {"admin", "appraiser", "field_appraiser"},
     {"admin", "field_appraiser"}),
    ("sheet_xlsx", "get", State.APPRAISAL, READERS | {"focal", "appraiser", "field_appraiser"},
     READERS | {"field_appraiser"}),
    ("api_leaves", "get", State.OPEN, READERS | {"focal", "appraiser", "field_appraiser"},
     READERS | {"field_appraiser"}),
    ("api_self_patch", "patch", State.OPEN, {"admin", "focal"}, {"admin"}),
    ("results_preview", "get", State.APPROVED, READERS, READERS),
    ("results_xlsx_preview", "get", State.APPROVED, READERS, READERS),
    ("api_results_preview", "get", State.APPROVED, READERS, READERS),
    ("transition_close", "post", State.OPEN, {"admin"}, {"admin"}),
    ("transition_publish", "post", State.APPROVED, {"approver"}, {"approver"}),
    ("units_import_page", "get", State.OPEN, {"admin"}, {"admin"}),
    ("remind", "post", State.OPEN, {"admin"}, {"admin"}),
    ("people_page", "get", State.OPEN, {"admin"}, {"admin"}),
    ("cycle_new_page", "get", State.OPEN, {"admin"}, {"admin"}),
    ("cycle_edit_page", "get", State.OPEN, {"admin"}, {"admin"}),
    ("computed_import_page", "get", State.OPEN, {"admin"}, {"admin"}),
    ("return_submission", "post", State.OPEN, {"admin"}, {"admin"}),
    ("explain_save", "post", State.EXPLANATION, {"admin", "focal"}, {"admin"}),
    ("evidence_upload", "post", State.OPEN, {"admin", "focal"}, {"admin"}),
    ("unit_result_preview", "get", State.APPROVED, READERS, READERS),
    # reports cover every unit (policy.can_make_reports); a job is its maker's and the administrator's
    # (policy.can_view_report_job): the job here is the administrator's, so "own" and "other" unit agree
    ("reports", "get", State.OPEN, READERS, READERS),
    ("report_job_of_admin", "get", State.OPEN, {"admin"}, {"admin"}),
    # a field appraiser (field 2) sees the criteria of its own fields only: history, API, evidence (issue 14)
    ("leaf_history_field1", "get", State.OPEN, READERS | {"focal", "appraiser"}, READERS),
    ("leaf_history_field2", "get", State.OPEN, READERS | {"focal", "appraiser", "field_appraiser"},
     READERS | {"field_appraiser"}),
    ("api_leaf_field1", "get", State.OPEN, READERS | {"focal", "appraiser"}, READERS),
    ("api_leaf_field2", "get", State.OPEN, READERS | {"focal", "appraiser", "field_appraiser"},
     READERS | {"field_appraiser"}),
    ("evidence_download_field1", "get", State.OPEN, READERS | {"focal", "appraiser"}, READERS),
    ("evidence_download_field2", "get", State.OPEN, READERS | {"focal", "appraiser", "field_appraiser"},
     READERS | {"field_appraiser"}),
    # separation of duties (issue 14): here "focal" also appraises D1 and D2 and "admin" is also the focal point of
    # D2 — nobody appraises the unit they are the focal point of
    ("appraise_save_focal_also_appraiser", "post", State.APPRAISAL, {"admin", "appraiser"}, {"focal"}),
    # here "admin" also holds the approver role and opened the cycle: who prepared the cycle does not publish it
    ("transition_publish_admin_also_approver", "post", State.APPROVED, {"approver"}, {"approver"}),
]


def _leaf(world, field):
    return next(n.code for n in world.fw.leaves("department")
                if frameworks.field_of(world.fw, n.code) == field and frameworks.entry_kind(n) == "points"
                and not level_points(n))


def _request(client, world, endpoint, unit):
    cid = world.cycle.pk
    leaf1, leaf2 = _leaf(world, "1"), _leaf(world, "2")
    base = f"/cycles/{cid}/units/{unit}"
    if endpoint == "self_page":
        return client.get(f"{base}/self/")
    if endpoint == "self_save":
        return client.post(f"{base}/self/leaf/{leaf1}/", {"self_points": "0", "version": "0"}, HTTP_HX_REQUEST="true")
    if endpoint == "submit":
        return client.post(f"{base}/submit/")
    if endpoint == "appraise_save":
        return client.post(f"{base}/appraise/leaf/{leaf1}/", {"accept": "1", "version": "0"}, HTTP_HX_REQUEST="true")
    if endpoint == "appraise_save_field2":
        return client.post(f"{base}/appraise/leaf/{leaf2}/", {"accept": "1", "version": "0"}, HTTP_HX_REQUEST="true")
    if endpoint == "sheet_xlsx":
        return client.get(f"{base}/sheet.xlsx")
    if endpoint == "api_leaves":
        return client.get(f"/api/cycles/{cid}/units/{unit}/leaves/")
    if endpoint == "api_self_patch":
        return client.patch(f"/api/cycles/{cid}/units/{unit}/leaves/{leaf1}/",
                            {"stage": "self", "version": 0, "self_points": 0}, content_type="application/json")
    if endpoint == "results_preview":
        return client.get(f"/cycles/{cid}/results/")
    if endpoint == "results_xlsx_preview":
        return client.get(f"/cycles/{cid}/results.xlsx")
    if endpoint == "api_results_preview":
        return client.get(f"/api/cycles/{cid}/results/")
    if endpoint == "transition_close":
        return client.post(f"/cycles/{cid}/transition/", {"target": "self_closed"})
    if endpoint == "transition_publish":
        return client.post(f"/cycles/{cid}/transition/", {"target": "published"})
    if endpoint == "units_import_page":
        return client.get("/units/import/")
    if endpoint == "remind":
        return client.post(f"/cycles/{cid}/remind/")
    if endpoint == "people_page":
        return client.get("/people/")
    if endpoint == "cycle_new_page":
        return client.get("/cycles/new/")
    if endpoint == "cycle_edit_page":
        return client.get(f"/cycles/{cid}/edit/")
    if endpoint == "computed_import_page":
        return client.get(f"/cycles/{cid}/computed/")
    if endpoint == "return_submission":
        return client.post(f"{base}/return/", {"reason": "sửa lại"})
    if endpoint == "explain_save":
        return client.post(f"{base}/explain/leaf/{leaf1}/", {"explanation": "x", "version": "0"},
                           HTTP_HX_REQUEST="true")
    if endpoint == "evidence_upload":
        import io

        from cchc.web.demo import tiny_pdf

        f = io.BytesIO(tiny_pdf(f"{unit}"))
        f.name = "a.pdf"
        return client.post(f"{base}/self/leaf/{leaf1}/evidence/", {"file": f}, HTTP_HX_REQUEST="true")
    if endpoint == "unit_result_preview":
        return client.get(f"/cycles/{cid}/results/{unit}/")
    if endpoint == "reports":
        return client.get("/reports/")
    if endpoint == "report_job_of_admin":
        job, _ = ReportJob.objects.get_or_create(kind="review", params={"period": "2026"}, status="done",
                                                 created_by=world.users["admin"])
        return client.get(f"/reports/{job.pk}/")
    if endpoint in ("leaf_history_field1", "leaf_history_field2"):
        return client.get(f"{base}/history/{leaf1 if endpoint.endswith('1') else leaf2}/")
    if endpoint in ("api_leaf_field1", "api_leaf_field2"):
        return client.get(f"/api/cycles/{cid}/units/{unit}/leaves/{leaf1 if endpoint.endswith('1') else leaf2}/")
    if endpoint in ("evidence_download_field1", "evidence_download_field2"):
        from cchc.web.assessments import evidence as evidence_mod
        from cchc.web.assessments.models import LeafAssessment
        from cchc.web.demo import tiny_pdf

        la = LeafAssessment.objects.get(participation__unit__code=unit, participation__cycle_id=cid,
                                        leaf_code=leaf1 if endpoint.endswith("1") else leaf2)
        ev = la.evidence.first() or evidence_mod.store_bytes(la, "a.pdf", tiny_pdf(f"{unit} {la.leaf_code}"),
                                                             world.users["admin"])
        return client.get(f"/evidence/{ev.pk}/")
    if endpoint == "appraise_save_focal_also_appraiser":
        from cchc.web.accounts.models import Role, RoleAssignment

        for d in (world.d1, world.d2):
            RoleAssignment.objects.get_or_create(user=world.users["focal"], role=Role.APPRAISER, unit=d)
        RoleAssignment.objects.get_or_create(user=world.users["admin"], role=Role.FOCAL, unit=world.d2)
        return client.post(f"{base}/appraise/leaf/{leaf1}/", {"accept": "1", "version": "0"}, HTTP_HX_REQUEST="true")
    if endpoint == "transition_publish_admin_also_approver":
        from cchc.web.accounts.models import Role, RoleAssignment
        from cchc.web.assessments.models import Transition

        RoleAssignment.objects.get_or_create(user=world.users["admin"], role=Role.APPROVER, unit=None)
        Transition.objects.get_or_create(cycle=world.cycle, from_state=State.DRAFT, to_state=State.OPEN,
                                         user=world.users["admin"])
        return client.post(f"/cycles/{cid}/transition/", {"target": "published"})
    raise AssertionError(endpoint)




@pytest.mark.parametrize("endpoint,method,state,own,other", MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(world, client, endpoint, method, state, own, other):
    fill_all(world, "D1", 1.0)
    fill_all(world, "D2", 1.0)
    seen = {}
    for role in ROLES:
        for unit, allowed in (("D1", own), ("D2", other)):
            set_state(world.cycle, state)
            world.parts["D1"].__class__.objects.update(submitted_at=None)
            UnitResultDetail.objects.all().delete()
            world.cycle.snapshots.all().delete()
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = _request(client, world, endpoint, unit)
            seen[(role, unit)] = past_policy(response)
            expected = role in allowed
            assert seen[(role, unit)] == expected, (endpoint, role, unit, response.status_code)


def test_published_results_visible_to_every_role_not_to_nobody(world, client):
    fill_all(world, "D1", 1.0)
    fill_all(world, "D2", 0.5)
    set_state(world.cycle, State.APPROVED)
    complete(world.cycle)
    from cchc.web.assessments import workflow

    workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"], "QĐ")
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        r = client.get(f"/cycles/{world.cycle.pk}/results/")
        assert past_policy(r) == (role not in ("nobody", "anonymous")), role


def test_public_results_page_follows_setting(world, client, settings):
    fill_all(world, "D1", 1.0)
    fill_all(world, "D2", 0.5)
    set_state(world.cycle, State.APPROVED)
    complete(world.cycle)
    from cchc.web.assessments import workflow

    workflow.transition(world.cycle, State.PUBLISHED, world.users["approver"], "QĐ")
    url = f"/public/cycles/{world.cycle.pk}/"
    assert client.get(url).status_code == 404  # cycle not marked public
    world.cycle.refresh_from_db()
    world.cycle.public = True
    world.cycle.save()
    assert client.get(url).status_code == 200
    settings.CCHC_PUBLIC_RESULTS = False
    assert client.get(url).status_code == 404
