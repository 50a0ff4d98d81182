"""Results API: a cycle's results and one unit's result, as the pages show them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.web.accounts import policy
from cchc.web.api.errors import ErrorSerializer
from cchc.web.assessments.models import Cycle
from cchc.web.org.models import Unit
from cchc.web.results import services


class ResultsView(APIView):
    @extend_schema(operation_id="cycle_results", responses={200: inline_serializer("Results", {
        "published": serializers.BooleanField(), "hash": serializers.CharField(),
        "framework": serializers.DictField(), "fields": serializers.ListField(child=serializers.DictField()),
        "units": serializers.ListField(child=serializers.DictField())}), 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, cycle_id: int):
        cycle = get_object_or_404(Cycle, pk=cycle_id)
        if not policy.can_view_results(request.user, cycle):
            raise PermissionDenied()
        data = services.results_for(cycle)
        data.pop("at", None)
        return Response(data)


class UnitResultView(APIView):
    @extend_schema(operation_id="cycle_unit_result", responses={200: inline_serializer("UnitResult", {
        "unit": serializers.DictField(), "nodes": serializers.DictField(),
        "leaf_points": serializers.DictField(), "lost": serializers.DictField()}),
        403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, cycle_id: int, unit_code: str):
        """One unit's result: summary (index, rank, band, change, narrative) and every node's points, leaf
        points and lost points."""
        cycle = get_object_or_404(Cycle, pk=cycle_id)
        unit = get_object_or_404(Unit, code=unit_code)
        if not (policy.can_view_results(request.user, cycle)
                or (cycle.is_published and policy.can_view_unit(request.user, unit))):
            raise PermissionDenied()
        summary = next((u for u in services.results_for(cycle)["units"] if u["code"] == unit_code), None)
        detail = services.unit_detail(cycle, unit_code)
        if summary is None or detail is None:
            raise NotFound()
        return Response({"unit": summary, **detail})


urlpatterns = [
    path("cycles/<id:cycle_id>/results/", ResultsView.as_view(), name="api-results"),
    path("cycles/<id:cycle_id>/results/<str:unit_code>/", UnitResultView.as_view(), name="api-unit-result"),
]
