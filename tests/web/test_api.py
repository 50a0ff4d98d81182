"""REST API: token authentication, per-leaf save with optimistic locking, transitions, results; and a
contract test generated from the OpenAPI schema with schemathesis (bounded number of examples)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from tests.web.helpers import complete, fill_all, set_state

from cchc.web.assessments.models import State

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_token_and_wrong_password(world, client):
    r = client.post("/api/token/", {"username": "focal", "password": "wrong"}, content_type="application/json")
    assert r.status_code == 400
    assert client.get("/api/units/").status_code in (401, 403)


def test_leaf_patch_with_optimistic_lock(world, api):
    set_state(world.cycle, State.OPEN)
    call = api(world.users["focal"])
    url = f"/api/cycles/{world.cycle.pk}/units/D1/leaves/"
    leaves = call("get", url).json()
    leaf = next(x for x in leaves if x["kind"] == "manual")
    r = call("patch", f"{url}{leaf['leaf_code']}/", {"stage": "self", "version": 0, "self_points": 0.5,
                                                     "justification": "api"})
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["self_points"] == 0.5
    from cchc.web.assessments.models import LeafAssessment

    # Token-authenticated changes are attributed in the history too.
    la = LeafAssessment.objects.get(participation=world.part("D1"), leaf_code=leaf["leaf_code"])
    assert la.history.first().history_user == world.users["focal"]
    r = call("patch", f"{url}{leaf['leaf_code']}/", {"stage": "self", "version": 0, "self_points": 0})
    assert r.status_code == 409 and r.json()["current"]["self_points"] == 0.5
    r = call("patch", f"{url}{leaf['leaf_code']}/", {"stage": "self", "version": 1, "self_points": 99})
    assert r.status_code == 400 and "self_points" in r.json()["errors"]
    # Other unit: refused by the same policy as the pages.
    assert call("get", f"/api/cycles/{world.cycle.pk}/units/D2/leaves/").status_code == 403


def test_units_visible_by_role(world, api):
    codes = {u["code"] for u in api(world.users["focal"])("get", "/api/units/").json()["results"]}
    assert codes == {"D1"}
    codes = {u["code"] for u in api(world.users["leader"])("get", "/api/units/").json()["results"]}
    assert codes == {"D1", "D2"}


def test_transition_and_results_over_api(world, api):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    set_state(world.cycle, State.FINAL_APPROVAL if hasattr(State, "FINAL_APPROVAL") else State.FINAL_APPRAISAL)
    complete(world.cycle)
    call = api(world.users["approver"])
    r = call("post", f"/api/cycles/{world.cycle.pk}/transition/", {"target": "approved"})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = call("post", f"/api/cycles/{world.cycle.pk}/transition/", {"target": "draft", "reason": ""})
    assert r.status_code in (400, 403)
    r = call("post", f"/api/cycles/{world.cycle.pk}/transition/", {"target": "published"})
    assert r.status_code == 200
    res = api(world.users["focal"])("get", f"/api/cycles/{world.cycle.pk}/results/").json()
    assert res["published"] and [u["rank"] for u in res["units"]] == [1, 2]


def test_schema_is_served(world, client):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    assert b"/api/cycles/{cycle_id}/units/{unit_code}/leaves/{leaf_code}/" in r.content


# ---- contract tests from the schema -----------------------------------------------------------------------


def _schema():
    from cchc.web.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _schema()


@pytest.fixture
def token_header(world, settings, tmp_path):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from rest_framework.authtoken.models import Token

    # schemathesis calls the WSGI app directly: keep the test's connection (and transaction) open, as
    # Django's own test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    set_state(world.cycle, State.OPEN)
    settings.CCHC_DOSSIER_STORE = tmp_path / "dossiers"  # uploads the schema's examples make stay in the test
    settings.CCHC_IMPORTS_INLINE = True
    yield {"Authorization": f"Token {Token.objects.get_or_create(user=world.users['admin'])[0].key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_contract(case, token_header):
    """No 5xx, responses conform to the schema (status codes, content types, bodies)."""
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    # DRF's limit/offset pagination ignores malformed values by design, so "negative data rejection" is
    # not checked; everything else is.
    case.call_and_validate(headers=token_header, checks=[not_a_server_error, status_code_conformance,
                                                         content_type_conformance, response_schema_conformance])
