from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ewtp.reference_data import register_datasets
        from payments.services import reference_datasets

        register_datasets(reference_datasets)  # for load_reference_data
