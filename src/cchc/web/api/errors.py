"""The API's error bodies as the OpenAPI schema names them (one place for every area's ``api.py``).

``Error`` is ``{"detail": "…"}`` (DRF's own shape for 401/403/404 and the areas' refusals); ``FieldErrors`` is
``{"errors": {field: message}}`` (a refused save). Steering's refusals have the same shape under their own
component name, kept so that the published schema does not change."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer("Error", {"detail": serializers.CharField()})
FieldErrors = inline_serializer("FieldErrors", {"errors": serializers.DictField(child=serializers.CharField())})
SteeringError = inline_serializer("SteeringError", {"detail": serializers.CharField()})
