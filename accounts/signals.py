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

# Asked to screen parties against the denied-party lists (customs answers with its screening index).
# Arguments: parties, a list of (role, name, country). Each receiver answers a list of hits as JSON
# (role, name, list, entry_id, listed_name, matched_name, score, programs, reasons); all answers add up.
party_screening = Signal()


def parties_screen(parties: list[tuple[str, str, str]]) -> list[dict]:
    """The denied-party hits for these (role, name, country) as the receivers of party_screening say."""
    hits: list[dict] = []
    for _receiver, answer in party_screening.send(sender=None, parties=parties):
        hits += answer or []
    return hits
