from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from cchc.web import views
from cchc.web.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("cchc.web.reports_page.urls")),
    path("", include("cchc.web.surveys_page.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="cchc/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("units/", views.units, name="units"),
    path("people/", views.people, name="people"),
    path("people/<id:assignment_id>/remove/", views.people_remove, name="people-remove"),
    path("units/import/", views.units_import, name="units-import"),
    path("cycles/new/", views.cycle_new, name="cycle-new"),
    path("cycles/<id:cycle_id>/", views.cycle_detail, name="cycle"),
    path("cycles/<id:cycle_id>/computed/", views.computed_import, name="computed-import"),
    path("cycles/<id:cycle_id>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<id:cycle_id>/transition/", views.cycle_transition, name="cycle-transition"),
    path("cycles/<id:cycle_id>/remind/", views.cycle_remind, name="cycle-remind"),
    path("cycles/<id:cycle_id>/results/", views.results, name="results"),
    path("cycles/<id:cycle_id>/results.xlsx", views.results_xlsx, name="results-xlsx"),
    path("cycles/<id:cycle_id>/results/<str:unit_code>/", views.unit_result, name="unit-result"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/self/", views.sheet, {"mode": "self"}, name="sheet-self"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/appraise/", views.sheet, {"mode": "appraise"},
         name="sheet-appraise"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/explain/", views.sheet, {"mode": "explain"},
         name="sheet-explain"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/<str:mode>/leaf/<str:leaf_code>/", views.leaf_save,
         name="leaf-save"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/<str:mode>/leaf/<str:leaf_code>/evidence/",
         views.evidence_upload, name="evidence-upload"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/history/<str:leaf_code>/", views.leaf_history,
         name="leaf-history"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/submit/", views.submit, name="submit"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/explain/submit/", views.submit_explanation,
         name="submit-explanation"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/return/", views.return_submission, name="return-submission"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/sheet.xlsx", views.sheet_xlsx, name="sheet-xlsx"),
    path("evidence/<id:evidence_id>/", views.evidence_download, name="evidence"),
    path("public/cycles/<id:cycle_id>/", views.public_results, name="public-results"),
    path("steering/", include("cchc.web.steering.urls")),
    path("services/", include("cchc.web.services_page.urls")),
    path("api/", include("cchc.web.api.urls")),
    path("admin/", admin.site.urls),
]
handler404 = "cchc.web.views.not_found"
