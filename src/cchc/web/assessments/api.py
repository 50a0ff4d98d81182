"""Assessment API: frameworks, cycles (with transitions), a unit's leaves and its submission. Same policy module
and services as the pages."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.web.accounts import policy
from cchc.web.api.errors import ErrorSerializer, FieldErrors
from cchc.web.assessments import frameworks, services, workflow
from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment, Participation, State
from cchc.web.errors import API_STATUS, status_of

# ---- serializers ------------------------------------------------------------------------------------------




class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = FrameworkRecord
        fields = ["id", "framework_id", "version", "name"]


class FrameworkDetailSerializer(FrameworkSerializer):
    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "data"]


class CycleSerializer(serializers.ModelSerializer):
    framework = FrameworkSerializer(read_only=True)
    units = serializers.SerializerMethodField()

    class Meta:
        model = Cycle
        fields = ["id", "name", "year", "state", "framework", "previous", "self_deadline", "appraisal_deadline",
                  "explanation_deadline", "public", "units"]

    def get_units(self, obj) -> list[str]:
        return [p.unit.code for p in obj.participations.all()]


class LeafSerializer(serializers.Serializer):
    leaf_code = serializers.CharField()
    field_code = serializers.CharField()
    name_vi = serializers.CharField()
    max_points = serializers.FloatField(allow_null=True)
    kind = serializers.CharField()
    evidence_required = serializers.BooleanField()
    self_points = serializers.FloatField(allow_null=True)
    justification = serializers.CharField(allow_blank=True)
    no_evidence_reason = serializers.CharField(allow_blank=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    survey_index = serializers.FloatField(allow_null=True)
    appraised_points = serializers.FloatField(allow_null=True)
    appraisal_comment = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


class LeafUpdateSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=["self", "appraise", "explain"])
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    self_points = serializers.FloatField(required=False, allow_null=True)
    justification = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    no_evidence_reason = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    numerator = serializers.FloatField(required=False, allow_null=True)
    denominator = serializers.FloatField(required=False, allow_null=True)
    appraised_points = serializers.FloatField(required=False, allow_null=True)
    appraisal_comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    accept = serializers.BooleanField(required=False)
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=State.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)




# ---- token ------------------------------------------------------------------------------------------------




# ---- read-only collections --------------------------------------------------------------------------------




class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = FrameworkRecord.objects.all()
    lookup_value_regex = "[0-9]{1,9}"

    def get_queryset(self):
        if not policy.has_any_role(self.request.user):
            return FrameworkRecord.objects.none()
        return FrameworkRecord.objects.all()

    def get_serializer_class(self):
        return FrameworkDetailSerializer if self.action == "retrieve" else FrameworkSerializer


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CycleSerializer
    lookup_value_regex = "[0-9]{1,9}"

    def get_queryset(self):
        qs = Cycle.objects.select_related("framework").prefetch_related("participations__unit")
        return policy.visible_cycles(self.request.user, qs)

    @extend_schema(request=TransitionSerializer, responses={200: CycleSerializer, 400: ErrorSerializer,
                                                            403: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        cycle = self.get_object()
        ser = TransitionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # a refused transition is 400 {"detail"} (cchc.web.errors, through the API's exception handler)
        cycle = workflow.transition(cycle, ser.validated_data["target"], request.user,
                                    ser.validated_data.get("reason", ""))
        return Response(CycleSerializer(self.get_queryset().get(pk=cycle.pk)).data)

    @extend_schema(responses={200: inline_serializer("Progress", {
        "unit": serializers.CharField(), "leaves": serializers.IntegerField(), "scored": serializers.IntegerField(),
        "appraised": serializers.IntegerField(), "submitted": serializers.BooleanField(),
        "overdue": serializers.BooleanField()}, many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def progress(self, request, pk=None):
        cycle = self.get_object()
        rows = [r for r in services.progress(cycle) if policy.can_view_unit(request.user, r["unit"])]
        return Response([{"unit": r["unit"].code, "leaves": r["leaves"], "scored": r["scored"],
                          "appraised": r["appraised"], "submitted": r["submitted"], "overdue": r["overdue"]}
                         for r in rows])


# ---- per-leaf assessments ---------------------------------------------------------------------------------


def _participation(request, cycle_id, unit_code) -> Participation:
    try:
        part = Participation.objects.select_related("cycle", "cycle__framework", "unit").get(
            cycle_id=cycle_id, unit__code=unit_code
        )
    except Participation.DoesNotExist as exc:
        raise NotFound() from exc
    if not policy.can_view_sheet(request.user, part):
        raise PermissionDenied()
    return part


def _leaf_data(part, row, la) -> dict:
    node = row.node
    return {
        "leaf_code": node.code, "field_code": row.field_code, "name_vi": node.name_vi, "max_points": node.max_points,
        "kind": node.kind or "manual", "evidence_required": node.evidence == "required",
        "self_points": la.self_points if la else None, "justification": la.justification if la else "",
        "no_evidence_reason": la.no_evidence_reason if la else "",
        "numerator": la.numerator if la else None, "denominator": la.denominator if la else None,
        "survey_index": la.survey_index if la else None,
        "appraised_points": la.appraised_points if la else None,
        "appraisal_comment": la.appraisal_comment if la else "", "explanation": la.explanation if la else "",
        "evidence": [e.name for e in la.evidence.all()] if la else [], "version": la.version if la else 0,
    }


class LeafList(APIView):
    @extend_schema(responses={200: LeafSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, cycle_id: int, unit_code: str):
        part = _participation(request, cycle_id, unit_code)
        fw = part.cycle.framework.framework
        stored = {la.leaf_code: la for la in part.leaves.prefetch_related("evidence")}
        rows = policy.visible_leaf_rows(request.user, part, frameworks.leaf_rows(fw, part.unit.unit_type))
        return Response([_leaf_data(part, r, stored.get(r.node.code)) for r in rows])


class LeafDetail(APIView):
    def _row(self, part, leaf_code):
        fw = part.cycle.framework.framework
        row = next((r for r in frameworks.leaf_rows(fw, part.unit.unit_type) if r.node.code == leaf_code), None)
        if row is None:
            raise NotFound()
        if not policy.can_view_leaf(self.request.user, part, row.field_code):
            raise PermissionDenied()
        return row

    @extend_schema(responses={200: LeafSerializer, 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request, cycle_id: int, unit_code: str, leaf_code: str):
        part = _participation(request, cycle_id, unit_code)
        row = self._row(part, leaf_code)
        la = LeafAssessment.objects.filter(participation=part, leaf_code=leaf_code).first()
        return Response(_leaf_data(part, row, la))

    @extend_schema(
        request=LeafUpdateSerializer,
        responses={200: LeafSerializer, 400: FieldErrors, 403: ErrorSerializer, 404: ErrorSerializer,
                   409: inline_serializer("Conflict", {"detail": serializers.CharField(), "current": LeafSerializer()})},
        description="Save one leaf. ``version`` must be the version read; a stale version is refused with 409.",
    )
    def patch(self, request, cycle_id: int, unit_code: str, leaf_code: str):
        part = _participation(request, cycle_id, unit_code)
        row = self._row(part, leaf_code)
        ser = LeafUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        stage = data.pop("stage")
        version = data.pop("version")
        op = {"self": services.save_self, "appraise": services.save_appraisal, "explain": services.save_explanation}
        try:
            result = op[stage](part, leaf_code, data, request.user, version)
        except services.Conflict as exc:  # the 409 carries the current values (the handler gives only the detail)
            return Response({"detail": str(exc), "current": _leaf_data(part, row, exc.current)},
                            status=status_of(exc, API_STATUS))
        return Response(_leaf_data(part, row, result.leaf))


class SubmitView(APIView):
    @extend_schema(request=None, responses={200: inline_serializer("Submitted", {"submitted_at": serializers.DateTimeField()}),
                                            400: FieldErrors, 403: ErrorSerializer, 404: ErrorSerializer})
    def post(self, request, cycle_id: int, unit_code: str):
        part = _participation(request, cycle_id, unit_code)
        services.submit(part, request.user)  # refused: 400 {"errors": …} (cchc.web.errors)
        return Response({"submitted_at": part.submitted_at})






def register(router) -> None:
    router.register("frameworks", FrameworkViewSet, basename="api-framework")
    router.register("cycles", CycleViewSet, basename="api-cycle")


urlpatterns = [
    path("cycles/<id:cycle_id>/units/<str:unit_code>/leaves/", LeafList.as_view(), name="api-leaves"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/leaves/<str:leaf_code>/", LeafDetail.as_view(),
         name="api-leaf"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/submit/", SubmitView.as_view(), name="api-submit"),
]
