from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesPageConfig(AppConfig):
    name = "cchc.web.dossiers"
    label = "services_page"
    verbose_name = _("Giải quyết TTHC (hồ sơ một cửa)")
