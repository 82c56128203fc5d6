from django.apps import AppConfig


class CustomsConfig(AppConfig):
    name = "customs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from customs.services import reference_datasets
        from ewtp.reference_data import register_datasets

        register_datasets(reference_datasets)  # for load_reference_data
