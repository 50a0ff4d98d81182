from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysPageConfig(AppConfig):
    name = "cchc.web.surveys"
    label = "surveys_page"
    verbose_name = _("Khảo sát")
