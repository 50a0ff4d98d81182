from django.apps import AppConfig
from django.urls import register_converter

from cchc.web.converters import IdConverter


class WebConfig(AppConfig):
    """The project package itself: settings, root URLs, shared helpers, templates, template tags and assets."""

    name = "cchc.web"
    label = "cchc_web"
    verbose_name = "cchc"  # a name, the same in every language

    def ready(self) -> None:
        register_converter(IdConverter, "id")
