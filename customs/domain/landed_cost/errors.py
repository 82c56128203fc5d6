"""What is wrong with a quote's input: the API answers 400 with the code and the field."""

from __future__ import annotations

from ewtp.exceptions import ApplicationError


class LandedCostError(ApplicationError):
    """Bad input for a quote: the API answers 400 with the code and the field."""

    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code or self.default_code, field=field)


class UnknownHsCode(LandedCostError):
    default_code = "unknown_hs_code"


class UnsupportedDestination(LandedCostError):
    default_code = "unsupported_destination"


class InvalidAmount(LandedCostError):
    default_code = "invalid_amount"


class CurrencyMismatchError(LandedCostError):
    default_code = "currency_mismatch"


class InvalidDate(LandedCostError):
    default_code = "invalid_date"


class DomesticShipment(LandedCostError):
    """Origin and destination in one customs territory: no import, so no duty and no import VAT."""

    default_code = "domestic_shipment"
