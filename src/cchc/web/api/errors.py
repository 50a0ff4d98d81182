"""The API's error bodies as the OpenAPI schema names them (one place for every area's ``api.py``).

``Error`` is ``{"detail": "…"}`` (DRF's own shape for 401/403/404 and the areas' refusals); ``FieldErrors`` is
``{"errors": {field: message}}`` (a refused save). Steering's refusals have the same shape under their own
component name, kept so that the published schema does not change."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cchc.web.errors import API_STATUS, Invalid, NotAllowed, NotFound, Refused, status_of

ErrorSerializer = inline_serializer("Error", {"detail": serializers.CharField()})
FieldErrors = inline_serializer("FieldErrors", {"errors": serializers.DictField(child=serializers.CharField())})
SteeringError = inline_serializer("SteeringError", {"detail": serializers.CharField()})


def api_exception_handler(exc, context):
    """DRF's handler, with the refusals of :mod:`cchc.web.errors` answered by their :data:`API_STATUS`: 403 and
    404 as DRF words them, ``{"errors": {field: message}}`` for :class:`Invalid`, ``{"detail": …}`` otherwise."""
    if isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, NotFound):
        exc = exceptions.NotFound()
    elif isinstance(exc, Invalid):
        return Response({"errors": exc.errors}, status=status_of(exc, API_STATUS))
    elif isinstance(exc, Refused):
        return Response({"detail": str(exc)}, status=status_of(exc, API_STATUS))
    return exception_handler(exc, context)
