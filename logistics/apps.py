from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "logistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from logistics import receivers  # noqa: F401  (connects the signal receivers)
