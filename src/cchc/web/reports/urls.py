from django.urls import path

from cchc.web.reports import views

urlpatterns = [
    path("", views.report_page, name="reports"),
    path("<id:job_id>/", views.report_job, name="report-job"),
    path("<id:job_id>/<str:name>", views.report_file, name="report-file"),
]
