from django.apps import AppConfig


class CustomsConfig(AppConfig):
    name = "customs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import currency_for_country
        from customs.services import reference_datasets
        from ewtp.reference_data import register_datasets

        register_datasets(reference_datasets)  # for load_reference_data
        currency_for_country.connect(_currency_for_country, dispatch_uid="customs.currency_for_country")


def _currency_for_country(sender, country: str, **kwargs) -> str:
    """A new account's currency, guessed from its country by the tariff book (accounts asks)."""
    from customs.selectors import destination_currency

    return destination_currency(country)
