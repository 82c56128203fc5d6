from django.apps import AppConfig


class FinanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "finance"
    verbose_name = "Trade finance"

    def ready(self) -> None:
        from finance import receivers  # noqa: F401 (connects the signal receivers)
