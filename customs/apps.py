from django.apps import AppConfig


class CustomsConfig(AppConfig):
    name = "customs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import currency_for_country, party_screening
        from customs.services import reference_datasets
        from ewtp.reference_data import register_datasets

        register_datasets(reference_datasets)  # for load_reference_data
        currency_for_country.connect(_currency_for_country, dispatch_uid="customs.currency_for_country")
        party_screening.connect(_party_screening, dispatch_uid="customs.party_screening")


def _currency_for_country(sender, country: str, **kwargs) -> str:
    """A new account's currency, guessed from its country by the tariff book (accounts asks)."""
    from customs.selectors import destination_currency

    return destination_currency(country)


def _party_screening(sender, parties: list[tuple[str, str, str]], **kwargs) -> list[dict]:
    """Denied-party hits for a seller or buyer that accounts screens (at verification, at sign-up)."""
    from customs.compliance import parties_screen

    return [hit.as_json() for hit in parties_screen(parties)]
