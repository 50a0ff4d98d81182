"""The project's URLs: one ``include`` per area. An area whose pages share one path prefix is mounted under it
(``units/``, ``steering/``, ``services/``, ``reports/``, ``surveys/``); the areas whose paths predate that rule
(accounts, assessments, results: ``/cycles/…``, ``/people/``, ``/public/…``) keep them and are mounted at the root.
Every id in a path is ``<id:…>`` (:class:`cchc.web.converters.IdConverter`, registered at start-up by
:class:`cchc.web.apps.WebConfig`)."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from cchc.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("cchc.web.accounts.urls")),
    path("units/", include("cchc.web.org.urls")),
    path("", include("cchc.web.assessments.urls")),
    path("", include("cchc.web.results.urls")),
    path("steering/", include("cchc.web.steering.urls")),
    path("surveys/", include("cchc.web.surveys.urls")),
    path("services/", include("cchc.web.dossiers.urls")),
    path("reports/", include("cchc.web.reports.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("cchc.web.api.urls")),
    path("admin/", admin.site.urls),
]
handler404 = "cchc.web.views.not_found"
