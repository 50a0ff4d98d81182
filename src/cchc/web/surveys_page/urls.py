from django.urls import path

from cchc.web.surveys_page import views

urlpatterns = [
    path("surveys/", views.survey_imports, name="surveys"),
    path("surveys/<int:survey_id>/", views.survey_results, name="survey-results"),
    path("surveys/<int:survey_id>/apply/", views.survey_apply, name="survey-apply"),
]
