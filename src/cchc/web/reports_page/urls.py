from django.urls import path

from cchc.web.reports_page import views

urlpatterns = [
    path("reports/", views.report_page, name="reports"),
    path("reports/<int:job_id>/", views.report_job, name="report-job"),
    path("reports/<int:job_id>/<str:name>", views.report_file, name="report-file"),
]
