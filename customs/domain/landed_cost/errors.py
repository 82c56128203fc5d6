"""What is wrong with a quote's input: the API answers 400 with the code and the field."""

from __future__ import annotations

from ewtp.exceptions import ApplicationError


class LandedCostError(ApplicationError):
    """Bad input for a quote: the API answers 400 with the code and the field."""

    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code or self.default_code, field=field)


class UnknownHsCode(LandedCostError):
    """Not an HS code of 6 to 10 digits that the nomenclature holds."""

    default_code = "unknown_hs_code"


class UnsupportedDestination(LandedCostError):
    """No customs regime is held for the country, or it is a customs union rather than a member state."""

    default_code = "unsupported_destination"


class InvalidAmount(LandedCostError):
    """A negative amount, weight or quantity, or more decimals than the currency has."""

    default_code = "invalid_amount"


class CurrencyMismatchError(LandedCostError):
    """A currency with no exchange rate on the quote's date."""

    default_code = "currency_mismatch"


class InvalidDate(LandedCostError):
    """A date before the destination's tariff held starts, or past the latest quotable day."""

    default_code = "invalid_date"


class DomesticShipment(LandedCostError):
    """Origin and destination in one customs territory: no import, so no duty and no import VAT."""

    default_code = "domestic_shipment"
