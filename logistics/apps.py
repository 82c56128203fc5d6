from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "logistics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ewtp.reference_data import register_datasets
        from logistics import receivers  # noqa: F401  (connects the signal receivers)
        from logistics.services import reference_datasets

        register_datasets(reference_datasets)  # for load_reference_data
