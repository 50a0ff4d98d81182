"""REST API for steering: plans, tasks (with progress reports and state transitions) and targets (with
attainment). Same policy module and services as the pages."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cchc.steering.tasks import TaskState, TransitionError
from cchc.web.accounts import policy
from cchc.web.api.errors import SteeringError
from cchc.web.org.models import Unit

from . import services
from .models import Plan, ProgressReport, Target, Task, with_latest_percent


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "kind", "title", "year", "period", "decision", "issued_on"]
        extra_kwargs = {"year": {"min_value": 1900, "max_value": 2200}}


class TaskSerializer(serializers.ModelSerializer):
    lead_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    coordinating_units = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(), many=True,
                                                      required=False)
    display_state = serializers.SerializerMethodField()
    latest_percent = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "plan", "number", "title", "description", "lead_unit", "coordinating_units", "deadline",
                  "expected_output", "priority", "criteria", "source", "source_ref", "state", "display_state",
                  "completion_note", "completed_on", "cancel_reason", "latest_percent"]
        read_only_fields = ["state", "completion_note", "completed_on", "cancel_reason"]

    def get_display_state(self, obj) -> str:
        return obj.display_state()

    def get_latest_percent(self, obj) -> int | None:
        return obj.latest_percent


class TaskProgressSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    date = serializers.DateField(required=False)

    class Meta:
        model = ProgressReport
        fields = ["id", "date", "percent", "text", "user", "created_at"]
        read_only_fields = ["user", "created_at"]
        extra_kwargs = {"percent": {"min_value": 0, "max_value": 100}, "text": {"max_length": 20000}}


class TaskTransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=[s.value for s in TaskState])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    completion_note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    completed_on = serializers.DateField(required=False)


class TargetSerializer(serializers.ModelSerializer):
    attainment = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = ["id", "source", "description", "metric", "comparator", "value", "deadline", "attainment"]

    def get_attainment(self, obj) -> dict:
        row = next((r for r in self.context.get("rows", []) if r["target"].pk == obj.pk), None)
        if row is None:
            row = next(r for r in services.target_rows() if r["target"].pk == obj.pk)
        return {"status": row["status"], "label_vi": row["label_vi"], "latest": row["latest"],
                "latest_on": row["latest_on"].isoformat() if row["latest_on"] else None, "projected": row["projected"]}


class _Steering:
    lookup_value_regex = "[0-9]{1,9}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not policy.can_view_steering(request.user):
            raise PermissionDenied()

    def _manage(self):
        if not policy.can_manage_steering(self.request.user):
            raise PermissionDenied()


class PlanViewSet(_Steering, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanSerializer
    queryset = Plan.objects.all()

    def perform_create(self, serializer):
        self._manage()
        serializer.save()

    def perform_update(self, serializer):
        self._manage()
        serializer.save()


@extend_schema(parameters=[
    OpenApiParameter("unit", str, description="lead or coordinating unit code"),
    OpenApiParameter("plan", int), OpenApiParameter("state", str, description="state, or overdue")])
class TaskViewSet(_Steering, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = policy.visible_tasks(self.request.user, with_latest_percent(Task.objects.select_related("lead_unit", "plan"))
                                  .prefetch_related("coordinating_units")).order_by("deadline", "pk")
        p = self.request.query_params
        if self.action == "list":
            if p.get("unit"):

                qs = qs.filter(Q(lead_unit__code=p["unit"]) | Q(coordinating_units__code=p["unit"])).distinct()
            if p.get("plan", "").isdigit() and len(p["plan"]) < 10:
                qs = qs.filter(plan_id=int(p["plan"]))
            if p.get("state"):
                today = services.today()
                qs = [t for t in qs if t.display_state(today) == p["state"]]
        return qs

    def perform_create(self, serializer):
        self._manage()
        task = serializer.save()
        task.history.filter(history_type="+").update(history_user=self.request.user)

    def perform_update(self, serializer):
        self._manage()
        serializer.save()

    @extend_schema(methods=["GET"], responses={200: TaskProgressSerializer(many=True)})
    @extend_schema(methods=["POST"], request=TaskProgressSerializer,
                   responses={201: TaskProgressSerializer, 400: SteeringError, 403: SteeringError})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def progress(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(TaskProgressSerializer(task.progress.select_related("user"), many=True).data)
        if not policy.can_update_task(request.user, task):
            raise PermissionDenied()
        ser = TaskProgressSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            report = services.report_progress(task, request.user, ser.validated_data["percent"],
                                              ser.validated_data["text"], ser.validated_data.get("date"))
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(TaskProgressSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskTransitionSerializer,
                   responses={200: TaskSerializer, 400: SteeringError, 403: SteeringError})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        task = self.get_object()
        ser = TaskTransitionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        target = ser.validated_data["target"]
        if not policy.can_transition_task(request.user, task, target):
            raise PermissionDenied()
        try:
            task = services.transition(task, target, request.user, reason=ser.validated_data.get("reason", ""),
                                       completion_note=ser.validated_data.get("completion_note", ""),
                                       completed_on=ser.validated_data.get("completed_on"))
        except TransitionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(TaskSerializer(self.get_queryset().get(pk=task.pk)).data)


class TargetViewSet(_Steering, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = TargetSerializer
    queryset = Target.objects.all()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not policy.can_view_steering_results(request.user):
            raise PermissionDenied()

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            ctx["rows"] = services.target_rows()
        return ctx

    def perform_create(self, serializer):
        self._manage()
        serializer.save()


def register(router) -> None:
    router.register("steering/plans", PlanViewSet, basename="api-steering-plan")
    router.register("steering/tasks", TaskViewSet, basename="api-steering-task")
    router.register("steering/targets", TargetViewSet, basename="api-steering-target")
