from django.apps import AppConfig


class ServicesPageConfig(AppConfig):
    name = "cchc.web.services_page"
    label = "services_page"
    verbose_name = "Giải quyết TTHC (hồ sơ một cửa)"
