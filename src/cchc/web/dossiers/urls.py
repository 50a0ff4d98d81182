from django.urls import path

from cchc.web.dossiers import views

app_name = "services"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("import/", views.import_page, name="import"),
    path("import/<id:job_id>/", views.import_job, name="import-job"),
    path("import/<id:job_id>/rejected.csv", views.import_rejected, name="import-rejected"),
    path("units/<str:unit_code>/", views.unit_page, name="unit"),
    path("units/<str:unit_code>/late/", views.late_page, name="late"),
]
