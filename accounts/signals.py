"""What accounts tells the other apps (they connect receivers; accounts imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that rejects a company: the marketplace takes its listings off the
# catalog in that same transaction. Arguments: company.
company_rejected = Signal()
# Sent after the transaction that verified a company has committed (its members are told). Arguments: company.
company_verified = Signal()

# Asked when someone gives a country but no currency: a receiver answers with the currency buyers of
# that country pay in (customs answers from its tariff book). Arguments: country. The first answer wins.
currency_for_country = Signal()


def country_currency(country: str) -> str:
    """The currency for the country as the receivers of currency_for_country say, else ""."""
    for _receiver, answer in currency_for_country.send(sender=None, country=country):
        if answer:
            return answer
    return ""
