"""One exception type per kind of refusal, each mapped to its HTTP status in one place (cchc.web.errors)."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from cchc.web import errors
from cchc.web.api.errors import api_exception_handler


@pytest.mark.parametrize(("exc", "page", "api"), [
    (errors.NotAllowed("x"), 403, 403),
    (errors.NotFound("x"), 404, 404),
    (errors.Conflict("x"), 409, 409),
    (errors.Invalid({"points": "x"}), 422, 400),
    (errors.Unacceptable("x"), 422, 422),
    (errors.Refused("x"), 400, 400),
])
def test_each_kind_has_one_status(exc, page, api):
    assert errors.status_of(exc) == page
    assert errors.status_of(exc, errors.API_STATUS) == api


def test_a_subclass_takes_its_nearest_listed_kind():
    class StaleLeaf(errors.Conflict):
        pass

    assert errors.status_of(StaleLeaf("x")) == 409
    assert isinstance(errors.NotAllowed("x"), PermissionError) and isinstance(errors.NotFound("x"), LookupError)


@pytest.mark.django_db
@pytest.mark.parametrize(("exc", "status"), [(errors.NotAllowed("x"), 403), (errors.NotFound("x"), 404)])
def test_a_refusal_no_page_caught_is_the_403_or_404_page(exc, status):
    middleware = errors.RefusalMiddleware(lambda r: None)
    response = middleware.process_exception(RequestFactory().get("/cycles/1/"), exc)
    assert response.status_code == status and b"<html" in response.content.lower()
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None


@pytest.mark.parametrize(("exc", "status", "body"), [
    (errors.NotAllowed("x"), 403, {"detail": str(exceptions.PermissionDenied.default_detail)}),
    (errors.NotFound("x"), 404, {"detail": str(exceptions.NotFound.default_detail)}),
    (errors.Invalid({"points": "không phải là số"}), 400, {"errors": {"points": "không phải là số"}}),
    (errors.Refused("Không thể chuyển"), 400, {"detail": "Không thể chuyển"}),
    (errors.Conflict("đã được lưu"), 409, {"detail": "đã được lưu"}),
])
def test_the_api_answers_a_refusal_with_its_status_and_body(exc, status, body):
    """DRF's own 403/404 wording (in the page's language), the refusal's message otherwise."""
    request = APIRequestFactory().get("/api/cycles/")
    response = api_exception_handler(exc, {"request": request, "view": None})
    assert response.status_code == status and json.loads(json.dumps(response.data)) == body
