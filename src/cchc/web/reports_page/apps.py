from django.apps import AppConfig


class ReportsPageConfig(AppConfig):
    name = "cchc.web.reports_page"
    label = "reports_page"
    verbose_name = "Báo cáo"
