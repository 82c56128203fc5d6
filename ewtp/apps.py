from django.apps import AppConfig


class EwtpConfig(AppConfig):
    name = "ewtp"
    default_auto_field = "django.db.models.BigAutoField"
