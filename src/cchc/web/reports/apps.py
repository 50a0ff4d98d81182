from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsPageConfig(AppConfig):
    name = "cchc.web.reports"
    label = "reports_page"
    verbose_name = _("Báo cáo")
