from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from cchc.web.api import views
from cchc.web.services_page import api as services_api
from cchc.web.steering import api as steering_api

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="api-unit")
router.register("frameworks", views.FrameworkViewSet, basename="api-framework")
router.register("cycles", views.CycleViewSet, basename="api-cycle")
steering_api.register(router)

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/leaves/", views.LeafList.as_view(), name="api-leaves"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/leaves/<str:leaf_code>/", views.LeafDetail.as_view(),
         name="api-leaf"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/submit/", views.SubmitView.as_view(), name="api-submit"),
    path("cycles/<id:cycle_id>/results/", views.ResultsView.as_view(), name="api-results"),
    path("cycles/<id:cycle_id>/results/<str:unit_code>/", views.UnitResultView.as_view(), name="api-unit-result"),
    path("services/indicators/", services_api.IndicatorsView.as_view(), name="api-services-indicators"),
    path("services/late/", services_api.LateView.as_view(), name="api-services-late"),
    path("services/imports/", services_api.ImportsView.as_view(), name="api-services-imports"),
    path("services/imports/<int:job_id>/", services_api.ImportDetailView.as_view(), name="api-services-import"),
    path("", include(router.urls)),
]
