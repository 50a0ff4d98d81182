"""The API's root: one router that every area registers its collections on, then each area's own paths (route
names ``api-*``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from cchc.web.accounts import api as accounts_api
from cchc.web.assessments import api as assessments_api
from cchc.web.dossiers import api as services_api
from cchc.web.org import api as org_api
from cchc.web.results import api as results_api
from cchc.web.steering import api as steering_api

router = DefaultRouter()
for area in (org_api, assessments_api, steering_api):
    area.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    *accounts_api.urlpatterns,
    *assessments_api.urlpatterns,
    *results_api.urlpatterns,
    *services_api.urlpatterns,
    path("", include(router.urls)),
]
