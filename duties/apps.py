from django.apps import AppConfig


class DutiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "duties"
    verbose_name = "Duty settlement"

    def ready(self) -> None:
        from duties import receivers  # noqa: F401 (connects the signal receivers)
