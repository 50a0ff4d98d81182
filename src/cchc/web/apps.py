from django.apps import AppConfig


class WebConfig(AppConfig):
    """The project package itself: shared templates, template tags, management commands."""

    name = "cchc.web"
    label = "cchc_web"
    verbose_name = "cchc"
