from django.apps import AppConfig


class SteeringConfig(AppConfig):
    name = "cchc.web.steering"
    label = "steering"
    verbose_name = "Chỉ đạo, điều hành CCHC"
    default_auto_field = "django.db.models.BigAutoField"
