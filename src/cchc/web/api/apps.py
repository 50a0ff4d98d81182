from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cchc.web.api"
    label = "api"
    verbose_name = "API"  # a name, the same in every language
