from django.urls import path

from cchc.web.surveys import views

urlpatterns = [
    path("", views.survey_imports, name="surveys"),
    path("<id:survey_id>/", views.survey_results, name="survey-results"),
    path("<id:survey_id>/apply/", views.survey_apply, name="survey-apply"),
]
