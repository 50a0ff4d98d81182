from django.apps import AppConfig


class SurveysPageConfig(AppConfig):
    name = "cchc.web.surveys_page"
    label = "surveys_page"
    verbose_name = "Khảo sát"
