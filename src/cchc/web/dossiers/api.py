"""REST API for service delivery (issue 5): the Decision 766 indicator records and late dossiers, as the pages
show them (the library's numbers through :mod:`cchc.web.dossiers.services`), and dossier imports for the
administrator — so that a one-stop-shop system can push its monthly export and read the results back.

Same policy as the pages: the province for readers of all units, a focal point its own units only."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core.periods import GRANULARITIES
from cchc.web.accounts import policy
from cchc.web.dossiers import services
from cchc.web.dossiers.forms import DossierImportForm
from cchc.web.dossiers.models import DossierImport

UNIT = OpenApiParameter("unit", str, description="Dossier unit code (MaDonVi), a parent unit code or * (province)")
PERIOD = OpenApiParameter("period", str, enum=list(GRANULARITIES), description="Granularity (default month)")
LABEL = OpenApiParameter("p", str, description="One period: 2025, 2025-H1, 2025-Q2 or 2025-05")


QueryErrors = inline_serializer("ServicesQueryErrors", {
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))})


def _bad(field: str, text: str) -> ValidationError:
    return ValidationError({"errors": {field: [text]}})


def _page(name: str, item: serializers.Field) -> serializers.Serializer:
    return inline_serializer(name, {"count": serializers.IntegerField(),
                                    "next": serializers.URLField(allow_null=True),
                                    "previous": serializers.URLField(allow_null=True),
                                    "results": serializers.ListField(child=item)})


def _paginated(request, view, rows, shape=lambda row: row) -> Response:  # noqa: ANN001
    """One page of ``rows`` (a list or a query set), each page item passed through ``shape``."""
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response([shape(row) for row in page])


def _label(request, granularity: str | None = None) -> str | None:
    """The ``p`` parameter, checked as a canonical period label (of ``granularity`` when given)."""
    label = request.query_params.get("p")
    if label is None:
        return None
    gran = services.canonical_period(label)
    if gran is None or (granularity and gran != granularity):
        raise _bad("p", f"not a {granularity or 'period'} label such as 2025-05, 2025-Q2, 2025-H1, 2025")
    return label


class IndicatorsView(APIView):
    @extend_schema(operation_id="services_indicators", parameters=[PERIOD, UNIT, LABEL],
                   responses={200: _page("IndicatorRecords", serializers.DictField()), 400: QueryErrors})
    def get(self, request):
        """Indicator records, one per unit × period: received, on-time classes, every indicator's numerator,
        denominator, rate and points (or why it is not computable), group points and the total — the objects of
        ``cchc dossiers indicators --json``. Units, their parents and the province (``*``)."""
        gran = request.query_params.get("period", "month")
        if gran not in GRANULARITIES:
            raise _bad("period", f"one of {', '.join(GRANULARITIES)}")
        label = _label(request, gran)
        unit = request.query_params.get("unit")
        if unit is not None and not policy.can_view_services_unit(request.user, unit):
            raise PermissionDenied()
        if unit is None and not policy.can_view_services_overview(request.user):
            allowed = set(policy.services_unit_codes(request.user))
            if not allowed:
                raise PermissionDenied()
        else:
            allowed = None
        rows = []
        if services.has_data():
            try:
                records = services.overview(gran)
            except (ValueError, FileNotFoundError):  # a store with no received dossiers
                records = []
            rows = [r for r in sorted(records, key=lambda r: (r["period"], *services.sort_key(r)))
                    if (unit is None or r["unit"] == unit) and (label is None or r["period"] == label)
                    and (allowed is None or r["unit"] in allowed)]
        return _paginated(request, self, rows)


class LateView(APIView):
    @extend_schema(operation_id="services_late", parameters=[
        OpenApiParameter("unit", str, required=True, description=UNIT.description),
        OpenApiParameter("p", str, required=True, description=LABEL.description),
        OpenApiParameter("procedure", str, description="Only this procedure code")],
        responses={200: _page("LateDossiers", serializers.DictField()), 400: QueryErrors})
    def get(self, request):
        """The unit's late dossiers in the period: finished late in it, or still open and overdue at its end, with
        days late (calendar and working) and whether an apology slip was issued."""
        unit = request.query_params.get("unit")
        if not unit:
            raise _bad("unit", "required")
        label = _label(request)
        if label is None:
            raise _bad("p", "required")
        if not policy.can_view_services_unit(request.user, unit):
            raise PermissionDenied()
        rows = services.late(unit, label) if services.has_data() else []
        procedure = request.query_params.get("procedure")
        if procedure:
            rows = [r for r in rows if r["procedure_code"] == procedure]
        return _paginated(request, self, rows)


JOB_FIELDS = {
    "id": serializers.IntegerField(), "file_name": serializers.CharField(),
    "catalogue_name": serializers.CharField(), "replace": serializers.BooleanField(),
    "status": serializers.ChoiceField(choices=["queued", "running", "done", "failed"]),
    "step": serializers.CharField(), "result": serializers.DictField(), "message": serializers.CharField(),
    "message_vi": serializers.CharField(),
    "created_by": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "updated_at": serializers.DateTimeField(),
}
Job = inline_serializer("DossierImportJob", JOB_FIELDS)
UploadErrors = inline_serializer("DossierUploadErrors", {"errors": serializers.ListField(child=serializers.CharField())})


def _job(job) -> dict:  # noqa: ANN001
    result = {k: v for k, v in (job.result or {}).items() if k != "rejected_path"}  # no server paths
    result["has_rejected_file"] = bool((job.result or {}).get("rejected_path"))
    return {"id": job.pk, "file_name": job.file_name, "catalogue_name": job.catalogue_name, "replace": job.replace,
            "status": job.status, "step": job.step, "result": result if job.result else {}, "message": job.message,
            "message_vi": job.message_vi,
            "created_by": job.created_by.username, "created_at": job.created_at, "updated_at": job.updated_at}


def _require_import(user) -> None:  # noqa: ANN001
    if not policy.can_import_dossiers(user):
        raise PermissionDenied()


class ImportsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="services_imports", responses={200: _page("DossierImportJobs", Job)})
    def get(self, request):
        """The dossier imports, newest first (administrator)."""

        _require_import(request.user)  # only the page's jobs are settled (services.settle_stale), not all of them
        return _paginated(request, self, DossierImport.objects.select_related("created_by"),
                          lambda j: _job(services.settle_stale(j)))

    @extend_schema(operation_id="services_import_create", request={"multipart/form-data": inline_serializer(
        "DossierUpload", {"file": serializers.FileField(), "catalogue": serializers.FileField(required=False),
                          "replace": serializers.BooleanField(required=False)})},
        responses={202: Job, 400: UploadErrors, 415: inline_serializer("UnsupportedMedia", {
            "detail": serializers.CharField()})})
    def post(self, request):
        """Upload a dossier export (CSV, Parquet or JSON Lines) and, optionally, the procedure catalogue; the
        import runs in the background: poll the job until its status is ``done`` or ``failed``. ``replace``:
        records replace stored dossiers with the same id (next month's export)."""

        _require_import(request.user)
        form = DossierImportForm(request.data, request.FILES)
        form.is_valid()  # every field optional: the files are checked by services.submit, in its words
        got = form.cleaned_data
        job, errors = services.submit(request.user, got["file"], got["catalogue"], replace=got["replace"])
        if job is None:
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        job.refresh_from_db()
        return Response(_job(job), status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    # the path's id converter reads as a string to the schema generator; the published schema types it integer
    @extend_schema(operation_id="services_import", responses={200: Job},
                   parameters=[OpenApiParameter("job_id", int, OpenApiParameter.PATH)])
    def get(self, request, job_id: int):
        """One import: status, step, and when done the accepted, rejected and replaced counts and the problems
        (row, column, value, reason in English and Vietnamese)."""

        _require_import(request.user)
        try:
            job = services.settle_stale(DossierImport.objects.select_related("created_by").get(pk=job_id))
        except DossierImport.DoesNotExist:
            raise NotFound() from None
        return Response(_job(job))


urlpatterns = [
    path("services/indicators/", IndicatorsView.as_view(), name="api-services-indicators"),
    path("services/late/", LateView.as_view(), name="api-services-late"),
    path("services/imports/", ImportsView.as_view(), name="api-services-imports"),
    path("services/imports/<id:job_id>/", ImportDetailView.as_view(), name="api-services-import"),
]
