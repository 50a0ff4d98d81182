from django.urls import path

from cchc.web.assessments import views

urlpatterns = [
    path("cycles/new/", views.cycle_new, name="cycle-new"),
    path("cycles/<id:cycle_id>/", views.cycle_detail, name="cycle"),
    path("cycles/<id:cycle_id>/computed/", views.computed_import, name="computed-import"),
    path("cycles/<id:cycle_id>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<id:cycle_id>/transition/", views.cycle_transition, name="cycle-transition"),
    path("cycles/<id:cycle_id>/remind/", views.cycle_remind, name="cycle-remind"),
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
    path("cycles/<id:cycle_id>/units/<str:unit_code>/exclusion/", views.unit_exclusion, name="unit-exclusion"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/return/", views.return_submission, name="return-submission"),
    path("cycles/<id:cycle_id>/units/<str:unit_code>/sheet.xlsx", views.sheet_xlsx, name="sheet-xlsx"),
    path("evidence/<id:evidence_id>/", views.evidence_download, name="evidence"),
]
